"""When and where notebooks are rendered; the HTML itself comes from ``sharing.rendering``.

A version is rendered once, when it is uploaded: small notebooks right away, large ones by the
background worker in a child process with a time and memory limit. Views only read the cached
result (``rendering_for``); if a renderer upgrade left no cached HTML, they queue a render and
show "rendering..." instead of rendering themselves.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.tasks import task

from sharing.models import NotebookVersion, Rendering
from sharing.rendering import renderer
from sharing.rendering.child import render_bytes, render_isolated

logger = logging.getLogger(__name__)


def rendering_for(version: NotebookVersion) -> Rendering | None:
    return Rendering.objects.filter(
        content_sha256=version.content_sha256,
        renderer_version=renderer.RENDERER_VERSION,
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
        return existing
    try:
        with transaction.atomic():
            job = Rendering.objects.create(
                content_sha256=version.content_sha256,
                renderer_version=renderer.RENDERER_VERSION,
            )
    except IntegrityError:  # someone else queued it a moment ago
        return rendering_for(version)
    if inline_allowed and not is_large(version):
        render_version(job, version, isolated=False)
    else:
        transaction.on_commit(lambda: render_in_background.enqueue(job.pk, version.pk))
    return job


def render_version(job: Rendering, version: NotebookVersion, *, isolated: bool) -> None:
    """Render ``version`` into ``job``; failures are recorded on the job, never raised."""
    Rendering.objects.filter(pk=job.pk).update(status=Rendering.Status.RUNNING)
    started = time.monotonic()
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
    job.save(update_fields=["status", "html", "error", "duration_ms", "updated_at"])


@task()
def render_in_background(rendering_id: int, version_id: int) -> str:
    """The background worker's entry point (``manage.py db_worker``)."""
    job = Rendering.objects.filter(pk=rendering_id).first()
    version = NotebookVersion.objects.filter(pk=version_id).first()
    if job is None or version is None or job.is_finished:
        return "skipped"
    render_version(job, version, isolated=True)
    return job.status
