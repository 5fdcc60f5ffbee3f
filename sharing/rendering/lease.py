"""Leases on renders: a render whose process died is picked up again, never "running" forever.

Whoever renders a job first claims it: one UPDATE turns it from pending (or running with an
expired lease) to running, held by this process until ``RENDER_LEASE_SECONDS`` from now.
While the render runs, a heartbeat thread renews the lease every third of that time. The
result is saved only if the lease is still ours, so a slow worker that lost its lease cannot
overwrite the work of the one that took over.

A job whose lease ran out (its worker was killed, its machine lost power) is requeued by
whoever looks at it next (the notebook page and its status poll), or by
``manage.py requeue_renders``; after ``RENDER_MAX_ATTEMPTS`` tries it is marked failed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sharing.models import NotebookVersion, Rendering

logger = logging.getLogger(__name__)


def holder_id() -> str:
    """Who holds a lease: this machine and process (what an operator sees in ``ps``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease_end():
    return timezone.now() + timedelta(seconds=settings.RENDER_LEASE_SECONDS)


def _claimable() -> Q:
    return Q(status=Rendering.Status.PENDING) | Q(
        status=Rendering.Status.RUNNING, lease_expires_at__lt=timezone.now()
    )


def claim(job: Rendering) -> bool:
    """Take ``job`` for this process; False if someone else holds it or it is finished."""
    holder = holder_id()
    taken = (
        Rendering.objects.filter(pk=job.pk)
        .filter(_claimable())
        .update(
            status=Rendering.Status.RUNNING,
            leased_by=holder,
            lease_expires_at=_lease_end(),
            attempts=F("attempts") + 1,
        )
    )
    if taken:
        job.status, job.leased_by = Rendering.Status.RUNNING, holder
    return bool(taken)


def release(job: Rendering) -> None:
    """Give the job back (pending, no holder) for the background worker to take."""
    Rendering.objects.filter(
        pk=job.pk, status=Rendering.Status.RUNNING, leased_by=holder_id()
    ).update(status=Rendering.Status.PENDING, leased_by="", lease_expires_at=None)
    job.status = Rendering.Status.PENDING


def renew(job: Rendering) -> bool:
    return bool(
        Rendering.objects.filter(
            pk=job.pk, status=Rendering.Status.RUNNING, leased_by=holder_id()
        ).update(lease_expires_at=_lease_end())
    )


def finish(job: Rendering, **fields) -> bool:
    """Save the result if the lease is still ours; False (nothing saved) if it was lost."""
    saved = Rendering.objects.filter(
        pk=job.pk, status=Rendering.Status.RUNNING, leased_by=holder_id()
    ).update(leased_by="", lease_expires_at=None, updated_at=timezone.now(), **fields)
    if not saved:
        logger.warning("Lost the lease on %s: its result is discarded", job)
    return bool(saved)


@contextmanager
def heartbeat(job: Rendering) -> Iterator[None]:
    """Renew the lease on ``job`` in a background thread for as long as the block runs."""
    stop = threading.Event()
    interval = max(settings.RENDER_LEASE_SECONDS / 3, 0.2)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                renew(job)
        except Exception:
            logger.exception("Could not renew the lease on %s", job)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"lease-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def is_stale(job: Rendering) -> bool:
    return (
        job.status == Rendering.Status.RUNNING
        and job.lease_expires_at is not None
        and job.lease_expires_at < timezone.now()
    )


def requeue(job: Rendering, enqueue: Callable[[Rendering, NotebookVersion], None]) -> bool:
    """Hand a job whose lease ran out to the next free worker (or fail it after too many tries).

    ``enqueue`` queues the background task; the dead worker's task is marked failed.
    """
    with transaction.atomic():
        locked = (
            Rendering.objects.select_for_update()
            .filter(pk=job.pk, status=Rendering.Status.RUNNING, lease_expires_at__lt=timezone.now())
            .first()
        )
        if locked is None:
            return False  # someone renewed, finished or requeued it meanwhile
        if locked.task_id:
            DBTaskResult.objects.filter(pk=locked.task_id, status="RUNNING").update(
                status="FAILED", finished_at=timezone.now()
            )
        version = NotebookVersion.objects.filter(content_sha256=locked.content_sha256).first()
        if locked.attempts >= settings.RENDER_MAX_ATTEMPTS or version is None:
            locked.status = Rendering.Status.FAILED
            locked.error = (
                f"Rendering stopped {locked.attempts} times without finishing "
                "(the worker process ended). Ask your administrator to look at the worker logs."
            )
            locked.leased_by, locked.lease_expires_at = "", None
            locked.save(update_fields=["status", "error", "leased_by", "lease_expires_at"])
            logger.error("Giving up on %s after %d attempts", locked, locked.attempts)
            return False
        logger.warning(
            "The lease of %s on %s ran out: requeued (attempt %d of %d)",
            locked.leased_by,
            locked,
            locked.attempts + 1,
            settings.RENDER_MAX_ATTEMPTS,
        )
        locked.status = Rendering.Status.PENDING
        locked.leased_by, locked.lease_expires_at = "", None
        locked.save(update_fields=["status", "leased_by", "lease_expires_at", "updated_at"])
        transaction.on_commit(lambda: enqueue(locked, version))
    job.refresh_from_db()
    return True


def stale_jobs():
    return Rendering.objects.filter(
        status=Rendering.Status.RUNNING, lease_expires_at__lt=timezone.now()
    )
