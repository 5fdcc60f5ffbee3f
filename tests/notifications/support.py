"""Running the background worker in the test process: the e-mails of notices are sent by
``manage.py db_worker``, so tests run its task runner on the queued tasks where a person would
wait. (The command's own loop closes database connections between tasks, which would close
the test's transaction; the task runner is the same.)"""

from __future__ import annotations

from django.core import mail
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

WORKER = Worker(
    queue_names=["*"],
    interval=0,
    batch=True,
    backend_name="default",
    startup_delay=False,
    max_tasks=None,
    worker_id="test-worker",
    excluded_queue_names=[],
)


def run_worker() -> int:
    """Run every ready task, as the worker would; returns how many ran."""
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(WORKER.worker_id)
        WORKER.run_task(result)
        ran += 1
    return ran


def delivered() -> dict[str, str]:
    """Run the worker, then map each recipient's name to the subject of the mail they got."""
    run_worker()
    return {message.to[0].split("@")[0]: message.subject for message in mail.outbox}


class BrokenMailer:
    """A mail backend whose server is down."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise OSError("mail server down")
