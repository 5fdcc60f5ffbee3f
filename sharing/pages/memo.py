"""Repeat views of a page answered in front of the stack: one query decides, one records.

Notebook and version pages, the comments JSON and the dashboard's lists offer themselves. A
notebook page is made from the database: the person, their grants and groups, the notebook,
the version and its rendering, the comment threads, their follows and notices. The site's
generation (``sharing.pages.generation``) changes once any write to those tables commits, and
is read with the session row. So a page made for a request that read generation ``n`` is
still the page that request would get while the generation is ``n`` and the session row is
unchanged.

Each web process therefore keeps, for the pages that offer themselves (``offer``,
``offer_body``), the answer it sent: keyed by everything of the request the page can depend on
(host, scheme, path and query, the whole ``Cookie`` header, whether gzip is accepted), with the
generation and the session row it was made under. When the same request comes again, one query
reads the session row and the generation; if both are as they were, the kept answer goes out
(a ``304`` when the client holds its ETag), the view's audit event (if it records one) is
written as the view would have written it, and nothing else runs. If anything differs, the
entry is dropped and the request takes the whole way: the permission checks, the comments, the
template (and ``bodies``, which keeps a page by its ETag).

Only answers with nothing per request in them are kept: a signed-in person (no share link in
the session, no API token, no trusted header), a page with an ETag (its own, or one made from
the bytes kept) and no one-time messages, nothing on it that ends by the clock before the
``until`` it names (a listed share link's expiry), no cookie set by the response, the
browser's CSRF secret already held, the session unchanged. Everything those answers depend on
is in the key or in the check: another person, browser or session is another key; a signed-out
or expired session, a changed session (a message, a link used, a new sign-in) or any committed
write is a failed check.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone

from sharing import links
from sharing.audit import record as audit
from sharing.audit.models import AuditEvent
from sharing.pages import compress, conditional, generation
from sharing.pages.bounded import Bounded
from sharing.pages.prepared import ASYNC_COMMIT, commits_alone, execute

_ENTRY_COST = 2048  # the key (a whole Cookie header), the headers, the event
_PER_REQUEST = frozenset({"id", "at", "ip_address", "user_agent", "request_id"})
_NOT_IN_304 = frozenset({"content-length", "content-type", "content-encoding"})
_CHECK_SQL = (
    f"SELECT session_data, {generation.CURRENT_SQL} AS generation "  # noqa: S608
    "FROM sharing_usersession "
    "WHERE session_key = %s AND expire_date > %s"
)


@dataclass(frozen=True)
class Entry:
    generation: int
    session_key: str
    session_data: str
    etag: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None  # None: only a 304 was sent, so only a 304 can be sent again
    renews_csrf: bool  # the answer sent the CSRF cookie again
    event: dict | None  # the view's audit event, but for what each request brings
    until: datetime | None  # something on the page ends by the clock then


@dataclass(frozen=True)
class Offer:
    etag: str | None  # None: made from the answer's bytes when it is kept
    event: AuditEvent | None
    until: datetime | None


_entries = Bounded(settings.PAGE_BODY_CACHE_MB * 1024 * 1024)


def offer(
    request, etag: str, event: AuditEvent | None = None, until: datetime | None = None
) -> None:
    """The view's answer may be kept: it is made of the database and the request only (and
    of the clock, up to ``until``: a share link listed that expires then, say); ``event`` is
    the one audit event it records, if any."""
    request._page_memo_offer = Offer(etag, event, until)


def offer_body(request, until: datetime | None = None) -> None:
    """The same for a page without an ``ETag`` of its own: a kept answer gets one made from
    its bytes (the memo only ever sends those very bytes again), so a browser holding them is
    answered ``304`` by the memo. The page itself sends ``Cache-Control: no-cache``."""
    request._page_memo_offer = Offer(None, None, until)


def withdraw(request) -> None:
    """The answer may not be kept after all (a rendering still to come, say)."""
    request._page_memo_offer = None


class PageMemoMiddleware:
    """Answers a kept page after one query; keeps the pages that offer themselves."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        key = _key(request)
        entry = _entries.get(key)
        if entry is not None:
            entry = entry[0]
            answer = _answer(request, entry) if _can_answer(request, entry) else None
            if answer is not None:
                return answer
        response = self.get_response(request)
        _keep(request, key, response)
        return response


def clear() -> None:
    """Forget every kept answer (tests)."""
    _entries.clear()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _entries.clear()


def _eligible(request) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not settings.TRUSTED_HEADER
    )


def _key(request) -> tuple:
    return (
        request.META.get("HTTP_HOST", ""),
        request.is_secure(),
        request.get_full_path(),
        request.META.get("HTTP_COOKIE", ""),
        compress.accepts_gzip(request),
    )


def _can_answer(request, entry: Entry) -> bool:
    return entry.body is not None or conditional.holds(request, entry.etag)


def _answer(request, entry: Entry):
    """The kept answer, if the session and the generation are still what it was made with."""
    if entry.until is not None and timezone.now() >= entry.until:
        return None
    event = None
    if entry.event is not None:
        fields = {**entry.event, "details": dict(entry.event["details"])}
        event = AuditEvent(**fields, **audit.request_fields(request))
    try:
        if not _still_current(connections[DEFAULT_DB_ALIAS], entry, event):
            return None
    except DatabaseError:
        return None  # the whole way will say what is wrong
    if conditional.holds(request, entry.etag):
        response = HttpResponseNotModified()
        headers = [(k, v) for k, v in entry.headers if k.lower() not in _NOT_IN_304]
    else:
        response = HttpResponse(entry.body)
        headers = entry.headers
    for name, value in headers:
        response[name] = value
    if entry.renews_csrf:
        _renew_csrf_cookie(request, response)
    return response


def _still_current(connection, entry: Entry, event: AuditEvent | None) -> bool:
    """Whether the session row and the generation are those ``entry`` was made with; if so,
    ``event`` (if any) is recorded. One statement on PostgreSQL; a check, then the insert,
    elsewhere."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    made = (entry.session_data, entry.generation)
    if event is None or connection.vendor != "postgresql":
        rows = _run(connection, _CHECK_SQL, [entry.session_key, now])
        if not rows or tuple(rows[0]) != made:
            return False
        if event is not None:
            audit.write([event])
        return True
    synchronous = audit.durable([event]) or not commits_alone(connection)
    key = (connection.alias, synchronous)
    sql, fields = _RECORDING.get(key) or _recording_sql(connection, synchronous)
    values = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    rows = _run(connection, sql, [entry.session_key, now, *values, *made])
    if not rows or rows[0][2] is None:
        return False
    event.pk = rows[0][2]
    audit.log(event)
    return True


def _run(connection, sql: str, params: list) -> list[tuple]:
    # On PostgreSQL an error must not end the transaction around the statement, if any.
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with transaction.atomic():
            return execute(connection, sql, params)
    return execute(connection, sql, params)


_RECORDING: dict[tuple[str, bool], tuple[str, list]] = {}


def _recording_sql(connection, synchronous: bool) -> tuple[str, list]:
    """The check and the event's INSERT in one statement: the row goes in only if the
    session row and the generation match (each value cast to its column's type); committed
    without waiting for the disk unless ``synchronous``."""
    opts = AuditEvent._meta
    fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in fields)
    sql = (
        f"WITH s AS ({_CHECK_SQL}), "  # noqa: S608 (names of our own table and columns)
        f"recorded AS (INSERT INTO {quote(opts.db_table)} ({columns}) SELECT {values} FROM s "
        "WHERE s.session_data = %s AND s.generation = %s RETURNING id) "
        "SELECT s.session_data, s.generation, (SELECT id FROM recorded)"
        f"{'' if synchronous else ', ' + ASYNC_COMMIT} FROM s"
    )
    _RECORDING[(connection.alias, synchronous)] = (sql, fields)
    return sql, fields


def _keep(request, key: tuple, response) -> None:
    made = getattr(request, "_page_memo_offer", None)
    if (
        made is None
        or response.status_code not in (200, 304)
        or response.streaming
        or not _only_csrf_renewed(request, response)
    ):
        return
    if made.etag is None:  # an ETag made from the bytes, set below if the answer is kept
        if response.status_code != 200 or response.has_header("ETag"):
            return
    elif response.get("ETag") != made.etag:
        return
    session = getattr(request, "session", None)
    if session is None or not session.accessed or session.modified:
        return
    data, stamp = getattr(session, "stored_data", None), getattr(session, "generation", None)
    if (
        data is None
        or stamp is None
        or session.session_key != request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    ):
        return
    if not request.user.is_authenticated or _holds_links(session):
        return
    if settings.CSRF_COOKIE_NAME not in request.COOKIES:
        return
    body = response.content if response.status_code == 200 else None
    if made.etag is None:
        response["ETag"] = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    entry = Entry(
        generation=int(stamp),
        session_key=session.session_key,
        session_data=data,
        etag=response["ETag"],
        headers=tuple(response.items()),
        body=body,
        renews_csrf=bool(response.cookies),
        event=_fixed_fields(made.event) if made.event is not None else None,
        until=made.until,
    )
    _entries.pop(key)
    _entries.put(key, entry, len(body or b"") + _ENTRY_COST)


def _only_csrf_renewed(request, response) -> bool:
    """No cookie set but the browser's own CSRF secret, sent again (as Django does whenever a
    page uses it) to renew its expiry: a hit renews it the same way."""
    cookies = response.cookies
    if not cookies:
        return True
    name = settings.CSRF_COOKIE_NAME
    return set(cookies) == {name} and cookies[name].value == request.COOKIES.get(name)


def _renew_csrf_cookie(request, response) -> None:
    """What ``CsrfViewMiddleware`` does for a page that used the secret."""
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        request.COOKIES[settings.CSRF_COOKIE_NAME],
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )


def _holds_links(session) -> bool:
    return bool(session.get(links.SESSION_KEY) or session.get(links.ENDED_KEY))


def _fixed_fields(event: AuditEvent) -> dict:
    fields = {
        field.attname: getattr(event, field.attname)
        for field in AuditEvent._meta.concrete_fields
        if field.attname not in _PER_REQUEST
    }
    fields["details"] = dict(fields["details"] or {})
    return fields
