"""allauth adapters: our pages and our rules around allauth's sign-in machinery.

- Accounts are found by the provider's subject (``sub``) only. A first sign-in whose e-mail
  address belongs to an existing account links to it only when the provider says the
  address is verified and the account verified it too (``OIDC_LINK_VERIFIED_EMAIL``);
  otherwise it is refused with a page saying why. Nothing is merged by an unverified address.
- allauth's own password sign-in and sign-up are closed: ours (sharing.views.accounts) stay.
- Groups are synced at each sign-in (sharing.sso.groups); someone outside
  ``OIDC_ALLOWED_GROUPS`` is refused, and an existing account of theirs is deactivated.
"""

from __future__ import annotations

import logging
import re

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render

from sharing.accounts import leavers
from sharing.accounts.lookup import verified_email_accounts
from sharing.accounts.models import VerifiedEmail
from sharing.sso import groups

logger = logging.getLogger(__name__)
USERNAME_CHARS = re.compile(r"[^\w.+-]")
GROUPS_KEY = "_sharing_groups"


def refuse(request, title: str, message: str, status: int = 403):
    """Stop the sign-in with our page."""
    context = {"title": title, "message": message}
    raise ImmediateHttpResponse(
        render(request, "registration/sso_error.html", context, status=status)
    )


def _username_base(user, claims: dict) -> str:
    for candidate in (claims.get("preferred_username"), user.email, claims.get("name"), "user"):
        if isinstance(candidate, str) and candidate.strip():
            base = USERNAME_CHARS.sub("", candidate.split("@")[0].strip().replace(" ", "."))
            if base:
                return base[:140]
    return "user"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False  # password sign-up is ours (sharing.views.accounts.signup), not allauth's

    def respond_user_inactive(self, request, user):
        refuse(request, "Account deactivated", "This account is deactivated. Ask an administrator.")

    def populate_username(self, request, user) -> None:
        if user.username:
            return
        claims = getattr(user, "_sso_claims", {})
        base = _username_base(user, claims)
        User = get_user_model()
        name, number = base, 1
        while User.objects.filter(username__iexact=name).exists():
            number += 1
            name = f"{base}{number}"
        user.username = name


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def authenticate_by_email(self, sociallogin):
        return None  # by subject only: see pre_social_login for addresses

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.username = ""  # chosen by AccountAdapter.populate_username, never "@"-shaped
        user._sso_claims = groups.claims_of(sociallogin.account.extra_data)
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        app_settings = sociallogin.account.get_provider().app.settings
        claims = groups.claims_of(sociallogin.account.extra_data)
        claim = groups.provider_setting(app_settings, "OIDC_GROUPS_CLAIM")
        names = groups.groups_in(claims, claim)
        if not groups.allowed(names, groups.provider_setting(app_settings, "OIDC_ALLOWED_GROUPS")):
            if sociallogin.is_existing:
                leavers.deactivate(sociallogin.user)
            logger.warning("Sign-in refused: subject %s is in no allowed group", claims.get("sub"))
            refuse(
                request,
                "Not allowed to sign in",
                "Your organisation has not given you access to this site. Ask your administrator.",
            )
        sociallogin.state[GROUPS_KEY] = names if claim else None
        if not sociallogin.is_existing:
            self._link_or_refuse(request, sociallogin, claims)

    def _link_or_refuse(self, request, sociallogin, claims: dict) -> None:
        email = claims.get("email")
        if not isinstance(email, str) or not email.strip():
            return
        User = get_user_model()
        verified_here = VerifiedEmail.objects.filter(email__iexact=email)
        taken = User.objects.filter(Q(email__iexact=email) | Q(pk__in=verified_here.values("user")))
        if not taken.exists():
            return
        account = verified_email_accounts(email).first()
        if (
            settings.OIDC_LINK_VERIFIED_EMAIL
            and claims.get("email_verified") is True
            and account is not None
        ):
            sociallogin.connect(request, account)
            logger.info("Linked sign-in subject %s to %s", claims.get("sub"), account)
            return
        refuse(
            request,
            "An account already uses this address",
            f"An account on this site already uses {email}. It is not joined to your "
            "sign-in because the address is not verified on both sides. Ask an administrator "
            "to link them.",
            status=409,
        )

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        claims = groups.claims_of(sociallogin.account.extra_data)
        email = user.email
        if (
            email
            and claims.get("email_verified") is True
            and not VerifiedEmail.objects.filter(email__iexact=email).exists()
        ):
            VerifiedEmail.objects.create(user=user, email=email)
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        logger.warning(
            "Sign-in with %s failed: %s %s",
            getattr(provider, "name", provider),
            error,
            exception or "",
        )
        if error == AuthError.CANCELLED:
            refuse(request, "Sign-in cancelled", "You cancelled the sign-in.", status=400)
        refuse(
            request,
            "Sign-in failed",
            "The sign-in could not be completed. Try again; if it keeps failing, ask an "
            "administrator.",
            status=400,
        )
