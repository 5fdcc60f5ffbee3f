"""Per-client rate limits (sign-in, share links), answering 429 past the limit.

Limits come from settings named ``RATE_LIMIT_<SCOPE>`` as "count/period" with period s, m, h
or d ("10/m": ten a minute); an empty value turns a limit off. Counts live in the "ratelimit"
cache, a database table shared by every web process, in fixed windows. A client is its
address: REMOTE_ADDR, or with RATE_LIMIT_PROXIES=n the n-th address from the end of
X-Forwarded-For (the one your own reverse proxy saw).
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
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.shortcuts import render

CACHE_ALIAS = "ratelimit"
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
logger = logging.getLogger(__name__)


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


def rate_for(scope: str) -> Rate | None:
    return parse_rate(getattr(settings, f"RATE_LIMIT_{scope.upper()}", ""))


def client_address(request) -> str:
    proxies = settings.RATE_LIMIT_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hit(scope: str, request, who: str | None = None) -> int | None:
    """Count one request; the seconds to wait if the client is past its limit, else None.

    ``who`` is what is counted (e.g. "user:42" for a signed-in caller); by default the client's
    address.
    """
    rate = rate_for(scope)
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.seconds)
    who = client_address(request) if who is None else who
    client = hashlib.sha256(who.encode()).hexdigest()[:32]
    key = f"{scope}:{client}:{window}"
    try:
        # A savepoint, so a failure cannot poison a surrounding transaction (PostgreSQL).
        with transaction.atomic():
            count = _count(caches[CACHE_ALIAS], key, rate.seconds + 1)
    except DatabaseError:
        # A missing table must not take sign-in down; it is an installation error to fix.
        logger.exception("Rate limits are off: run `manage.py createcachetable`.")
        return None
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))


def _count(cache, key: str, timeout: int) -> int:
    # Read, then write with the window's timeout (cache.incr would reset it to the cache's
    # default): two round trips where add + incr took three.
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout=timeout)
    return count


def rate_limit(scope: str, methods: tuple[str, ...] | None = None):
    """Decorate a view: past the client's limit for ``scope`` it answers 429."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if methods is None or request.method in methods:
                wait = hit(scope, request)
                if wait is not None:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def too_many_requests(request, wait: int):
    minutes = math.ceil(wait / 60)
    context = {"wait": f"{wait} seconds" if wait < 60 else f"{minutes} minute{'s' * (minutes > 1)}"}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
