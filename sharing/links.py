"""Share links: every piece of token logic, and the rules that say whether a link still works.

A token is 32 random bytes from ``secrets`` (256 bits, 43 URL-safe characters). Only its keyed
hash (HMAC-SHA256 with a key derived from SECRET_KEY) is stored; lookups go by hash and the
stored hash is compared in constant time. The raw token is shown once to its creator and never
stored, logged or kept in a session. See docs/share-links.md.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from sharing.models import (
    Notebook,
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
    NotebookVersion,
    ShareLink,
    ShareLinkEvent,
)
from sharing.roles import EDIT

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
_HMAC_SALT = "sharing.links.token"
SESSION_KEY = "share_links"  # ids of the links this session came through, never tokens
ENDED_KEY = "share_links_ended"  # notebook id -> why the link this session used ended
SESSION_LIMIT = 50
Kind = ShareLinkEvent.Kind


class State(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ORPHANED = "orphaned"  # its creator can no longer create links on the notebook


STATE_LABELS = {
    State.ACTIVE: "active",
    State.EXPIRED: "expired",
    State.REVOKED: "revoked",
    State.ORPHANED: "creator lost access",
}
_ATTEMPT_KINDS = {
    State.EXPIRED: Kind.EXPIRED_ATTEMPT,
    State.REVOKED: Kind.REVOKED_ATTEMPT,
    State.ORPHANED: Kind.ORPHANED_ATTEMPT,
}


class ShareLinkGone(Exception):
    """The share link that gave access has ended: answered with a 410 page."""

    def __init__(self, state: State) -> None:
        super().__init__(state)
        self.state = State(state)


# Tokens ---------------------------------------------------------------------------------------


def generate_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The keyed hash stored in place of the token."""
    return salted_hmac(_HMAC_SALT, token, algorithm="sha256").hexdigest()


def looks_like_token(token: str) -> bool:
    return TOKEN_PATTERN.fullmatch(token) is not None


def find(token: str) -> ShareLink | None:
    """The link with this token, looked up by hash only; None for anything else.

    A string that cannot be a token is refused without touching the database.
    """
    if not looks_like_token(token):
        return None
    digest = hash_token(token)
    found = (
        with_creator_rights(ShareLink.objects.select_related("notebook", "pinned_version"))
        .filter(token_hash=digest)
        .first()
    )
    if found is None or not constant_time_compare(found.token_hash, digest):
        return None
    return found


def find_by_pk(pk: int) -> ShareLink | None:
    """A link by id (never by token), ready for ``state``."""
    links = ShareLink.objects.select_related("notebook", "pinned_version")
    return with_creator_rights(links).filter(pk=pk).first()


def matches(link: ShareLink, token: str) -> bool:
    """Whether ``token`` is this link's, compared in constant time."""
    return looks_like_token(token) and constant_time_compare(link.token_hash, hash_token(token))


# Validity -------------------------------------------------------------------------------------


def with_creator_rights(links: QuerySet) -> QuerySet:
    """Annotate ``creator_can_edit``: the creator is active and may still create links."""
    user_grant = NotebookUserObjectPermission.objects.filter(
        content_object=OuterRef("notebook_id"),
        user=OuterRef("created_by_id"),
        permission__codename=EDIT,
    )
    group_grant = NotebookGroupObjectPermission.objects.filter(
        content_object=OuterRef("notebook_id"),
        group__user=OuterRef("created_by_id"),
        permission__codename=EDIT,
    )
    return links.annotate(
        creator_can_edit=Q(created_by__is_active=True)
        & (Q(created_by__is_superuser=True) | Exists(user_grant) | Exists(group_grant))
    )


def active_q(now: datetime) -> Q:
    """Links not revoked and not expired (the creator's rights need ``with_creator_rights``)."""
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def usable(links: QuerySet, now: datetime | None = None) -> QuerySet:
    """The links that work right now."""
    return with_creator_rights(links).filter(active_q(now or timezone.now()), creator_can_edit=True)


def state(link: ShareLink, now: datetime | None = None) -> State:
    """Whether ``link`` works at ``now``. A link stops working at its expiry second."""
    now = now or timezone.now()
    if link.revoked_at is not None:
        return State.REVOKED
    if link.expires_at is not None and now >= link.expires_at:
        return State.EXPIRED
    can_edit = getattr(link, "creator_can_edit", None)
    if can_edit is None:
        can_edit = with_creator_rights(ShareLink.objects.filter(pk=link.pk)).get().creator_can_edit
    if not can_edit:
        return State.ORPHANED
    return State.ACTIVE


def counts_for(link: ShareLink, user) -> bool:
    """Whether the link may serve this person: signed in, or a permitted anonymous link."""
    if user.is_authenticated:
        return user.is_active
    return link.anonymous and settings.SHARE_LINKS_ALLOW_ANONYMOUS


# Life cycle -----------------------------------------------------------------------------------


def latest_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=settings.SHARE_LINK_MAX_DAYS)


def create_link(
    notebook: Notebook,
    creator,
    *,
    role: str = ShareLink.Role.VIEWER,
    expires_at: datetime | None,
    label: str = "",
    pinned_version: NotebookVersion | None = None,
    anonymous: bool = False,
) -> tuple[ShareLink, str]:
    """Create a link and return it with its raw token, which exists nowhere else from now on."""
    now = timezone.now()
    if expires_at is None and not settings.SHARE_LINKS_ALLOW_NEVER:
        raise ValueError("Links must expire on this site.")
    if expires_at is not None and not now < expires_at <= latest_expiry(now):
        raise ValueError("The expiry must be in the future and within the site's maximum.")
    if pinned_version is not None and pinned_version.notebook_id != notebook.pk:
        raise ValueError("The pinned version belongs to another notebook.")
    if anonymous and not settings.SHARE_LINKS_ALLOW_ANONYMOUS:
        raise ValueError("Links without sign-in are turned off on this site.")
    token = generate_token()
    with transaction.atomic():
        link = ShareLink.objects.create(
            notebook=notebook,
            token_hash=hash_token(token),
            role=role,
            label=label.strip(),
            created_by=creator,
            expires_at=expires_at,
            pinned_version=pinned_version,
            anonymous=anonymous,
        )
        record(link, Kind.CREATED, creator, detail=_describe(link))
    return link, token


def _describe(link: ShareLink) -> str:
    parts = [link.get_role_display().lower()]
    if link.expires_at is None:
        parts.append("never expires")
    else:
        parts.append(f"expires {timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}")
    if link.pinned_version_id:
        parts.append(f"version {link.pinned_version.number} only")
    if link.anonymous:
        parts.append("no sign-in")
    return ", ".join(parts)


def revoke(link: ShareLink, by) -> bool:
    """Revoke at once; False if it already was. Everyone who came through it loses access."""
    now = timezone.now()
    with transaction.atomic():
        changed = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        if changed:
            link.revoked_at, link.revoked_by = now, by
            record(link, Kind.REVOKED, by)
    return bool(changed)


def reissue(link: ShareLink, by) -> str | None:
    """Give an active link a new token and return it (None if the link has ended).

    The token is never stored, so a link cannot be shown again; this is how it is copied
    again. The old address stops working; everyone who already opened the link keeps what
    it lends, since sessions remember links by id. Role, expiry, uses and events are kept.
    """
    token = generate_token()
    with transaction.atomic():
        ShareLink.objects.select_for_update().filter(pk=link.pk).values_list("pk").first()
        current = find_by_pk(link.pk)
        if current is None or state(current) is not State.ACTIVE:
            return None
        ShareLink.objects.filter(pk=link.pk).update(token_hash=hash_token(token))
        link.token_hash = hash_token(token)
        record(link, Kind.REISSUED, by)
    return token


def record(link: ShareLink, kind: str, actor=None, detail: str = "") -> ShareLinkEvent:
    actor = actor if actor is not None and actor.is_authenticated else None
    return ShareLinkEvent.objects.create(link=link, kind=kind, actor=actor, detail=detail[:200])


def record_refusal(link: ShareLink, link_state: State, actor, detail: str = "") -> None:
    record(link, _ATTEMPT_KINDS[link_state], actor, detail)


def use(request, link: ShareLink) -> None:
    """Count a visit through the link and remember it in the person's session (by id)."""
    with transaction.atomic():
        ShareLink.objects.filter(pk=link.pk).update(
            use_count=F("use_count") + 1, last_used_at=timezone.now()
        )
        record(link, Kind.USED, request.user)
    ids = [pk for pk in request.session.get(SESSION_KEY, []) if pk != link.pk]
    request.session[SESSION_KEY] = [*ids, link.pk][-SESSION_LIMIT:]
    ended = dict(request.session.get(ENDED_KEY, {}))
    if ended.pop(str(link.notebook_id), None) is not None:
        request.session[ENDED_KEY] = ended


def landing_url(link: ShareLink) -> str:
    """Where a link sends people: the notebook's own address, or the pinned version's."""
    if link.pinned_version_id:
        return link.pinned_version.get_absolute_url()
    return link.notebook.get_absolute_url()


@dataclass
class Held:
    """The links a request came through: those that work, and why the others ended."""

    active: list[ShareLink] = field(default_factory=list)
    ended: dict[int, State] = field(default_factory=dict)


def held_links(request) -> Held:
    """Re-validate the session's links (one query, none without any) on every request.

    Links that ended are dropped from the session, their notebook remembered with the reason
    (so the next page load explains itself with a 410) and the attempt recorded once.
    """
    session = getattr(request, "session", None)
    if session is None:
        return Held()
    ended = {int(pk): State(why) for pk, why in session.get(ENDED_KEY, {}).items()}
    ids = session.get(SESSION_KEY) or []
    if not ids:
        return Held(ended=ended)
    links = with_creator_rights(ShareLink.objects.select_related("pinned_version")).filter(
        pk__in=ids
    )
    now, held, keep = timezone.now(), Held(ended=ended), []
    for link in links:
        link_state = state(link, now)
        if link_state is State.ACTIVE:
            keep.append(link.pk)
            if counts_for(link, request.user):
                held.active.append(link)
        else:
            ended[link.notebook_id] = link_state
            record_refusal(link, link_state, request.user, "page load after the link ended")
    if keep != list(ids):
        session[SESSION_KEY] = keep
        session[ENDED_KEY] = {str(pk): str(why) for pk, why in list(ended.items())[-50:]}
    return held


def purge(retention_days: int, now: datetime | None = None) -> int:
    """Delete links (and their events) that ended more than ``retention_days`` ago."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    stale = ShareLink.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
    count = stale.count()
    stale.delete()
    return count


# Logging --------------------------------------------------------------------------------------

# Share links, and the account links (invites, e-mail verification, setup) beside them.
_TOKEN_IN_TEXT = re.compile(
    r"(/l/|/setup/|/accounts/invite/|/accounts/verify/)[A-Za-z0-9_:.-]{16,}"
)


def redact(text: str) -> str:
    return _TOKEN_IN_TEXT.sub(r"\1[redacted]", text)


class RedactShareTokens(logging.Filter):
    """Remove share tokens from log records ("Not Found: /l/<token>/" and the like)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_IN_TEXT.search(message):
            record.msg, record.args = redact(message), ()
        return True
