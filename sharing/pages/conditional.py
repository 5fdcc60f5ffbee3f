"""Validators for per-person pages: an ETag made of everything the person sees.

A page's ETag hashes the parts that decide its body: the person and their menu, their CSRF
secret (a hash of it), their permissions on the notebook, the notebook, the version, its
rendering, the comment threads as that person sees them, and the build of the templates and
static files. Anything that changes one of those changes the ETag, so a ``304`` is only ever
the answer to the same person asking for the same page after the same permission check.
Pages carrying one-time messages get no ETag. No ``Last-Modified``: a role change has no
date, and a client sending only ``If-Modified-Since`` would keep a page it may no longer see.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags

from sharing.rendering import renderer


@cache
def build() -> str:
    """A digest of the templates and the static manifest: a new release, new ETags."""
    digest = hashlib.sha256(renderer.RENDERER_VERSION.encode())
    for directory in [Path(settings.BASE_DIR) / "templates"]:
        for path in sorted(directory.rglob("*.html")):
            digest.update(path.name.encode() + path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def person_parts(request) -> tuple:
    """What of the person shows on every page: who, their menu, their CSRF secret."""
    user = request.user
    get_token(request)  # the secret the page's forms will carry, made now if it is new
    csrf = request.META.get("CSRF_COOKIE") or ""
    csrf_digest = (
        salted_hmac("sharing.pages.csrf", csrf, algorithm="sha256").hexdigest()[:16] if csrf else ""
    )
    if not user.is_authenticated:
        return ("anonymous", csrf_digest)
    return (user.pk, user.get_username(), user.is_staff, user.is_superuser, csrf_digest)


def one_time_messages(request) -> bool:
    """Whether the page carries one-time messages ("Notebook renamed."): never the same twice."""
    return bool(len(get_messages(request)))


def page_etag(request, *parts) -> str | None:
    """A weak ETag for this person's view of a page made from ``parts``, or None when the
    page carries one-time messages."""
    if one_time_messages(request):
        return None
    site = (settings.SITE_NAME, settings.SIGNUP_ENABLED)
    text = repr((build(), site, person_parts(request), parts))
    return 'W/"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def not_modified(request, etag: str | None):
    """A 304 if the client already holds ``etag``, else None."""
    if etag is None or request.method not in ("GET", "HEAD") or not holds(request, etag):
        return None
    response = HttpResponseNotModified()
    mark(response, etag)
    return response


def holds(request, etag: str) -> bool:
    """Whether the client's ``If-None-Match`` names ``etag`` (weakly compared)."""
    held = request.headers.get("If-None-Match")
    if not held:
        return False
    return held.strip() == "*" or _opaque(etag) in {_opaque(tag) for tag in parse_etags(held)}


def mark(response, etag: str | None):
    """Headers every per-person page carries: private, revalidated each time."""
    if etag is not None:
        response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    return response


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")
