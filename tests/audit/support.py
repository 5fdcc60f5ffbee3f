"""Shared scaffolding for the audit tests: a small site and a way to read what was written."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from sharing.audit.models import AuditEvent
from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread


@dataclass
class Site:
    """alice owns "Quarterly churn", bob comments on it, carol is an outsider, root is staff."""

    client: Client
    alice: object
    bob: object
    carol: object
    root: object
    notebook: object


def comment_by(site: Site, user):
    version = site.notebook.latest_version
    cell = next(iter(version_cells(version).values()))
    comment, _ = start_thread(site.notebook, version, cell, user, "Where is March?")
    return comment


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(start: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=start).order_by("id"))
