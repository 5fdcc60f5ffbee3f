"""Delete rate-limit counters of clients not seen for a day (run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from sharing import ratelimit


class Command(BaseCommand):
    help = "Delete rate-limit counters whose window ended more than a day ago."

    def handle(self, *args, **options):
        deleted = ratelimit.purge()
        self.stdout.write(f"Deleted {deleted} rate-limit counter{'s' * (deleted != 1)}.")
