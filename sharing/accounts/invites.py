"""Invite links: each lets one person create an account, until it expires.

Staff make them on the Invites page. A notebook's owner makes one from the Share page for an
address without an account: it is mailed to that address, only that address may use it, and
the account it creates gets the role on the notebook (if the owner may still share it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from sharing import grants, permissions, roles
from sharing.accounts.models import Invite
from sharing.accounts.tokens import digest, new_secret

MAX_TOKEN_LENGTH = 100
NOTEBOOK_ROLES = (roles.VIEWER, roles.COMMENTER, roles.EDITOR)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewInvite:
    invite: Invite
    raw: str  # shown once, in the link


def create_invite(
    created_by,
    email: str = "",
    days: int = 7,
    note: str = "",
    notebook=None,
    role: str = "",
) -> NewInvite:
    if notebook is not None and (not email or role not in NOTEBOOK_ROLES):
        raise ValueError("An invitation to a notebook needs an address and a role.")
    raw = new_secret()
    invite = Invite.objects.create(
        token_hash=digest(raw),
        email=email.strip(),
        note=note.strip(),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
        notebook=notebook,
        role=role if notebook is not None else "",
    )
    return NewInvite(invite, raw)


def pending_for(notebook):
    """Invitations to ``notebook`` nobody used yet, still usable."""
    return Invite.objects.filter(usable(), notebook=notebook).order_by("email")


def send_notebook_invite(new: NewInvite, link: str) -> bool:
    """Mail the invitation (``link`` is its absolute address); False if the mail failed."""
    invite = new.invite
    context = {
        "inviter": invite.created_by,
        "notebook": invite.notebook,
        "role": invite.role,
        "link": link,
        "expires_at": invite.expires_at,
        "site_name": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("emails/invite_subject.txt", context).split()),
        body=render_to_string("emails/invite_body.txt", context),
        to=[invite.email],
    )
    message.attach_alternative(render_to_string("emails/invite_body.html", context), "text/html")
    try:
        return bool(mailers.default.send_messages([message]))
    except OSError:
        logger.exception("the invitation e-mail could not be sent")
        return False


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
    if claimed == 1:
        _grant_invited_role(invite, user)
    return claimed == 1


def _grant_invited_role(invite: Invite, user) -> None:
    """The role an invitation to a notebook promised, if its sender may still share it."""
    notebook, sender = invite.notebook, invite.created_by
    if notebook is None or sender is None or invite.role not in NOTEBOOK_ROLES:
        return
    if permissions.user_can(sender, roles.MANAGE, notebook):
        grants.set_user_role(notebook, user, invite.role)


def revoke(invite: Invite) -> None:
    Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
