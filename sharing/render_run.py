"""Running one render under its lease: here (small notebooks) or in the isolated child."""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext

from django.conf import settings
from django.core.files.storage import default_storage

from sharing import render_lease
from sharing.models import NotebookVersion, Rendering
from sharing.render_child import render_bytes, render_isolated

logger = logging.getLogger(__name__)


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
