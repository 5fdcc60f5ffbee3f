"""Streamed exports of the audit log: CSV and JSON lines, the same fields as the logger's."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from sharing.audit.record import as_dict

FIELDS = [
    "id",
    "at",
    "actor_kind",
    "actor_user_id",
    "actor",
    "actor_ref",
    "action",
    "object_type",
    "object_id",
    "object_title",
    "notebook_id",
    "version",
    "ip_address",
    "user_agent",
    "request_id",
    "outcome",
    "details",
]
CHUNK = 1000
# A spreadsheet would run a cell starting with these as a formula: such values get a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """The csv module writes to this and gets the line back."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = json.dumps(value, sort_keys=True)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_lines(events: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(FIELDS)
    for event in events.iterator(chunk_size=CHUNK):
        row = as_dict(event)
        yield writer.writerow([_cell(row[name]) for name in FIELDS])


def json_lines(events: QuerySet) -> Iterator[str]:
    for event in events.iterator(chunk_size=CHUNK):
        yield json.dumps(as_dict(event), sort_keys=True, default=str) + "\n"


FORMATS = {
    "csv": (csv_lines, "text/csv; charset=utf-8", "csv"),
    "jsonl": (json_lines, "application/jsonl; charset=utf-8", "jsonl"),
}


def export_response(events: QuerySet, fmt: str) -> StreamingHttpResponse:
    lines, content_type, extension = FORMATS[fmt]
    response = StreamingHttpResponse(lines(events), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
