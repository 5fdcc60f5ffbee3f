"""Render leases: a render whose process died is taken over, never "running" forever."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sharing.models import Rendering
from sharing.rendering import jobs as render_jobs
from sharing.rendering import lease as render_lease
from sharing.rendering.jobs import render_in_background
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(alice, make_notebook, settings, django_capture_on_commit_callbacks):
    """A large notebook's render, queued for the worker (a real task row)."""
    settings.RENDER_ASYNC_CELLS = 2
    with django_capture_on_commit_callbacks(execute=True):
        notebook = make_notebook(alice, data=notebook_bytes(cells=5))
    version = notebook.latest_version
    return render_jobs.rendering_for(version), version


def die_holding(job: Rendering, holder: str = "gone-host:1") -> None:
    """The job as a killed worker leaves it: running, its lease run out."""
    Rendering.objects.filter(pk=job.pk).update(
        status=Rendering.Status.RUNNING,
        leased_by=holder,
        attempts=1,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    if job.task_id:
        DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING")
    job.refresh_from_db()


def test_claim_takes_a_pending_job_once(queued):
    job, _ = queued
    assert render_lease.claim(job)
    job.refresh_from_db()
    assert job.status == Rendering.Status.RUNNING
    assert job.leased_by == render_lease.holder_id() and job.attempts == 1
    assert job.lease_expires_at > timezone.now()
    assert not render_lease.claim(job)  # held: nobody else gets it


def test_a_live_lease_is_not_taken_over(queued):
    job, version = queued
    render_lease.claim(job)
    Rendering.objects.filter(pk=job.pk).update(leased_by="other-host:42")
    assert render_in_background.call(job.pk, version.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == Rendering.Status.RUNNING and job.leased_by == "other-host:42"


def test_expired_lease_is_taken_over_by_the_next_task(queued):
    job, version = queued
    die_holding(job)
    assert render_in_background.call(job.pk, version.pk) == Rendering.Status.READY
    job.refresh_from_db()
    assert job.status == Rendering.Status.READY and job.attempts == 2
    assert job.leased_by == "" and job.lease_expires_at is None


def test_a_result_after_the_lease_was_lost_is_discarded(queued):
    job, _ = queued
    render_lease.claim(job)
    Rendering.objects.filter(pk=job.pk).update(leased_by="other-host:42")
    assert not render_lease.finish(job, status=Rendering.Status.READY, html="late")
    job.refresh_from_db()
    assert job.html == "" and job.leased_by == "other-host:42"


def test_renewing_extends_only_our_own_lease(queued):
    job, _ = queued
    render_lease.claim(job)
    soon = timezone.now() + timedelta(seconds=1)
    Rendering.objects.filter(pk=job.pk).update(lease_expires_at=soon)
    assert render_lease.renew(job)
    job.refresh_from_db()
    assert job.lease_expires_at > soon
    Rendering.objects.filter(pk=job.pk).update(leased_by="other-host:42")
    assert not render_lease.renew(job)


def test_viewing_a_dead_workers_job_requeues_it_and_fails_the_dead_task(
    client, alice, queued, django_capture_on_commit_callbacks
):
    job, version = queued
    old_task = job.task_id
    assert old_task
    die_holding(job)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/n/{version.notebook_id}/v/1/status/")
    assert response.json() == {"status": "pending", "finished": False}
    job.refresh_from_db()
    assert job.status == Rendering.Status.PENDING and job.leased_by == ""
    assert job.task_id and job.task_id != old_task
    assert DBTaskResult.objects.get(pk=old_task).status == "FAILED"
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"


def test_a_job_that_kills_its_workers_fails_after_the_last_attempt(queued, settings):
    settings.RENDER_MAX_ATTEMPTS = 2
    job, _ = queued
    die_holding(job)
    Rendering.objects.filter(pk=job.pk).update(attempts=2)
    job.refresh_from_db()
    assert not render_lease.requeue(job, lambda *args: None)
    job.refresh_from_db()
    assert job.status == Rendering.Status.FAILED
    assert "stopped 2 times without finishing" in job.error


def test_requeue_renders_command_hands_over_every_stale_job(
    queued, django_capture_on_commit_callbacks, capsys
):
    job, _ = queued
    die_holding(job)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_renders")
    assert "Requeued 1 render." in capsys.readouterr().out
    job.refresh_from_db()
    assert job.status == Rendering.Status.PENDING


def test_a_fresh_lease_is_not_requeued(queued):
    job, _ = queued
    render_lease.claim(job)
    job.refresh_from_db()
    assert not render_lease.is_stale(job)
    assert not render_lease.requeue(job, lambda *args: None)
