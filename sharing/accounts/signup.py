"""Who may create an account in the browser.

Sign-up is off unless SIGNUP_ENABLED. When on, a person needs an invite link or an address
in one of SIGNUP_EMAIL_DOMAINS, and the account stays inactive until its address is verified.
Nobody becomes an administrator by signing up (see sharing.accounts.setup).
"""

from __future__ import annotations

from django.conf import settings


def allowed_domains() -> set[str]:
    return {d.strip().lstrip("@").rstrip(".").casefold() for d in settings.SIGNUP_EMAIL_DOMAINS}


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].rstrip(".").casefold()


def domain_allowed(email: str) -> bool:
    """Exactly one of the listed domains (not a subdomain, not a lookalike)."""
    return "@" in email and domain_of(email) in allowed_domains() - {""}


def signup_enabled() -> bool:
    """SIGNUP_ENABLED, and never with SSO_ONLY (everyone comes through the providers)."""
    return settings.SIGNUP_ENABLED and not settings.SSO_ONLY


def open_signup() -> bool:
    """Whether anyone without an invite may try (with an address at an allowed domain)."""
    return bool(signup_enabled() and allowed_domains() - {""})
