"""When and where comparisons are computed; views and the API only read the cached result.

A pair of versions is compared once per pair of contents (``VersionDiff``, keyed by both
content hashes and ``DIFF_VERSION``). Small pairs are compared while the page is asked for;
big ones (by the same thresholds as rendering) by the background worker in a child process
with rendering's time and memory limits, the page showing its progress meanwhile.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.tasks import task

from sharing.budget import BudgetExceeded, run_within_budget
from sharing.diff.child import Outcome, budget_message, compare_bytes, compare_isolated
from sharing.diff.model import DIFF_FORMAT_VERSION
from sharing.models import NotebookVersion, VersionDiff
from sharing.rendering.renderer import RENDERER_VERSION

logger = logging.getLogger(__name__)

# The HTML embeds rendered cells, so a renderer upgrade also invalidates cached comparisons.
DIFF_VERSION = f"{DIFF_FORMAT_VERSION}-r{RENDERER_VERSION}"


def diff_for(old: NotebookVersion, new: NotebookVersion) -> VersionDiff | None:
    return VersionDiff.objects.filter(
        old_sha256=old.content_sha256, new_sha256=new.content_sha256, diff_version=DIFF_VERSION
    ).first()


def is_large(old: NotebookVersion, new: NotebookVersion) -> bool:
    return (
        old.size + new.size > settings.RENDER_ASYNC_BYTES
        or old.cell_count + new.cell_count > settings.RENDER_ASYNC_CELLS
    )


def request_diff(
    old: NotebookVersion, new: NotebookVersion, *, inline_allowed: bool = True
) -> VersionDiff:
    """The cached comparison of ``old`` with ``new``, computed or scheduled if missing."""
    existing = diff_for(old, new)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            job = VersionDiff.objects.create(
                old_sha256=old.content_sha256,
                new_sha256=new.content_sha256,
                diff_version=DIFF_VERSION,
            )
    except IntegrityError:  # someone else asked for it a moment ago
        return diff_for(old, new)
    if inline_allowed and not is_large(old, new):
        compute(job, old, new, isolated=False)
    else:
        _enqueue(job, old, new)
    return job


def _enqueue(job: VersionDiff, old: NotebookVersion, new: NotebookVersion) -> None:
    transaction.on_commit(lambda: diff_in_background.enqueue(job.pk, old.pk, new.pk))


def diff_status(old: NotebookVersion, new: NotebookVersion) -> VersionDiff:
    """The comparison's state for polling, without reading its HTML or data."""
    job = (
        VersionDiff.objects.filter(
            old_sha256=old.content_sha256, new_sha256=new.content_sha256, diff_version=DIFF_VERSION
        )
        .only("status", "progress")
        .first()
    )
    return job if job is not None else request_diff(old, new, inline_allowed=False)


def _read(version: NotebookVersion) -> bytes:
    with default_storage.open(version.normalized.name, "rb") as handle:
        return handle.read()


def compute(job: VersionDiff, old: NotebookVersion, new: NotebookVersion, *, isolated: bool):
    """Compare into ``job``; failures are recorded on it, never raised."""
    VersionDiff.objects.filter(pk=job.pk).update(status=VersionDiff.Status.RUNNING, progress=0)
    started = time.monotonic()
    old_data, new_data = _read(old), _read(new)
    if isolated:
        outcome = compare_isolated(
            old_data,
            new_data,
            settings.RENDER_TIMEOUT_SECONDS,
            settings.RENDER_MEMORY_LIMIT_MB,
            on_progress=lambda percent: VersionDiff.objects.filter(pk=job.pk).update(
                progress=percent
            ),
        )
    else:  # while the page waits: within the inline budget, else on to the worker
        try:
            outcome = run_within_budget(
                compare_bytes,
                old_data,
                new_data,
                seconds=settings.RENDER_INLINE_SECONDS,
                memory_mb=settings.RENDER_MEMORY_LIMIT_MB,
            )
        except BudgetExceeded as exc:
            if exc.kind == "time":
                VersionDiff.objects.filter(pk=job.pk).update(status=VersionDiff.Status.PENDING)
                _enqueue(job, old, new)
                return
            outcome = Outcome(False, budget_message(exc))
    job.duration_ms = int((time.monotonic() - started) * 1000)
    if outcome.ok:
        job.status, job.data, job.html, job.error = (
            VersionDiff.Status.READY,
            outcome.data,
            outcome.html,
            "",
        )
        job.progress = 100
    else:
        job.status, job.data, job.html, job.error = (
            VersionDiff.Status.FAILED,
            None,
            "",
            outcome.message,
        )
        logger.warning("Comparison %s failed: %s", job, outcome.message)
    job.save(
        update_fields=["status", "data", "html", "error", "progress", "duration_ms", "updated_at"]
    )


@task()
def diff_in_background(diff_id: int, old_id: int, new_id: int) -> str:
    job = VersionDiff.objects.filter(pk=diff_id).first()
    old = NotebookVersion.objects.filter(pk=old_id).first()
    new = NotebookVersion.objects.filter(pk=new_id).first()
    if job is None or old is None or new is None or job.is_finished:
        return "skipped"
    compute(job, old, new, isolated=True)
    return job.status
