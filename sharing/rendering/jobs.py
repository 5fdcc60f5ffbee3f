"""When and where notebooks are rendered; the HTML itself comes from ``sharing.rendering``.

A version is rendered once, when it is uploaded: small notebooks right away, large ones by the
background worker in a child process with a time and memory limit. Views only read the cached
result (``rendering_for``); if a renderer upgrade left no cached HTML, they queue a render and
show "rendering..." instead of rendering themselves. Every render runs under a lease
(``sharing.rendering.lease``): one whose process died is handed to another worker.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.tasks import task

from sharing.budget import BudgetExceeded, run_within_budget
from sharing.models import NotebookVersion, Rendering
from sharing.rendering import lease, renderer
from sharing.rendering.child import budget_outcome, render_bytes

logger = logging.getLogger(__name__)

STALE_SWEEP = 20  # jobs of dead workers requeued by each background task, at most


def rendering_for(version: NotebookVersion) -> Rendering | None:
    return Rendering.objects.filter(
        content_sha256=version.content_sha256,
        renderer_version=renderer.RENDERER_VERSION,
    ).first()


def rendering_status(version: NotebookVersion) -> str:
    """The status of the version's rendering, without reading its HTML (for polling pages);
    a missing rendering is queued for the background worker, and one whose worker died
    (lease run out) is handed to another."""
    row = (
        Rendering.objects.filter(
            content_sha256=version.content_sha256,
            renderer_version=renderer.RENDERER_VERSION,
        )
        .only("status", "lease_expires_at", "attempts", "task_id", "content_sha256")
        .first()
    )
    if row is None:
        return request_rendering(version, inline_allowed=False).status
    if lease.is_stale(row):
        lease.requeue(row, enqueue)
    return row.status


def is_large(version: NotebookVersion) -> bool:
    return (
        version.size > settings.RENDER_ASYNC_BYTES
        or version.cell_count > settings.RENDER_ASYNC_CELLS
    )


def request_rendering(version: NotebookVersion, *, inline_allowed: bool = True) -> Rendering:
    """Return the cached rendering of ``version``, creating and scheduling it if missing."""
    existing = rendering_for(version)
    if existing is not None:
        if lease.is_stale(existing):  # its worker died: hand it to another
            lease.requeue(existing, enqueue)
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
    transaction.on_commit(lambda: enqueue(job, version))


def enqueue(job: Rendering, version: NotebookVersion) -> None:
    """Queue ``job`` for the next free worker, remembering the task (to fail it if it dies)."""
    result = render_in_background.enqueue(job.pk, version.pk)
    Rendering.objects.filter(pk=job.pk).update(task_id=str(result.id))


def render_version(job: Rendering, version: NotebookVersion, *, inline: bool) -> bool:
    """Render ``version`` into ``job`` in a limited child process; failures are recorded on
    the job, never raised. False if another process holds the job's lease: nothing is done.

    Inline (during an upload) the budget is RENDER_INLINE_SECONDS: a notebook that needs longer
    goes to the background worker, whose budget is RENDER_TIMEOUT_SECONDS.
    """
    if not lease.claim(job):
        return False
    started = time.monotonic()
    seconds = settings.RENDER_INLINE_SECONDS if inline else settings.RENDER_TIMEOUT_SECONDS
    with nullcontext() if inline else lease.heartbeat(job):
        with default_storage.open(version.normalized.name, "rb") as handle:
            data = handle.read()
        try:
            outcome = run_within_budget(
                render_bytes, data, seconds=seconds, memory_mb=settings.RENDER_MEMORY_LIMIT_MB
            )
        except BudgetExceeded as exc:
            if inline and exc.kind == "time":
                lease.release(job)
                _enqueue(job, version)
                return True
            outcome = budget_outcome(exc)
    job.duration_ms = int((time.monotonic() - started) * 1000)
    if outcome.ok:
        job.status, job.html, job.error = Rendering.Status.READY, outcome.text, ""
    else:
        job.status, job.html, job.error = Rendering.Status.FAILED, "", outcome.text
        logger.warning("Rendering %s failed: %s", job, outcome.text)
    return lease.finish(
        job, status=job.status, html=job.html, error=job.error, duration_ms=job.duration_ms
    )


@task()
def render_in_background(rendering_id: int, version_id: int) -> str:
    """The background worker's entry point (``manage.py db_worker``)."""
    for stale in lease.stale_jobs()[:STALE_SWEEP]:  # left behind by a dead worker
        lease.requeue(stale, enqueue)
    job = Rendering.objects.filter(pk=rendering_id).first()
    version = NotebookVersion.objects.filter(pk=version_id).first()
    if job is None or version is None or job.is_finished:
        return "skipped"
    if not render_version(job, version, inline=False):
        return "skipped"  # another worker holds it, or took it over
    return job.status
