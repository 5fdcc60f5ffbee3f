"""When and where notebooks are rendered; the HTML itself comes from ``sharing.rendering``.

A version is rendered once, when it is uploaded: small notebooks right away, large ones by the
background worker in a child process with a time and memory limit. Views only read the cached
result (``rendering_for``); if a renderer upgrade left no cached HTML, they queue a render and
show "rendering..." instead of rendering themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from sharing import render_lease, rendering
from sharing.models import NotebookVersion, Rendering
from sharing.render_run import render_version
from sharing.tasks import enqueue


def rendering_for(version: NotebookVersion) -> Rendering | None:
    return Rendering.objects.filter(
        content_sha256=version.content_sha256,
        renderer_version=rendering.RENDERER_VERSION,
    ).first()


def is_large(version: NotebookVersion) -> bool:
    return (
        version.size > settings.RENDER_ASYNC_BYTES
        or version.cell_count > settings.RENDER_ASYNC_CELLS
    )


def request_rendering(version: NotebookVersion, *, inline_allowed: bool = True) -> Rendering:
    """Return the cached rendering of ``version``, creating and scheduling it if missing."""
    existing = rendering_for(version)
    if existing is not None:
        if render_lease.is_stale(existing):  # its worker died: hand it to another
            render_lease.requeue(existing, enqueue)
        return existing
    try:
        with transaction.atomic():
            job = Rendering.objects.create(
                content_sha256=version.content_sha256,
                renderer_version=rendering.RENDERER_VERSION,
            )
    except IntegrityError:  # someone else queued it a moment ago
        return rendering_for(version)
    if inline_allowed and not is_large(version):
        render_version(job, version, isolated=False)
    else:
        transaction.on_commit(lambda: enqueue(job, version))
    return job
