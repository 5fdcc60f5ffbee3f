"""Delete audit events older than AUDIT_RETENTION_DAYS. Safe to run repeatedly (e.g. daily)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sharing.audit import record as audit
from sharing.audit.models import Action, AuditEvent


class Command(BaseCommand):
    help = (
        "Delete audit events older than AUDIT_RETENTION_DAYS (0: keep them forever). "
        "The purge itself is recorded as an event."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: the AUDIT_RETENTION_DAYS setting).",
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days cannot be negative.")
        if days == 0:
            self.stdout.write("AUDIT_RETENTION_DAYS is 0: audit events are kept forever.")
            return
        cutoff = timezone.now() - timedelta(days=days)
        deleted = AuditEvent.objects.purge_before(cutoff)
        audit.record(
            Action.AUDIT_PURGED,
            details={"deleted": deleted, "before": cutoff.isoformat(), "days": days},
        )
        self.stdout.write(
            f"Deleted {deleted} audit event{'s' * (deleted != 1)} older than "
            f"{days} day{'s' * (days != 1)}."
        )
