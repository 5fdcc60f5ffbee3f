"""The first administrator: created from a one-time setup token, never by signing up first.

``manage.py setup_token`` (run by ``make run``) prints a link holding a fresh token while no
superuser exists; whoever opens it creates the administrator. Using the token is one atomic
UPDATE, so two people racing with it cannot both succeed, on any database.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sharing.accounts.models import SetupToken, VerifiedEmail
from sharing.accounts.tokens import digest, new_secret

LIFETIME = timedelta(days=1)


def needs_setup() -> bool:
    return not get_user_model().objects.filter(is_superuser=True).exists()


def create_setup_token() -> str:
    """A new token (older unused ones stop working); its raw value is shown once."""
    raw = new_secret()
    with transaction.atomic():
        SetupToken.objects.filter(used_at__isnull=True).delete()
        SetupToken.objects.create(token_hash=digest(raw), expires_at=timezone.now() + LIFETIME)
    return raw


def token_usable(raw: str) -> bool:
    return (
        bool(raw)
        and len(raw) <= 100
        and SetupToken.objects.filter(
            token_hash=digest(raw), used_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
    )


def create_administrator(raw: str, username: str, email: str, password: str):
    """Spend the token and create the superuser, or return None if the token is spent."""
    with transaction.atomic():
        spent = SetupToken.objects.filter(
            token_hash=digest(raw), used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
        if spent != 1:
            return None
        user = get_user_model().objects.create_superuser(username, email, password)
        # The person running the server typed this address for themself.
        if not VerifiedEmail.objects.filter(email__iexact=email).exists():
            VerifiedEmail.objects.create(user=user, email=email)
    return user
