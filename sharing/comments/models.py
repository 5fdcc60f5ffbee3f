"""A person's comment e-mail choice (registered with the app through ``sharing.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationPreference(models.Model):
    """A person's choice about comment e-mails (no row means the default: on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    comment_emails = models.BooleanField(
        default=True, help_text="E-mail me about new comments and mentions."
    )

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.comment_emails else 'off'}"
