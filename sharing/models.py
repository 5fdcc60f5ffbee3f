"""Notebooks, their versions and the cache of their rendered HTML."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

# Defined beside their logic; imported here so the app registers them.
from sharing.accounts.models import (  # noqa: F401
    ApiToken,
    Invite,
    RateCounter,
    SetupToken,
    UserSession,
    VerifiedEmail,
)
from sharing.audit.models import AuditEvent  # noqa: F401
from sharing.diff.models import VersionDiff  # noqa: F401
from sharing.notifications import models as notification_models  # noqa: F401
from sharing.search.models import SearchEntry  # noqa: F401


class NotebookQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotebookQuerySet:
        """Notebooks this person may see, as one query.

        Owners, people granted a role directly or through a group, and, for notebooks open to
        the organisation, everyone signed in. Model-wide permissions grant nothing here:
        only superusers see everything.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.visible_to_id(user.pk, superuser=user.is_superuser)

    def visible_to_id(self, user_pk, superuser: bool = False) -> NotebookQuerySet:
        """``visible_to`` for an active, signed-in person known by id (so that a query can be
        compiled once with a placeholder for it)."""
        if superuser:
            return self
        return self.filter(
            Q(owner_id=user_pk)
            | ~Q(visibility=Notebook.Visibility.PRIVATE)
            | Exists(_user_grants(user_pk))
            | Exists(_group_grants(user_pk))
        )

    def shared_with(self, user) -> NotebookQuerySet:
        """Notebooks granted to this person directly or through a group, not their own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        # A list, not a lookup: ``IN`` lets PostgreSQL read the person's grants once (a hashed
        # subplan) instead of probing them once per notebook as ``EXISTS`` would (10,000
        # notebooks shared: 5 ms instead of 40 to count them).
        return self.exclude(owner=user).filter(
            Q(pk__in=_granted_ids(NotebookUserObjectPermission, user=user))
            | Q(pk__in=_granted_ids(NotebookGroupObjectPermission, group__user=user))
        )

    def owned_by(self, user) -> NotebookQuerySet:
        return self.filter(owner=user)

    def with_latest(self) -> NotebookQuerySet:
        return self.select_related("owner", "latest_version")


def _user_grants(user):
    """The person's direct view grants (``OuterRef("pk")`` picks the notebook, for ``Exists``)."""
    return _view_grants(NotebookUserObjectPermission, user=user).filter(
        content_object=OuterRef("pk")
    )


def _group_grants(user):
    return _view_grants(NotebookGroupObjectPermission, group__user=user).filter(
        content_object=OuterRef("pk")
    )


def _granted_ids(table, **who):
    """Ids of the notebooks a grant table lets ``who`` view, for ``pk__in`` over a list."""
    return _view_grants(table, **who).values("content_object_id")


def _view_grants(table, **who):
    return table.objects.filter(permission__codename="view_notebook", **who)


class Notebook(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private: only people and groups it is shared with"
        ORG_VIEW = "org_view", "Everyone signed in on this site can view"
        ORG_COMMENT = "org_comment", "Everyone signed in on this site can view and comment"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notebooks"
    )
    title = models.CharField(max_length=200)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    latest_version = models.ForeignKey(
        "NotebookVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = NotebookQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="notebook_owner_recent")]
        # view, change (upload versions, rename) and delete come with the model.
        permissions = [
            ("comment_notebook", "Can comment on notebook"),
            ("manage_notebook", "Can manage access to notebook"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sharing:notebook-detail", args=[self.pk])


def _storage_path(kind: str) -> str:
    # Random names: what a person called the file never becomes a path on our disk.
    return f"notebooks/{uuid.uuid4().hex}/{kind}.ipynb"


class NotebookVersion(models.Model):
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=255)
    original = models.FileField(max_length=255)
    normalized = models.FileField(max_length=255)
    size = models.BigIntegerField(help_text="Size of the original file in bytes.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the original bytes.")
    content_sha256 = models.CharField(
        max_length=64, db_index=True, help_text="SHA-256 of the normalised notebook."
    )
    source_nbformat = models.CharField(max_length=16)
    cell_count = models.PositiveIntegerField()
    note = models.TextField(blank=True, help_text="What changed, in the uploader's words.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["notebook", "number"], name="unique_version_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.notebook} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("sharing:version-detail", args=[self.notebook_id, self.number])

    @staticmethod
    def original_path() -> str:
        return _storage_path("original")

    @staticmethod
    def normalized_path() -> str:
        return _storage_path("normalized")


class Rendering(models.Model):
    """Rendered HTML of one notebook content for one renderer version.

    Keyed by the normalised content's hash and the renderer version: identical uploads share
    one rendering, and upgrading the renderer makes every page re-render lazily.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to render"
        RUNNING = "running", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    content_sha256 = models.CharField(max_length=64)
    renderer_version = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    html = models.TextField(blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The lease of the process rendering it (sharing/rendering/lease.py).
    leased_by = models.CharField(max_length=128, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["lease_expires_at"],
                name="rendering_running_lease",
                condition=models.Q(status="running"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_sha256", "renderer_version"], name="unique_rendering"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_sha256[:12]} (renderer {self.renderer_version}): {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)


class NotebookUserObjectPermission(UserObjectPermissionBase):
    """A person's permission on one notebook (a direct foreign key, so it is indexed)."""

    content_object = models.ForeignKey(Notebook, on_delete=models.CASCADE)


class NotebookGroupObjectPermission(GroupObjectPermissionBase):
    """A group's permission on one notebook."""

    content_object = models.ForeignKey(Notebook, on_delete=models.CASCADE)


# --- comments (see docs/comments.md) ----------------------------------------------------


class CommentThread(models.Model):
    """A conversation about one cell, started on one version and carried to later ones.

    The cell's id, a hash of its source and a short excerpt are kept as they were when the
    thread started, so the thread can follow the cell and say when the cell changed.
    """

    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="threads")
    version = models.ForeignKey(
        NotebookVersion, on_delete=models.CASCADE, related_name="+", help_text="Started on."
    )
    cell_id = models.CharField(max_length=64)
    cell_type = models.CharField(max_length=16)
    source_sha256 = models.CharField(max_length=64)
    excerpt = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Thread on {self.notebook} cell {self.cell_id}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ThreadAnchor(models.Model):
    """Where a thread sits in one version: one row per thread per version since it started."""

    class State(models.TextChoices):
        CURRENT = "current", "On the cell as commented"
        OUTDATED = "outdated", "The cell changed since this comment"
        REMOVED = "removed", "The cell is gone"

    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="anchors")
    version = models.ForeignKey(NotebookVersion, on_delete=models.CASCADE, related_name="+")
    cell_id = models.CharField(max_length=64, blank=True)
    cell_index = models.PositiveIntegerField(null=True, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CURRENT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "thread"], name="unique_thread_anchor")
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} in v{self.version_id}: {self.state}"


class Comment(models.Model):
    """One message in a thread. The author's name stays when their account is deleted."""

    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    body = models.TextField(help_text="Markdown as written.")
    body_html = models.TextField(help_text="Sanitised HTML rendered from the body.")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"], name="comment_thread_time")]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class ShareLink(models.Model):
    """A link that lends a role on one notebook to whoever opens it, while it stays valid.

    Only the token's keyed hash is stored; the token logic and validity rules are in links.py.
    """

    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer"
        COMMENTER = "commenter", "Commenter"

    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    label = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pinned_version = models.ForeignKey(
        NotebookVersion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the link follows the latest version.",
    )
    anonymous = models.BooleanField(default=False, help_text="Opens without signing in.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["notebook", "-created_at"], name="sharelink_notebook_recent")
        ]

    def __str__(self) -> str:
        return self.label or f"{self.get_role_display()} link #{self.pk}"


class ShareLinkEvent(models.Model):
    """Something that happened to a share link: the owner's record of who used it."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        USED = "used", "Opened"
        REVOKED = "revoked", "Revoked"
        REISSUED = "reissued", "Given a new address"
        EXPIRED_ATTEMPT = "expired_attempt", "Opened after it expired"
        REVOKED_ATTEMPT = "revoked_attempt", "Opened after it was revoked"
        ORPHANED_ATTEMPT = "orphaned_attempt", "Opened after its creator lost access"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["link", "-at"], name="sharelinkevent_link_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
