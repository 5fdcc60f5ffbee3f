"""Background tasks, run by the database task worker (``manage.py db_worker``)."""

from django.tasks import task

from sharing import render_lease
from sharing.models import NotebookVersion, Rendering
from sharing.render_run import render_version

STALE_SWEEP = 20  # jobs of dead workers requeued by each task, at most


@task()
def render_in_background(rendering_id: int, version_id: int) -> str:
    job = Rendering.objects.filter(pk=rendering_id).first()
    version = NotebookVersion.objects.filter(pk=version_id).first()
    for stale in render_lease.stale_jobs()[:STALE_SWEEP]:  # left behind by a dead worker
        render_lease.requeue(stale, enqueue)
    if job is None or version is None or job.is_finished:
        return "skipped"
    if not render_version(job, version, isolated=True):
        return "skipped"  # another worker holds it, or took it over
    return job.status


def enqueue(job: Rendering, version: NotebookVersion) -> None:
    """Queue ``job`` for the next free worker, remembering the task (to fail it if it dies)."""
    result = render_in_background.enqueue(job.pk, version.pk)
    Rendering.objects.filter(pk=job.pk).update(task_id=str(result.id))
