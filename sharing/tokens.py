"""Personal API tokens: made with ``secrets``, stored as a hash, checked in constant time.

A token reads ``nbs_<prefix>_<secret>``. The prefix (8 random characters) is stored as it is
so that the row can be found and shown in lists; the secret (32 random bytes, 256 bits) is
never stored: only the SHA-256 of the whole token is. A fast hash is enough because the
secret is random and long, as for healthchecks' API keys and GitHub's tokens; a password hash
would only slow down every API call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.debug import SafeExceptionReporterFilter

from sharing.audit import record as audit
from sharing.audit.models import Action
from sharing.models import ApiToken

SCHEME = "nbs"
PREFIX_LENGTH = 8
SECRET_BYTES = 32
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
TOKEN_PATTERN = re.compile(rf"^{SCHEME}_([a-z0-9]{{{PREFIX_LENGTH}}})_([A-Za-z0-9_-]{{43}})$")
MAX_NAME_LENGTH = 100
# Writing "last used" on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The audit log says a token was used at most once an hour, written with "last used".
AUDIT_USE_RESOLUTION = timedelta(hours=1)


@dataclass(frozen=True)
class NewToken:
    """A freshly made token: ``raw`` is shown to its owner once and then forgotten."""

    token: ApiToken
    raw: str


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user, name: str, expires_days: int | None) -> NewToken:
    """Make a token for ``user``; ``expires_days=None`` makes one that never expires."""
    name = name.strip()[:MAX_NAME_LENGTH] or "API token"
    expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
    for _attempt in range(5):
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        raw = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    token_hash=hash_token(raw),
                    expires_at=expires_at,
                )
        except IntegrityError:  # the prefix is taken: draw another
            continue
        audit.record(
            Action.TOKEN_CREATED,
            obj=token,
            details={"owner": user.get_username(), "expires_at": _iso(expires_at)},
        )
        return NewToken(token, raw)
    raise RuntimeError("Could not draw an unused token prefix.")


def status(token: ApiToken, now=None) -> str:
    """ "active", "expired" or "revoked"."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def is_usable(token: ApiToken, now=None) -> bool:
    return status(token, now) == "active"


def authenticate(raw: str) -> ApiToken | None:
    """The live token ``raw`` stands for, with its active user; None for anything else.

    Malformed, unknown, revoked and expired tokens, and tokens of deactivated people, all
    give None. The secret is compared with ``hmac.compare_digest``.
    """
    match = TOKEN_PATTERN.match(raw)
    if match is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=match.group(1)).first()
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(raw)):
        return None
    now = timezone.now()
    if not is_usable(token, now) or not token.user.is_active:
        return None
    changes = {}
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        changes["last_used_at"] = now
    audit_due = token.last_audited_at is None or (
        now - token.last_audited_at >= AUDIT_USE_RESOLUTION
    )
    if audit_due:
        changes["last_audited_at"] = now
    if changes:
        # One UPDATE for both times; of calls racing for the hour's audit event, one wins it.
        rows = ApiToken.objects.filter(pk=token.pk)
        if audit_due:
            rows = rows.filter(last_audited_at=token.last_audited_at)
        won = rows.update(**changes)
        for name, value in changes.items():
            setattr(token, name, value)
        if audit_due and won:
            audit.record(Action.TOKEN_USED, obj=token, actor=audit.Actor.of_token(token))
    return token


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def revoke(token: ApiToken) -> None:
    """Stop ``token`` working at once. The row stays, so its owner sees when it was revoked."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(Action.TOKEN_REVOKED, obj=token, details={"owner": token.user.get_username()})


def tokens_of(user):
    return ApiToken.objects.filter(user=user)


def default_expiry_days() -> int | None:
    return settings.API_TOKEN_DEFAULT_EXPIRY_DAYS or None


class TokenHidingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (DEBUG pages, e-mails to ADMINS) hide the Authorization header too."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE", flags=re.IGNORECASE
    )
