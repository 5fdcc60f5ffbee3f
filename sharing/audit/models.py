"""The audit event table: append-only, written by ``sharing.audit.record`` alone."""

from __future__ import annotations

from datetime import datetime

from django.db import connections, models
from django.db.models import Q
from django.utils import timezone


class AppendOnly(Exception):
    """Audit events are never changed or deleted (only purged past their retention)."""


class ActorKind(models.TextChoices):
    USER = "user", "Person"
    TOKEN = "token", "API token"
    LINK = "link", "Share link"
    ANONYMOUS = "anonymous", "Anonymous"
    SYSTEM = "system", "System"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Refused"
    FAILURE = "failure", "Failed"


class Action(models.TextChoices):
    SIGN_IN = "auth.sign_in", "Signed in"
    SIGN_OUT = "auth.sign_out", "Signed out"
    SIGN_IN_FAILED = "auth.sign_in_failed", "Sign-in failed"
    NOTEBOOK_VIEWED = "notebook.viewed", "Viewed notebook"
    NOTEBOOK_DOWNLOADED = "notebook.downloaded", "Downloaded notebook"
    NOTEBOOK_UPLOADED = "notebook.uploaded", "Uploaded notebook"
    NOTEBOOK_RENAMED = "notebook.renamed", "Renamed notebook"
    NOTEBOOK_DELETED = "notebook.deleted", "Deleted notebook"
    ACCESS_GRANTED = "access.granted", "Granted access"
    ACCESS_CHANGED = "access.changed", "Changed access"
    ACCESS_REMOVED = "access.removed", "Removed access"
    OWNERSHIP_TRANSFERRED = "ownership.transferred", "Transferred ownership"
    LINK_CREATED = "link.created", "Created share link"
    LINK_USED = "link.used", "Used share link"
    LINK_REVOKED = "link.revoked", "Revoked share link"
    LINK_REFUSED = "link.refused", "Refused share link"
    TOKEN_CREATED = "token.created", "Created API token"
    TOKEN_USED = "token.used", "Used API token"
    TOKEN_REVOKED = "token.revoked", "Revoked API token"
    COMMENT_DELETED = "comment.deleted", "Deleted comment (moderation)"
    ADMIN_CHANGED = "admin.changed", "Changed in administration"
    AUDIT_EXPORTED = "audit.exported", "Exported the audit log"
    AUDIT_PURGED = "audit.purged", "Purged old audit events"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted; they are purged past their retention.")

    def for_notebook(self, notebook_id: int) -> AuditEventQuerySet:
        return self.filter(notebook_id=notebook_id)


class AuditEventManager(models.Manager.from_queryset(AuditEventQuerySet)):
    def purge_before(self, cutoff: datetime) -> int:
        """Delete the events older than ``cutoff``: the one deletion there is."""
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608
            return cursor.rowcount


class AuditEvent(models.Model):
    """One thing that happened. Names and titles are copied as they were at the time: the
    rows keep no foreign keys, so deleting a person or a notebook leaves its history whole."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)  # the username at the time
    actor_ref = models.CharField(max_length=64, blank=True)  # token prefix or share link id
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_title = models.CharField(max_length=200, blank=True)
    notebook_id = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["notebook_id", "-at"], name="audit_notebook_at"),
            models.Index(fields=["actor_name", "-at"], name="audit_actor_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="audit_outcome_known"
            ),
            models.CheckConstraint(
                condition=Q(actor_kind__in=ActorKind.values), name="audit_actor_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")

    @property
    def actor_label(self) -> str:
        if self.actor_kind == ActorKind.TOKEN:
            return f"{self.actor_name} (token {self.actor_ref})"
        if self.actor_kind == ActorKind.LINK:
            who = self.actor_name or "anonymous"
            return f"{who} (share link #{self.actor_ref})"
        return self.actor_name or self.get_actor_kind_display().lower()
