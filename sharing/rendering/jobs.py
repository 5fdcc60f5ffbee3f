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

from sharing.budget import BudgetExceeded, run_within_budget
from sharing.models import NotebookVersion, Rendering
from sharing.rendering import renderer
from sharing.rendering.child import budget_outcome, render_bytes

logger = logging.getLogger(__name__)


def rendering_for(version: NotebookVersion) -> Rendering | None:
    return Rendering.objects.filter(
        content_sha256=version.content_sha256,
        renderer_version=renderer.RENDERER_VERSION,
    ).first()


def rendering_status(version: NotebookVersion) -> str:
    """The status of the version's rendering, without reading its HTML (for polling pages);
    a missing rendering is queued for the background worker."""
    status = (
        Rendering.objects.filter(
            content_sha256=version.content_sha256,
            renderer_version=renderer.RENDERER_VERSION,
        )
        .values_list("status", flat=True)
        .first()
    )
    if status is None:
        status = request_rendering(version, inline_allowed=False).status
    return status


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
        render_version(job, version, inline=True)
    else:
        _enqueue(job, version)
    return job


def _enqueue(job: Rendering, version: NotebookVersion) -> None:
    transaction.on_commit(lambda: render_in_background.enqueue(job.pk, version.pk))


def render_version(job: Rendering, version: NotebookVersion, *, inline: bool) -> None:
    """Render ``version`` into ``job`` in a limited child process; failures are recorded on
    the job, never raised.

    Inline (during an upload) the budget is RENDER_INLINE_SECONDS: a notebook that needs longer
    goes to the background worker, whose budget is RENDER_TIMEOUT_SECONDS.
    """
    Rendering.objects.filter(pk=job.pk).update(status=Rendering.Status.RUNNING)
    started = time.monotonic()
    with default_storage.open(version.normalized.name, "rb") as handle:
        data = handle.read()
    seconds = settings.RENDER_INLINE_SECONDS if inline else settings.RENDER_TIMEOUT_SECONDS
    try:
        outcome = run_within_budget(
            render_bytes, data, seconds=seconds, memory_mb=settings.RENDER_MEMORY_LIMIT_MB
        )
    except BudgetExceeded as exc:
        if inline and exc.kind == "time":
            Rendering.objects.filter(pk=job.pk).update(status=Rendering.Status.PENDING)
            _enqueue(job, version)
            return
        outcome = budget_outcome(exc)
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
    render_version(job, version, inline=False)
    return job.status
