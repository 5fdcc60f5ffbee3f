"""Rate limits per client address and per account, answering 429 past a limit.

Each action (a *scope*: login, password_reset, signup, upload, comment, links, verify, api)
has two limits, read from settings as "count/period" with period s, m, h or d ("10/m": ten a
minute; an empty value turns that limit off):

- ``RATE_LIMIT_<SCOPE>``: per account. For a signed-in person that is their account; for a
  sign-in it is the username typed *from that address* (so one person's typos never lock out
  colleagues behind the same proxy); for a password reset or a sign-up it is the e-mail typed.
- ``RATE_LIMIT_<SCOPE>_IP``: per client address, set high enough for a whole office behind one
  NAT, low enough to stop one machine hammering.

Sign-in also has ``RATE_LIMIT_LOGIN_ACCOUNT``: attempts on one username from anywhere, against
guessing spread over many addresses.

Counts live in one table (``RateCounter``), one row per client and limit holding the count of
its current fixed time window, bumped with a single ``INSERT … ON CONFLICT DO UPDATE SET
hits = hits + 1 … RETURNING hits`` (back to 1 when a new window starts): atomic on SQLite and
PostgreSQL, so concurrent requests never both read the same count. Every limit a request counts
goes in that one statement (one row each), run in autocommit, or in a savepoint inside a
transaction. ``manage.py
purge_rate_counters`` (daily) deletes rows of clients not seen for a day.
A client's address is REMOTE_ADDR, or with RATE_LIMIT_PROXIES=n the n-th address from the end
of X-Forwarded-For (the one your own reverse proxy saw).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.shortcuts import render

from sharing.accounts.models import RateCounter

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Every scope with its per-account and per-address settings (checked by sharing.checks).
SCOPES = (
    "login",
    "password_reset",
    "signup",
    "verify",
    "upload",
    "comment",
    "links",
    "people",
    "invite",
)
logger = logging.getLogger(__name__)
_forwarded_warning = {"logged": False}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """ "10/m" -> Rate(10, 60); "100/5m" -> Rate(100, 300); "" -> None (no limit)."""
    if not text.strip():
        return None
    match = _RATE.fullmatch(text)
    if match is None or int(match[1]) < 1:
        raise ValueError(f"not a rate like 10/m: {text!r}")
    return Rate(int(match[1]), int(match[2] or 1) * _SECONDS[match[3]])


def setting_names() -> list[str]:
    names = []
    for scope in SCOPES:
        names += [f"RATE_LIMIT_{scope.upper()}", f"RATE_LIMIT_{scope.upper()}_IP"]
    return [*names, "RATE_LIMIT_LOGIN_ACCOUNT", "RATE_LIMIT_API"]


def rate_for(name: str) -> Rate | None:
    return parse_rate(getattr(settings, f"RATE_LIMIT_{name.upper()}", ""))


def client_address(request) -> str:
    proxies = settings.RATE_LIMIT_PROXIES
    forwarded_header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0:
        forwarded = [part.strip() for part in forwarded_header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    elif forwarded_header and not _forwarded_warning["logged"]:
        _forwarded_warning["logged"] = True
        logger.warning(
            "Requests carry X-Forwarded-For but RATE_LIMIT_PROXIES=0: every client behind "
            "your proxy shares one address's limits. Set RATE_LIMIT_PROXIES to the number of "
            "your reverse proxies."
        )
    return request.META.get("REMOTE_ADDR", "")


def account_of(request) -> str:
    """Who a request counts as: the signed-in account, or else the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_address(request)}"


def hit(name: str, request, who: str | None = None) -> int | None:
    """Count one request against limit ``name``; seconds to wait if past it, else None.

    ``who`` is what is counted (e.g. "user:42"); by default the client's address.
    """
    return _count([(name, client_address(request) if who is None else who)])


def limit(request, scope: str, account: str | None = None, extra=()) -> int | None:
    """Count one request of ``scope`` per address and per account; the longest wait, or None.

    Every limit is counted even when another one is already exceeded.
    """
    rules = [(f"{scope}_ip", client_address(request)), (scope, account or account_of(request))]
    return _count([*rules, *extra])


def _count(rules) -> int | None:
    """Count one hit on each (limit name, who) in one statement; the longest wait, or None."""
    now = time.time()
    windows: dict[str, tuple[Rate, int]] = {}  # counter key -> its rate, its window's end
    for name, who in rules:
        rate = rate_for(name)
        if rate is None:
            continue
        key = f"{name}:{hashlib.sha256(who.encode()).hexdigest()[:40]}"
        windows[key] = (rate, (int(now // rate.seconds) + 1) * rate.seconds)
    if not windows:
        return None
    ends = {key: window_ends for key, (_, window_ends) in windows.items()}
    try:
        if connection.in_atomic_block:
            # A savepoint, so a failure cannot poison the surrounding transaction (PostgreSQL).
            with transaction.atomic():
                counts = bump_many(ends)
        else:  # one statement in autocommit: atomic by itself
            counts = bump_many(ends)
    except DatabaseError:
        # A broken table must not take sign-in down; it is an installation error to fix.
        logger.exception("Rate limits are off: the counter table is missing; run migrate.")
        return None
    waits = [
        max(1, math.ceil(window_ends - now))
        for key, (rate, window_ends) in windows.items()
        if counts[key] > rate.count
    ]
    return max(waits) if waits else None


def bump(key: str, window_ends: int) -> int:
    """Count one hit on ``key`` in the window ending at ``window_ends``; the window's new count."""
    return bump_many({key: window_ends})[key]


def bump_many(windows: dict[str, int]) -> dict[str, int]:
    """Count one hit on each key in the window ending at its value; each window's new count.

    One statement, so no other request can slip between reading and writing a count.
    """
    table, key_, hits, ends = (
        connection.ops.quote_name(name)
        for name in (RateCounter._meta.db_table, "key", "hits", "window_ends")
    )
    rows = ", ".join(["(%s, 1, %s)"] * len(windows))
    params = [value for item in windows.items() for value in item]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {hits}, {ends}) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT ({key_}) DO UPDATE SET "
            f"{hits} = CASE WHEN {table}.{ends} = excluded.{ends} THEN {table}.{hits} + 1 "
            f"ELSE 1 END, {ends} = excluded.{ends} RETURNING {key_}, {hits}",
            params,
        )
        return dict(cursor.fetchall())


def purge(older_than: float = 86400) -> int:
    """Delete counters whose window ended more than ``older_than`` seconds ago."""
    deleted, _ = RateCounter.objects.filter(window_ends__lt=time.time() - older_than).delete()
    return deleted


def rate_limit(scope: str, methods: tuple[str, ...] | None = None, account=None):
    """Decorate a view: past a limit of ``scope`` it answers 429.

    ``account(request)`` may name what the per-account limit counts (default: the signed-in
    account, or the address).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if methods is None or request.method in methods:
                extra = ()
                who = None
                if account is not None:
                    who, extra = account(request)
                wait = limit(request, scope, who, extra)
                if wait is not None:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def login_account(request) -> tuple[str, tuple]:
    """Sign-in counts the username typed from this address, and that username from anywhere."""
    username = request.POST.get("username", "").strip().casefold()[:200]
    return f"login:{username}@{client_address(request)}", (("login_account", f"login:{username}"),)


def email_account(request) -> tuple[str, tuple]:
    """Password reset and sign-up count the e-mail address typed."""
    return f"email:{request.POST.get('email', '').strip().casefold()[:254]}", ()


def too_many_requests(request, wait: int):
    """The 429 page, or for a script (Accept: application/json) the same in the JSON form
    the page scripts read: ``{"errors": {"__all__": [{"message", "code"}]}}``."""
    if "application/json" in request.headers.get("Accept", ""):
        message = f"Too many attempts; wait {wait_text(wait)} and try again."
        error = {"message": message, "code": "rate_limited"}
        response = JsonResponse({"errors": {"__all__": [error]}}, status=429)
    else:
        response = render(request, "429.html", {"wait": wait_text(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response


def wait_text(wait: int) -> str:
    minutes = math.ceil(wait / 60)
    return f"{wait} seconds" if wait < 60 else f"{minutes} minute{'s' * (minutes > 1)}"
