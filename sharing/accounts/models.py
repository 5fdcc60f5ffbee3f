"""Invites, verified e-mail addresses, the one-time setup token and personal API tokens.

Only hashes of secrets are stored; the logic lives beside these models in sharing.accounts.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.module_loading import import_string


class Invite(models.Model):
    """A one-time link that lets its holder create an account (optionally for one address)."""

    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    email = models.EmailField(blank=True, help_text="If set, only this address may use it.")
    note = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # An invitation to a notebook: the role is granted when the account is created.
    notebook = models.ForeignKey(
        "sharing.Notebook", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)

    class Meta:
        app_label = "sharing"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invite {self.pk}" + (f" for {self.email}" if self.email else "")


class VerifiedEmail(models.Model):
    """An address its account proved it reads. Sharing matches addresses only through these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_emails"
    )
    email = models.EmailField()
    verified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "sharing"
        constraints = [
            # One account per verified address, whatever its case.
            models.UniqueConstraint(Lower("email"), name="unique_verified_email_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.user})"


class GroupOwner(models.Model):
    """A person who manages a group's members in the app (sharing.groups)."""

    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="owners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_groups"
    )
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "sharing"
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="unique_group_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.user} owns {self.group}"


class SetupToken(models.Model):
    """A one-time secret that lets whoever holds it create the first administrator."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "sharing"

    def __str__(self) -> str:
        return f"Setup token {self.pk}"


class RateCounter(models.Model):
    """Hits of one client on one limit in its current time window, counted by one UPSERT."""

    key = models.CharField(max_length=120, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    window_ends = models.BigIntegerField(help_text="Unix time at which the window is over.")

    class Meta:
        app_label = "sharing"
        indexes = [models.Index(fields=["window_ends"], name="ratecounter_window_ends")]

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is kept; ``prefix`` finds the row.

    The logic (making, checking, revoking) lives in ``sharing.tokens``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_audited_at = models.DateTimeField(null=True, blank=True, editable=False)  # "used" event
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class UserSessionManager(BaseSessionManager):
    def get_queryset(self):
        return super().get_queryset().select_related("user")  # the person in the same query


class UserSession(AbstractBaseSession):
    """A browser session with the person signed in to it as a column of its own.

    Django's session row keeps the person only inside its signed data. With them beside it,
    the session and the person are read in one query on every request, and a person's
    sessions are found (and ended) by an index. See sharing.accounts.sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # a deleted account's sessions go with it
        related_name="+",
    )

    objects = UserSessionManager()

    class Meta(AbstractBaseSession.Meta):
        app_label = "sharing"
        verbose_name = "signed-in session"
        verbose_name_plural = "signed-in sessions"

    @classmethod
    def get_session_store_class(cls):
        return import_string("sharing.accounts.sessions.SessionStore")  # it imports this module
