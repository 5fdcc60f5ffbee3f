"""Single sign-on: OpenID Connect through django-allauth, group sync, trusted proxy header."""
