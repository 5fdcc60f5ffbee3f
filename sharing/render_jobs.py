"""When and where notebooks are rendered; the HTML itself comes from ``sharing.rendering``.

A version is rendered once, when it is uploaded: small notebooks right away, large ones by the
background worker in a child process with a time and memory limit. Views only read the cached
result (``rendering_for``); if a renderer upgrade left no cached HTML, they queue a render and
show "rendering..." instead of rendering themselves.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import time
from dataclasses import dataclass

import nbformat
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from sharing import rendering
from sharing.models import NotebookVersion, Rendering

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
        from sharing.tasks import render_in_background

        transaction.on_commit(lambda: render_in_background.enqueue(job.pk, version.pk))
    return job


def render_version(job: Rendering, version: NotebookVersion, *, isolated: bool) -> None:
    """Render ``version`` into ``job``; failures are recorded on the job, never raised."""
    Rendering.objects.filter(pk=job.pk).update(status=Rendering.Status.RUNNING)
    started = time.monotonic()
    with default_storage.open(version.normalized.name, "rb") as handle:
        data = handle.read()
    outcome = _render_isolated(data) if isolated else _render_here(data)
    job.duration_ms = int((time.monotonic() - started) * 1000)
    if outcome.ok:
        job.status, job.html, job.error = Rendering.Status.READY, outcome.text, ""
    else:
        job.status, job.html, job.error = Rendering.Status.FAILED, "", outcome.text
        logger.warning("Rendering %s failed: %s", job, outcome.text)
    job.save(update_fields=["status", "html", "error", "duration_ms", "updated_at"])


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    text: str


def _render_here(data: bytes) -> _Outcome:
    try:
        return _Outcome(True, rendering.render_notebook(nbformat.reads(data.decode(), 4)))
    except rendering.RenderError as exc:
        return _Outcome(False, str(exc))
    except Exception:
        logger.exception("Unexpected error while rendering")
        return _Outcome(False, "The notebook could not be rendered because of an internal error.")


def _child(data: bytes, memory_limit: int, conn) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    try:
        outcome = _render_here(data)
    except MemoryError:
        outcome = _Outcome(False, _memory_message())
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(_Outcome(False, _memory_message()))


def _render_isolated(data: bytes) -> _Outcome:
    """Render in a fresh child process, killed past the wall-clock or memory limit."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    limit = settings.RENDER_MEMORY_LIMIT_MB * 1024 * 1024
    process = context.Process(target=_child, args=(data, limit, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(settings.RENDER_TIMEOUT_SECONDS):
            return receiver.recv()
        if process.is_alive():
            return _Outcome(
                False,
                f"Rendering took longer than {settings.RENDER_TIMEOUT_SECONDS} seconds "
                "and was stopped.",
            )
        return _Outcome(False, _memory_message())
    except EOFError:  # the child died without answering (killed for memory, usually)
        return _Outcome(False, _memory_message())
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)


def _memory_message() -> str:
    return (
        f"Rendering needed more than {settings.RENDER_MEMORY_LIMIT_MB} MB of memory "
        "and was stopped."
    )
