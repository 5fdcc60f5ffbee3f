"""Sign-in by a header that an authenticating proxy sets (REMOTE_USER style). Off by default.

``TRUSTED_HEADER`` names the header (e.g. ``X-Forwarded-User``); it is honoured only on
connections from ``TRUSTED_HEADER_PROXIES`` (addresses or networks of the proxy itself, the
connection's own address, never X-Forwarded-For), and ignored from anywhere else. The value
is a username; unknown ones get an account when ``TRUSTED_HEADER_CREATE_USERS`` is on.
Deactivated accounts are refused like everywhere else.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import RemoteUserMiddleware
from django.core.exceptions import MiddlewareNotUsed, ValidationError

from sharing.accounts.usernames import validate_username

logger = logging.getLogger(__name__)
MAX_USERNAME = 150


def meta_key(header: str) -> str:
    """``X-Forwarded-User`` -> ``HTTP_X_FORWARDED_USER``, as Django names request headers."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def proxy_networks() -> list:
    return [ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_HEADER_PROXIES]


def from_proxy(request, networks) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


class TrustedHeaderMiddleware(RemoteUserMiddleware):
    def __init__(self, get_response):
        if not settings.TRUSTED_HEADER:
            raise MiddlewareNotUsed
        super().__init__(get_response)
        self.header = meta_key(settings.TRUSTED_HEADER)
        self.networks = proxy_networks()

    def get_username(self, request):
        if not from_proxy(request, self.networks):
            if self.header in request.META:
                logger.warning(
                    "Ignored %s from %s: not a trusted proxy",
                    settings.TRUSTED_HEADER,
                    request.META.get("REMOTE_ADDR"),
                )
            raise KeyError(self.header)  # as if it were absent
        return request.META[self.header]


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
