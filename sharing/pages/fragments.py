"""Rendered notebook HTML, fetched by key and kept compressed once per process.

A ready rendering never changes (a new renderer version or new content is another row), so a
process keeps the most recently shown ones, up to PAGE_FRAGMENT_CACHE_MB, each with its
deflate stream made once: a page view then compresses only what is around the notebook.
The version lists of notebooks are kept the same way, keyed by the notebook's latest version
(versions are never changed or removed one by one, only added).
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery

from sharing.models import NotebookVersion, Rendering
from sharing.pages.bounded import Bounded
from sharing.rendering import renderer
from sharing.rendering.charts.collect import split_data

LEVEL = 6
# Where the notebook goes in a rendered page template: unguessable, so no content can fake it.
FRAGMENT_MARK = f"<!--notebook-{secrets.token_hex(16)}-->"


@dataclass(frozen=True)
class Fragment:
    """One ready rendering: its HTML, as UTF-8 and as a raw deflate stream (sync-flushed,
    not final) that can sit between two other deflate streams in one gzip member."""

    key: tuple
    html: str
    encoded: bytes
    deflated: bytes
    crc32: int
    has_charts: bool = False

    @classmethod
    def of(cls, key: tuple, html: str, has_charts: bool = False) -> Fragment:
        encoded = html.encode("utf-8")
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated = compressor.compress(encoded) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return cls(key, html, encoded, deflated, zlib.crc32(encoded), has_charts)

    @property
    def cost(self) -> int:
        return len(self.encoded) * 2 + len(self.deflated)  # the str and both byte strings


_fragments = Bounded(settings.PAGE_FRAGMENT_CACHE_MB * 1024 * 1024)
_version_lists = Bounded(4096)  # entries, not bytes: each costs 1


def rendering_columns() -> tuple[tuple, Callable[[], dict]]:
    """Columns for ``permissions.get_shown_version_or_404``: the version's rendering's id,
    status and change time, read in the same query (the HTML itself is fetched by key)."""
    version = renderer.RENDERER_VERSION
    return (("rendering", version), lambda: _rendering_annotations(version))


def _rendering_annotations(renderer_version: str) -> dict:
    rendering = Rendering.objects.filter(
        content_sha256=OuterRef("content_sha256"), renderer_version=renderer_version
    )
    return {
        "rendering_id": Subquery(rendering.values("pk")[:1]),
        "rendering_status": Subquery(rendering.values("status")[:1]),
        "rendering_updated": Subquery(rendering.values("updated_at")[:1]),
    }


def ready_fragment(version: NotebookVersion) -> Fragment | None:
    """The version's ready rendering (annotated by ``rendering_columns``), or None."""
    if getattr(version, "rendering_status", None) != Rendering.Status.READY:
        return None
    key = (version.rendering_id, version.rendering_updated, settings.INTERACTIVE_OUTPUTS)
    cached = _fragments.get(key)
    if cached is not None:
        return cached[0]
    html = (
        Rendering.objects.filter(pk=version.rendering_id, status=Rendering.Status.READY)
        .values_list("html", flat=True)
        .first()
    )
    if html is None:  # changed since the version was read
        return None
    # The chart data element stays at the end of the notebook's HTML, or goes when interactive
    # outputs are off.
    notebook_html, chart_data = split_data(html)
    if not settings.INTERACTIVE_OUTPUTS:
        chart_data = ""
    fragment = Fragment.of(key, notebook_html + chart_data, has_charts=bool(chart_data))
    _fragments.put(key, fragment, fragment.cost)
    return fragment


def version_list(notebook) -> list[NotebookVersion]:
    """Every version of ``notebook``, newest first, with what the version list shows."""
    key = (notebook.pk, notebook.created_at, notebook.latest_version_id)
    cached = _version_lists.get(key)
    if cached is not None:
        return cached[0]
    versions = list(
        notebook.versions.only(
            "pk", "notebook_id", "number", "created_at", "size", "sha256", "note"
        )
    )
    _version_lists.put(key, versions, 1)
    return versions


def clear() -> None:
    """Forget everything (tests that rewrite rows behind the application's back)."""
    _fragments.clear()
    _version_lists.clear()
