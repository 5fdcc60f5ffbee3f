"""Collects the events of each request and writes them after the response, in one INSERT.

Changes made in the Django administration are recorded here too: the admin writes a
``LogEntry`` for every addition, change and deletion (deletions of several objects in one
bulk INSERT, which sends no signal), so after each admin POST the entries it wrote become
audit events.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.urls import reverse
from django.utils import timezone

from sharing.audit import record as audit
from sharing.audit.models import Action

ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


class AuditMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        started = timezone.now()
        token = audit.start(request)
        failed = True
        try:
            response = self.get_response(request)
            failed = response.status_code >= 500
            if request.method == "POST" and self._is_admin(request):
                _record_admin_changes(request, started)
        finally:
            audit.finish(token, failed)
        return response

    def _is_admin(self, request) -> bool:
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        user = getattr(request, "user", None)
        return (
            request.path.startswith(self.admin_prefix)
            and user is not None
            and user.is_authenticated
            and user.is_staff
        )


def _record_admin_changes(request, since) -> None:
    entries = LogEntry.objects.filter(user_id=request.user.pk, action_time__gte=since)
    for entry in entries.select_related("content_type").order_by("pk"):
        model = entry.content_type.model if entry.content_type else ""
        app = entry.content_type.app_label if entry.content_type else ""
        audit.record(
            Action.ADMIN_CHANGED,
            obj=audit.Target(model, entry.object_id or "", entry.object_repr),
            details={
                "change": ADMIN_ACTIONS.get(entry.action_flag, str(entry.action_flag)),
                "model": f"{app}.{model}",
                "message": entry.get_change_message(),
            },
        )
