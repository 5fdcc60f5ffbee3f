"""Naming a person to share with: one rule for the Share page, ownership transfer and the API.

Text with an "@" is an e-mail address and matches only an address its account verified;
anything else is a username. No username contains "@" (sharing.accounts.usernames), so the
two never overlap: nobody can register a name that captures a grant meant for an address.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from sharing.accounts.models import VerifiedEmail

UNKNOWN_EMAIL = "No active account has verified the e-mail address “%(who)s”."
UNKNOWN_USERNAME = "No active account has the username “%(who)s”."


def verified_email_accounts(email: str):
    """Active accounts whose current address is ``email`` and was verified by them."""
    User = get_user_model()
    verified = VerifiedEmail.objects.filter(user=OuterRef("pk"), email__iexact=email)
    return User.objects.filter(is_active=True, email__iexact=email).filter(Exists(verified))


def find_person(who: str):
    """The one active account ``who`` names, or a ValidationError saying why not."""
    who = who.strip()
    User = get_user_model()
    if "@" in who:
        found = list(verified_email_accounts(who)[:2])
        message = UNKNOWN_EMAIL
    else:
        active = User.objects.filter(is_active=True)
        found = list(active.filter(username=who)[:1]) or list(
            active.filter(username__iexact=who)[:2]
        )
        message = UNKNOWN_USERNAME
    if not found:
        raise ValidationError(message, code="unknown_user", params={"who": who[:100]})
    if len(found) > 1:
        raise ValidationError(
            "More than one account matches “%(who)s”: type the exact username.",
            code="ambiguous_user",
            params={"who": who[:100]},
        )
    return found[0]


def is_verified(user) -> bool:
    return bool(user.email) and verified_email_accounts(user.email).filter(pk=user.pk).exists()
