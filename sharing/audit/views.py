"""Reading the audit log: the staff page with its exports, and a notebook's own events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sharing.audit import record as audit
from sharing.audit.export import FORMATS, export_response
from sharing.audit.forms import AuditFilterForm
from sharing.audit.models import Action, AuditEvent

NOTEBOOK_EVENTS_PER_PAGE = 10
NOTEBOOK_EVENTS_PARAM = "events"


@dataclass(frozen=True)
class Row:
    """One event as the pages show it."""

    event: AuditEvent
    at: datetime
    actor: str
    action: str
    subject: str
    details: list[tuple[str, str]]


def _detail_text(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "size" and isinstance(value, int):
        return filesizeformat(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return str(value)


def rows_of(events) -> list[Row]:
    rows = []
    for event in events:
        subject = event.object_title or event.object_id
        if event.version:
            subject = f"{subject} · v{event.version}"
        rows.append(
            Row(
                event=event,
                at=event.at,
                actor=event.actor_label,
                action=event.get_action_display(),
                subject=subject,
                details=[
                    (key.replace("_", " "), _detail_text(key, value))
                    for key, value in event.details.items()
                ],
            )
        )
    return rows


def _require_staff(request) -> None:
    """Anyone without staff rights is told the page does not exist."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404("No such page.")


def _filtered(request) -> tuple[AuditFilterForm, object]:
    """The filter form (always bound: no filters is a valid choice) and the events it picks;
    none when the form is invalid."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return form, AuditEvent.objects.none()
    return form, form.filter(AuditEvent.objects.all())


def _page(request, form, events, status: int = 200):
    page = Paginator(events, settings.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    cleaned = getattr(form, "cleaned_data", {})
    context = {
        "form": form,
        "page": page,
        "rows": rows_of(page.object_list),
        "filters": query.urlencode(),
        "filtered": any(cleaned.values()) or bool(form.errors),
        "formats": list(FORMATS),
        "retention": _retention_text(settings.AUDIT_RETENTION_DAYS),
    }
    return render(request, "sharing/audit/log.html", context, status=status)


def _retention_text(days: int) -> str:
    return f"for {days} day{'s' * (days != 1)}" if days > 0 else "forever"


@never_cache
@require_GET
def audit_log(request):
    _require_staff(request)
    form, events = _filtered(request)
    return _page(request, form, events, status=400 if form.errors else 200)


@never_cache
@require_GET
def export(request, fmt: str):
    _require_staff(request)
    if fmt not in FORMATS:
        raise Http404("No such format.")
    form, events = _filtered(request)
    if form.errors:
        return _page(request, form, events, status=400)
    filters = {name: value for name, value in request.GET.items() if value}
    audit.record(Action.AUDIT_EXPORTED, details={"format": fmt, "filters": filters})
    return export_response(events, fmt)


def notebook_events(request, notebook) -> Page:
    """A page of the notebook's own events, newest first, for its Share page (two queries:
    the count and the page)."""
    events = AuditEvent.objects.for_notebook(notebook.pk)
    paginator = Paginator(events, NOTEBOOK_EVENTS_PER_PAGE)
    return paginator.get_page(request.GET.get(NOTEBOOK_EVENTS_PARAM))
