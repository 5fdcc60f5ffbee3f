"""Hand renders whose worker died (lease ran out) to the running workers."""

from django.core.management.base import BaseCommand

from sharing.rendering import lease
from sharing.rendering.jobs import enqueue


class Command(BaseCommand):
    help = (
        "Requeue background renders whose worker stopped without finishing (their lease of "
        "RENDER_LEASE_SECONDS ran out). Pages do this by themselves when someone looks; "
        "run this from cron to catch the ones nobody looks at."
    )

    def handle(self, *args, **options) -> None:
        requeued = sum(lease.requeue(job, enqueue) for job in lease.stale_jobs())
        self.stdout.write(f"Requeued {requeued} render{'s' * (requeued != 1)}.")
