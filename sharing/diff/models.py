"""The cache of computed comparisons (registered with the app through ``sharing.models``)."""

from __future__ import annotations

from django.db import models


class VersionDiff(models.Model):
    """The comparison of two notebook contents (older, newer) for one diff format version.

    Keyed by both normalised contents' hashes: any two versions with those contents share it,
    and a new diff format (or renderer) makes every comparison recompute lazily.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to compare"
        RUNNING = "running", "Comparing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    old_sha256 = models.CharField(max_length=64)
    new_sha256 = models.CharField(max_length=64)
    diff_version = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    data = models.JSONField(null=True, blank=True, help_text="The diff as the API sends it.")
    html = models.TextField(blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["old_sha256", "new_sha256", "diff_version"], name="unique_version_diff"
            )
        ]

    def __str__(self) -> str:
        return f"{self.old_sha256[:12]}…{self.new_sha256[:12]} ({self.diff_version}): {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
