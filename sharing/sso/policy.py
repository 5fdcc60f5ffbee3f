"""Who may use a password here, and which providers the sign-in page offers.

With ``SSO_ONLY`` on, only a superuser may sign in with a password (the break-glass account,
at /accounts/login/break-glass/); everyone else signs in through the providers.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def password_allowed(user) -> bool:
    return not settings.SSO_ONLY or user.is_superuser


def providers() -> list[dict]:
    """The configured providers in their listed order: id, name and sign-in URL."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return [
        {
            "id": app["provider_id"],
            "name": app["name"],
            "url": reverse("openid_connect_login", kwargs={"provider_id": app["provider_id"]}),
        }
        for app in apps
    ]
