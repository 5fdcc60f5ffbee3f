"""Notices, the choices people make about them, and what they follow (registered with the app
through ``sharing.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    SHARED = "shared", "Shared with me"
    VERSION = "version", "New versions of notebooks I follow"
    COMMENT = "comment", "New comments on my notebooks and replies in my threads"
    MENTION = "mention", "Mentions of me"
    RESOLVED = "resolved", "Threads I took part in resolved"


class Channel(models.TextChoices):
    INBOX = "inbox", "Inbox"
    EMAIL = "email", "E-mail"


class NotificationPreference(models.Model):
    """A person's choice per kind of notice and channel (no row means the defaults: all on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    shared_inbox = models.BooleanField(default=True)
    shared_email = models.BooleanField(default=True)
    version_inbox = models.BooleanField(default=True)
    version_email = models.BooleanField(default=True)
    comment_inbox = models.BooleanField(default=True)
    comment_email = models.BooleanField(default=True)
    mention_inbox = models.BooleanField(default=True)
    mention_email = models.BooleanField(default=True)
    resolved_inbox = models.BooleanField(default=True)
    resolved_email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Notification choices of {self.user}"

    @staticmethod
    def field_name(kind: str, channel: str) -> str:
        return f"{kind}_{channel}"


class Notification(models.Model):
    """One notice to one person about one notebook.

    Whether the person still may see the notebook is checked again when the e-mail is sent and
    whenever the inbox is shown.
    """

    class Email(models.TextChoices):
        NONE = "none", "Not wanted"
        PENDING = "pending", "Waiting for the worker"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent: no longer allowed or wanted"
        FAILED = "failed", "The mail server refused it"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    notebook = models.ForeignKey("sharing.Notebook", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    version = models.ForeignKey(
        "sharing.NotebookVersion", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    thread = models.ForeignKey(
        "sharing.CommentThread", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "sharing.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    excerpt = models.CharField(max_length=300, blank=True, help_text="What was said or noted.")
    detail = models.CharField(max_length=150, blank=True, help_text="A role, a group's name.")
    in_inbox = models.BooleanField(default=True)
    email = models.CharField(max_length=16, choices=Email.choices, default=Email.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True, in_inbox=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id} on {self.notebook_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Follow(models.Model):
    """Someone's own choice to follow a notebook or not, over the default (see following.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notebook = models.ForeignKey("sharing.Notebook", on_delete=models.CASCADE, related_name="+")
    following = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "notebook"], name="unique_follow"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'follows' if self.following else 'unfollowed'} {self.notebook_id}"


class LinkVisit(models.Model):
    """A signed-in person opened a notebook through a share link: listed while the link works."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey("sharing.ShareLink", on_delete=models.CASCADE, related_name="+")
    last_opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "link"], name="unique_link_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} through link {self.link_id}"
