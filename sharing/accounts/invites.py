"""Invite links: made by staff, each lets one person create an account, until it expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from sharing.accounts.models import Invite
from sharing.accounts.tokens import digest, new_secret

MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class NewInvite:
    invite: Invite
    raw: str  # shown once, in the link


def create_invite(created_by, email: str = "", days: int = 7, note: str = "") -> NewInvite:
    raw = new_secret()
    invite = Invite.objects.create(
        token_hash=digest(raw),
        email=email.strip(),
        note=note.strip(),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return NewInvite(invite, raw)


def usable() -> Q:
    return Q(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def find_invite(raw: str) -> Invite | None:
    """The usable invite whose token is ``raw``, or None (unknown, used, revoked, expired)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return Invite.objects.filter(usable(), token_hash=digest(raw)).first()


def claim(invite: Invite, user) -> bool:
    """Mark ``invite`` used by ``user``: one atomic UPDATE, so of two simultaneous sign-ups with
    one invite exactly one succeeds (the caller rolls the other back)."""
    claimed = Invite.objects.filter(usable(), pk=invite.pk).update(
        used_at=timezone.now(), used_by=user
    )
    return claimed == 1


def revoke(invite: Invite) -> None:
    Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
