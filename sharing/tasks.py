"""Background tasks, run by the database task worker (``manage.py db_worker``)."""

from django.tasks import task

from sharing.models import NotebookVersion, Rendering
from sharing.render_jobs import render_version


@task()
def render_in_background(rendering_id: int, version_id: int) -> str:
    job = Rendering.objects.filter(pk=rendering_id).first()
    version = NotebookVersion.objects.filter(pk=version_id).first()
    if job is None or version is None or job.is_finished:
        return "skipped"
    render_version(job, version, isolated=True)
    return job.status
