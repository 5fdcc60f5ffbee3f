"""Whole notebook pages kept per process by their ETag: a repeat view costs its checks only.

A page's ETag (``conditional.page_etag``) hashes everything its body is made from, for this
person: who they are and their CSRF secret, their permissions, the notebook, the version, its
rendering, the comment threads as they see them, and the build. The same ETag on the same path
means the same body: that is what a ``304`` already relies on. So each process keeps the bodies
it sent, keyed by ETag, path and encoding, up to PAGE_BODY_CACHE_MB; the next view of an
unchanged page, after the same permission check and the same queries that make its ETag, sends
the kept bytes instead of rendering the template again.

Anything the person sees changing is another ETag, so a kept body is never stale, and the ETag
names the person, so it is never another person's. Pages without an ETag (one-time messages)
are never kept, nor pages for a browser that has just been given its CSRF secret (a secret
that no other request will ever carry). Every render still draws a new CSRF mask and new gzip
padding (``compress``); a kept body repeats one render byte for byte, which tells an observer
nothing a second copy of the same bytes would not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse

from sharing.pages import compress
from sharing.pages.bounded import Bounded

_ENTRY_COST = 512  # the key, the object and the dictionary slot, roughly


@dataclass(frozen=True)
class Body:
    content: bytes
    gzipped: bool
    has_charts: bool


_bodies = Bounded(settings.PAGE_BODY_CACHE_MB * 1024 * 1024)


def _key(request, etag: str, gzipped: bool) -> tuple:
    return (etag, request.get_full_path(), gzipped)


def find(request, etag: str | None, gzipped: bool) -> Body | None:
    """The body this process sent for ``etag`` on this path and encoding, if it kept it."""
    if etag is None:
        return None
    found = _bodies.get(_key(request, etag, gzipped))
    return found[0] if found is not None else None


def keep(request, etag: str | None, response: HttpResponse, has_charts: bool) -> None:
    """Keep the body of a page just made for ``etag``, unless nothing could ever ask again."""
    if etag is None:
        return
    if settings.CSRF_COOKIE_NAME not in request.COOKIES:  # a secret made for this response
        return
    gzipped = response.get("Content-Encoding") == "gzip"
    body = Body(response.content, gzipped, has_charts)
    _bodies.put(_key(request, etag, gzipped), body, len(body.content) + _ENTRY_COST)


def response(body: Body) -> HttpResponse:
    """A new response carrying a kept body, with the headers its first response had."""
    sent = HttpResponse(body.content)
    return compress.mark_gzipped(sent) if body.gzipped else sent


def clear() -> None:
    """Forget every kept page (tests)."""
    _bodies.clear()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    """A page is made under the site's settings: tests that change one see new pages."""
    _bodies.clear()
