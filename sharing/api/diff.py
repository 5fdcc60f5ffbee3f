"""/api/v1/notebooks/{id}/diff: what changed between two versions, as JSON.

The same comparison as the web page (``sharing.diff``), from the same cache. Big pairs are
computed by the background worker: until then the answer is 202 with the progress, and the
client asks again.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from sharing import permissions
from sharing.api.errors import ApiError, error_responses
from sharing.api.schemas import NotebookId, _api_enum
from sharing.diff import model
from sharing.diff.jobs import request_diff
from sharing.diff.pairs import BadComparison, check_pair, compare_url
from sharing.models import VersionDiff

router = Router(tags=["versions"])

MAX_DIGITS = 9


DiffStatus = _api_enum("DiffStatus", model.STATUSES)
CellPart = _api_enum("CellPart", (*model.CONTENT_PARTS, *model.MINOR_PARTS))
JobStatus = _api_enum("JobStatus", VersionDiff.Status)


class DiffSide(Schema):
    id: str = Field(description="The cell's id in that version.")
    index: int = Field(description="Its position in that version, from 0.")
    cell_type: str


class CellDiffOut(Schema):
    status: DiffStatus
    old: DiffSide | None = Field(description="The cell in the `from` version (null if added).")
    new: DiffSide | None = Field(description="The cell in the `to` version (null if removed).")
    changes: list[CellPart] = Field(
        description="What differs between the two sides. `execution_count` and `metadata` alone "
        "leave the status `unchanged`."
    )


class DiffSummary(Schema):
    modified: int
    added: int
    removed: int
    moved: int
    unchanged: int
    outputs_changed: int = Field(description="Cells whose outputs changed.")
    metadata_only: int = Field(description="Unchanged cells whose execution count or metadata did.")


class DiffOut(Schema):
    from_version: int
    to_version: int
    status: JobStatus = Field(description="`ready`, or `pending`/`running` (202), or `failed`.")
    progress: int = Field(description="Percent done.")
    error: str = Field(description="Why the comparison failed (e.g. past the time limit).")
    format: str = Field(description="Version of this diff format.")
    html_url: str = Field(description="The comparison's web page.")
    summary: DiffSummary | None = None
    metadata_changed: bool | None = Field(None, description="The notebook's own metadata.")
    cells: list[CellDiffOut] = Field(description="In reading order; empty until ready.")


VersionParam = Annotated[
    str,
    Query(
        max_length=20,
        description="A version number, from 1 (anything else is refused with 400).",
        examples=["1"],
    ),
]


def _number(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise ApiError(400, f"`{name}` must be a version number, like 3.", "bad_version")
    if len(value) > MAX_DIGITS:
        raise ApiError(404, "No such version.", "not_found")
    return int(value)


@router.get(
    "/notebooks/{notebook_id}/diff",
    response={200: DiffOut, 202: DiffOut, **error_responses(400, 404)},
    summary="Compare two versions",
    url_name="notebook-diff",
)
def diff(
    request: HttpRequest,
    notebook_id: NotebookId,
    from_: Annotated[VersionParam, Query(alias="from")],
    to: VersionParam,
):
    """Cell by cell: status (added, removed, modified, moved, unchanged), the cell's id on both
    sides, and which parts changed. Both versions must be visible to you.

    `from` newer than `to` is allowed: the result then shows going back.
    """
    notebook = permissions.get_notebook_or_404(request, notebook_id)
    old_number, new_number = _number(from_, "from"), _number(to, "to")
    try:
        check_pair(old_number, new_number)
    except BadComparison as problem:
        raise ApiError(400, str(problem), "bad_comparison") from None
    old, new = permissions.get_versions_or_404(request, notebook.pk, old_number, new_number)
    job = request_diff(old, new)
    data = job.data or {}
    body = {
        "from_version": old.number,
        "to_version": new.number,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "format": data.get("format", ""),
        "html_url": request.build_absolute_uri(compare_url(notebook.pk, old.number, new.number)),
        "summary": data.get("summary"),
        "metadata_changed": data.get("metadata_changed"),
        "cells": data.get("cells", []),
    }
    if not job.is_finished:
        return Status(202, body)
    if job.status == VersionDiff.Status.FAILED:
        body["status"] = VersionDiff.Status.FAILED
    return body
