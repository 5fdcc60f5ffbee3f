"""When and where notebooks are rendered; the HTML itself comes from ``sharing.rendering``.

A version is rendered once, when it is uploaded: small notebooks right away, large ones by the
background worker in a child process with a time and memory limit. Views only read the cached
result (``rendering_for``); if a renderer upgrade left no cached HTML, they queue a render and
show "rendering..." instead of rendering themselves.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from sharing import render_lease, rendering
from sharing.models import NotebookVersion, Rendering
from sharing.render_child import render_bytes, render_isolated

logger = logging.getLogger(__name__)


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


def enqueue(job: Rendering, version: NotebookVersion) -> None:
    from sharing.tasks import render_in_background

    result = render_in_background.enqueue(job.pk, version.pk)
    Rendering.objects.filter(pk=job.pk).update(task_id=str(result.id))


def render_version(job: Rendering, version: NotebookVersion, *, isolated: bool) -> bool:
    """Render ``version`` into ``job``; failures are recorded on the job, never raised.

    False if another process holds the job's lease (or it is finished): nothing is done.
    """
    if not render_lease.claim(job):
        return False
    started = time.monotonic()
    with render_lease.heartbeat(job) if isolated else nullcontext():
        with default_storage.open(version.normalized.name, "rb") as handle:
            data = handle.read()
        if isolated:
            outcome = render_isolated(
                data, settings.RENDER_TIMEOUT_SECONDS, settings.RENDER_MEMORY_LIMIT_MB
            )
        else:
            outcome = render_bytes(data)
    job.duration_ms = int((time.monotonic() - started) * 1000)
    if outcome.ok:
        job.status, job.html, job.error = Rendering.Status.READY, outcome.text, ""
    else:
        job.status, job.html, job.error = Rendering.Status.FAILED, "", outcome.text
        logger.warning("Rendering %s failed: %s", job, outcome.text)
    return render_lease.finish(
        job, status=job.status, html=job.html, error=job.error, duration_ms=job.duration_ms
    )
