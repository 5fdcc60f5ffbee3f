"""Who is calling: a personal token (``Authorization: Bearer``) or the browser's session.

Either way ``request.user`` ends up being the caller before any view runs, so that
``sharing.permissions`` (which reads ``request.user``) applies exactly the web pages' rules.
A request that sends an Authorization header is judged by it alone: a bad token is a 401 even
if a session cookie came along. Session requests that change something need the CSRF token,
as forms do; token requests do not (a browser never adds the header by itself).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import BaseThrottle
from ninja.utils import check_csrf

from sharing import ratelimit, tokens
from sharing.api.errors import ApiError
from sharing.permissions import Access

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _become(request: HttpRequest, user) -> None:
    request.user = user
    # Access caches the permissions of request.user; never let one computed for another
    # user (e.g. the anonymous session user) answer for this one.
    request._notebook_access = None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer nbs_…``: a personal API token."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization")
        if header is None:
            return None  # let the session try
        scheme, _, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            # Never log or echo the header: it may hold a secret sent the wrong way.
            raise ApiError(
                401, "Use the header Authorization: Bearer <token>.", "invalid_authorization"
            )
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str):
        found = tokens.authenticate(token)
        if found is None:
            raise ApiError(
                401,
                "The token is not valid: it may be mistyped, expired or revoked.",
                "invalid_token",
            )
        _become(request, found.user)
        # A token speaks for its owner alone: share links held by a browser session that
        # came along with the request lend nothing to it.
        request._notebook_access = Access(found.user)
        request.api_token = found
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # csrf=True also makes the interactive docs send the page's CSRF token.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Ninja would check CSRF here, before knowing whether anyone is signed in (making an
        # anonymous POST a 403 rather than a 401); ``authenticate`` checks it afterwards.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return None
        if request.method in UNSAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(
                403,
                "CSRF check failed: send the X-CSRFToken header, or use a token.",
                "csrf_failed",
            )
        _become(request, user)
        request.api_token = None
        return user


class CallerRateThrottle(BaseThrottle):
    """RATE_LIMIT_API requests per caller (e.g. "600/m"), read at each request.

    Counted in the shared rate-limit store (``sharing.ratelimit``, a database cache every web
    process uses), so the limit holds for the whole site, not per process. Ninja runs this
    after authentication: the caller is the token's owner or the signed-in person.
    """

    def __init__(self) -> None:
        # One instance serves every request: keep the answer per thread, for ``wait``.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        who = f"user:{user.pk}" if user is not None and user.is_authenticated else None
        self._local.wait = ratelimit.hit("api", request, who)
        return self._local.wait is None

    def wait(self) -> int | None:
        return getattr(self._local, "wait", None)


AUTH = [TokenAuth(), SessionAuth()]
