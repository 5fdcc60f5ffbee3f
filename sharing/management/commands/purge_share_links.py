"""Delete share links that ended long ago, with their events. Safe to run repeatedly."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sharing import links


class Command(BaseCommand):
    help = (
        "Delete share links that expired or were revoked more than SHARE_LINK_RETENTION_DAYS "
        "ago, and their recorded events. Active links are never touched."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: the SHARE_LINK_RETENTION_DAYS setting).",
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        days = settings.SHARE_LINK_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days cannot be negative.")
        deleted = links.purge(days)
        self.stdout.write(
            f"Deleted {deleted} share link{'s' * (deleted != 1)} that ended more than "
            f"{days} day{'s' * (days != 1)} ago."
        )
