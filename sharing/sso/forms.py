"""Password sign-in forms that respect SSO_ONLY (only a superuser may use a password then)."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from sharing.sso.policy import password_allowed

# The same words as a wrong password: the page does not tell whether the password was right.
SSO_ONLY_MESSAGE = "That username and password do not match."


def _check(user) -> None:
    if not password_allowed(user):
        raise ValidationError(SSO_ONLY_MESSAGE, code="sso_only")


class SignInForm(AuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        _check(user)


class AdminSignInForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        _check(user)
