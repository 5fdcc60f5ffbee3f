"""Sign-in by a header that an authenticating proxy sets (REMOTE_USER style). Off by default.

``TRUSTED_HEADER`` names the header (e.g. ``X-Forwarded-User``); it is honoured only on
connections from ``TRUSTED_HEADER_PROXIES`` (addresses or networks of the proxy itself, the
connection's own address, never X-Forwarded-For), and ignored from anywhere else. The value
is a username; unknown ones get an account when ``TRUSTED_HEADER_CREATE_USERS`` is on.
Deactivated accounts are refused like everywhere else.
"""

from __future__ import annotations

import functools
import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import RemoteUserMiddleware
from django.core.exceptions import ValidationError

from sharing.accounts.usernames import validate_username

logger = logging.getLogger(__name__)
MAX_USERNAME = 150


def meta_key(header: str) -> str:
    """``X-Forwarded-User`` -> ``HTTP_X_FORWARDED_USER``, as Django names request headers."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


@functools.lru_cache(maxsize=8)
def proxy_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in proxies)


def from_proxy(request) -> bool:
    """Whether the connection itself comes from a trusted proxy (never a forwarded address)."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in proxy_networks(tuple(settings.TRUSTED_HEADER_PROXIES)))


class TrustedHeaderMiddleware(RemoteUserMiddleware):
    """Django's RemoteUserMiddleware, reading the header only from a trusted proxy."""

    def process_request(self, request):
        if settings.TRUSTED_HEADER:  # off: nothing to do, and request.user stays lazy
            super().process_request(request)

    async def aprocess_request(self, request):
        if settings.TRUSTED_HEADER:
            await super().aprocess_request(request)

    def get_username(self, request):
        header = meta_key(settings.TRUSTED_HEADER)
        if not from_proxy(request):
            if header in request.META:
                logger.warning(
                    "Ignored %s from %s: not a trusted proxy",
                    settings.TRUSTED_HEADER,
                    request.META.get("REMOTE_ADDR"),
                )
            raise KeyError(header)  # as if it were absent
        return request.META[header]


class TrustedHeaderBackend(RemoteUserBackend):
    @property
    def create_unknown_user(self) -> bool:
        return settings.TRUSTED_HEADER_CREATE_USERS

    def clean_username(self, username: str) -> str:
        username = username.strip()
        if not username or len(username) > MAX_USERNAME:
            return ""
        try:
            validate_username(username)
        except ValidationError:
            return ""
        return username

    def authenticate(self, request, remote_user):
        if not remote_user or not self.clean_username(remote_user):
            return None
        return super().authenticate(request, remote_user)

    def configure_user(self, request, user, created=True):
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user
