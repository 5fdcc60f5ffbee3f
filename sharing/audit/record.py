"""``record(...)``: the one entry point that writes audit events.

During a request (``AuditMiddleware``) events are kept on the request and written together
after the response is made: one INSERT for the whole page, however many events it had.
Outside a request (management commands, the shell) each event is written at once.

A failing write never costs the person their action: the error is logged, and each event
was already sent to the ``notebookshare.audit`` logger as one JSON line. Inside a
transaction the INSERT runs in a savepoint, so a failure cannot poison the transaction
(PostgreSQL refuses every later statement of a transaction that saw an error).
"""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.http import HttpRequest

from sharing.audit.models import Action, ActorKind, AuditEvent, Outcome
from sharing.models import Notebook
from sharing.pages.prepared import PreparedInsert
from sharing.ratelimit import client_address

logger = logging.getLogger("notebookshare.audit")  # one JSON line per event
error_logger = logging.getLogger("notebookshare.audit.errors")
_INSERT = PreparedInsert(AuditEvent)

# The event every page view records: committed without waiting for the disk (PostgreSQL's
# asynchronous commit) unless AUDIT_DURABLE_VIEWS is set; every other event waits for it.
VIEW_ACTIONS = frozenset({Action.NOTEBOOK_VIEWED})

USER_AGENT_LENGTH = 300
TITLE_LENGTH = 200


@dataclass(frozen=True)
class Actor:
    kind: str
    user_id: int | None = None
    name: str = ""
    ref: str = ""

    @classmethod
    def of_user(cls, user) -> Actor:
        if user is None or not user.is_authenticated:
            return cls(ActorKind.ANONYMOUS)
        return cls(ActorKind.USER, user.pk, user.get_username())

    @classmethod
    def of_token(cls, token) -> Actor:
        return cls(ActorKind.TOKEN, token.user_id, token.user.get_username(), token.prefix)

    @classmethod
    def of_link(cls, link, user=None) -> Actor:
        person = user if user is not None and user.is_authenticated else None
        name = person.get_username() if person else ""
        return cls(ActorKind.LINK, person.pk if person else None, name, str(link.pk))

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)


@dataclass(frozen=True)
class Target:
    """What an event is about, when it is not one of our models."""

    type: str
    id: str
    title: str = ""


@dataclass
class Pending:
    """The events of the request being served, written after its response."""

    request: HttpRequest
    events: list[AuditEvent] = field(default_factory=list)


_pending: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
    "audit_pending", default=None
)


def current_request() -> HttpRequest | None:
    pending = _pending.get()
    return pending.request if pending else None


def actor_of(request: HttpRequest | None, link=None) -> Actor:
    """Who is acting: the API token, the signed-in person, the share link, or nobody known."""
    if request is None:
        return Actor.system()
    token = getattr(request, "api_token", None)
    if token is not None:
        return Actor.of_token(token)
    user = getattr(request, "user", None)
    if link is not None:
        return Actor.of_link(link, user)
    return Actor.of_user(user)


def record(
    action: Action,
    *,
    obj: Model | Target | None = None,
    notebook=None,
    version: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    details: dict | None = None,
    actor: Actor | None = None,
    link=None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record one event. The actor, address, user agent and request id come from the request
    being served unless given; with no request the actor is the system."""
    request = request or current_request()
    actor = actor or actor_of(request, link)
    notebook_id = notebook.pk if notebook is not None else _notebook_id_of(obj)
    object_type, object_id, object_title = _describe(obj)
    event = AuditEvent(
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_name=actor.name[:150],
        actor_ref=actor.ref[:64],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_title=object_title,
        notebook_id=notebook_id,
        version=version,
        outcome=outcome,
        details=details or {},
        **request_fields(request),
    )
    pending = _pending.get()
    if pending is not None and (request is None or pending.request is request):
        pending.events.append(event)
    else:
        write([event])
    return event


def _notebook_id_of(obj) -> int | None:
    """The notebook an object belongs to, read from the row itself (never a query)."""
    if isinstance(obj, Notebook):
        return obj.pk
    return getattr(obj, "notebook_id", None)


def _describe(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, Target):
        return obj.type[:40], str(obj.id)[:64], obj.title[:TITLE_LENGTH]
    return obj._meta.model_name, str(obj.pk), str(obj)[:TITLE_LENGTH]


def request_fields(request: HttpRequest | None) -> dict:
    """What each request brings to its events: the address, the browser, the request id."""
    if request is None:
        return {}
    return {
        "ip_address": _valid_ip(client_address(request)),
        "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_LENGTH],
        "request_id": getattr(request, "id", "")[:64],
    }


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


# Writing -------------------------------------------------------------------------------------


def as_dict(event: AuditEvent) -> dict:
    """An event as plain data: the logger's JSON line and each line of the JSON export."""
    return {
        "id": event.pk,
        "at": event.at.isoformat(),
        "actor_kind": event.actor_kind,
        "actor_user_id": event.actor_user_id,
        "actor": event.actor_name,
        "actor_ref": event.actor_ref,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_title": event.object_title,
        "notebook_id": event.notebook_id,
        "version": event.version,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
        "outcome": event.outcome,
        "details": event.details,
    }


def log(event: AuditEvent) -> None:
    """The event's JSON line in the ``notebookshare.audit`` log."""
    logger.info(json.dumps(as_dict(event), default=str, sort_keys=True))


def write(events: list[AuditEvent], using: str = DEFAULT_DB_ALIAS) -> bool:
    """Store ``events`` in one INSERT; False (and an error logged) if the database refused."""
    if not events:
        return True
    for event in events:
        log(event)
    try:
        if connections[using].in_atomic_block:
            with transaction.atomic(using=using):
                _insert(events, using)
        else:
            _insert(events, using)
    except Exception:  # an audit failure must never undo or break the action itself
        error_logger.exception(
            "Could not store %d audit event(s); they are in the audit log lines only",
            len(events),
        )
        return False
    return True


def durable(events: list[AuditEvent]) -> bool:
    """Whether writing ``events`` must wait for the disk: always, but for page views."""
    return settings.AUDIT_DURABLE_VIEWS or any(e.action not in VIEW_ACTIONS for e in events)


def _insert(events: list[AuditEvent], using: str) -> None:
    if len(events) == 1:  # a page view's one event: compiled once, prepared on PostgreSQL
        _INSERT.insert(events[0], using, synchronous=durable(events))
    else:
        AuditEvent.objects.using(using).bulk_create(events)


def start(request: HttpRequest) -> contextvars.Token:
    return _pending.set(Pending(request))


def finish(token: contextvars.Token, failed: bool) -> None:
    """Write what the request recorded; after a server error, its events say it failed."""
    pending = _pending.get()
    _pending.reset(token)
    if pending is None:
        return
    if failed:
        for event in pending.events:
            if event.outcome == Outcome.SUCCESS:
                event.outcome = Outcome.FAILURE
    write(pending.events)
