"""What changed between two notebooks, cell by cell: the diff as data (JSON-ready).

Each row of the comparison has a status:

* ``added`` / ``removed``: the cell is only in the newer / older notebook;
* ``modified``: the same cell, with its source, outputs, type or attachments changed;
* ``moved``: the same cell at another place (possibly modified too, see ``changes``);
* ``unchanged``: nothing a reader sees changed. Its execution count or metadata may have
  (``changes`` lists ``execution_count`` / ``metadata``): that is noise unless asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sharing.cells import page_cell_id
from sharing.diff.align import Row, align, is_mapping, keys_of_cells, source_text

# Part of the cache key of computed diffs: bump whenever the data or its HTML changes.
DIFF_FORMAT_VERSION = "1"

ADDED, REMOVED, MODIFIED, MOVED, UNCHANGED = "added", "removed", "modified", "moved", "unchanged"
STATUSES = (MODIFIED, ADDED, REMOVED, MOVED, UNCHANGED)
CONTENT_PARTS = ("cell_type", "source", "outputs", "attachments")
MINOR_PARTS = ("execution_count", "metadata")

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Side:
    id: str
    index: int
    cell_type: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "index": self.index, "cell_type": self.cell_type}


@dataclass(frozen=True, slots=True)
class CellDiff:
    status: str
    old: Side | None
    new: Side | None
    changes: tuple[str, ...] = ()

    @property
    def is_change(self) -> bool:
        return self.status != UNCHANGED

    @property
    def minor_only(self) -> bool:
        return self.status == UNCHANGED and bool(self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "old": self.old.as_dict() if self.old else None,
            "new": self.new.as_dict() if self.new else None,
            "changes": list(self.changes),
        }


@dataclass
class NotebookDiff:
    cells: list[CellDiff] = field(default_factory=list)
    metadata_changed: bool = False

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        outputs = minor = 0
        for cell in self.cells:
            counts[cell.status] += 1
            outputs += "outputs" in cell.changes
            minor += cell.minor_only
        return {**counts, "outputs_changed": outputs, "metadata_only": minor}

    @property
    def has_changes(self) -> bool:
        return any(cell.is_change for cell in self.cells)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": DIFF_FORMAT_VERSION,
            "summary": self.summary(),
            "metadata_changed": self.metadata_changed,
            "cells": [cell.as_dict() for cell in self.cells],
        }


def cells_of(nb: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [cell for cell in nb.get("cells") or [] if is_mapping(cell)]


def cell_id(cell: Mapping[str, Any], index: int) -> str:
    return page_cell_id(cell, index)  # the id the rendered page, comments and links use


def comparable_outputs(cell: Mapping[str, Any]) -> list:
    """Outputs without their execution counts (a re-run with the same result is no change)."""
    outputs = []
    for output in cell.get("outputs") or []:
        if isinstance(output, Mapping):
            output = {k: v for k, v in output.items() if k not in {"execution_count", "transient"}}
            if isinstance(output.get("text"), list):
                output["text"] = "".join(map(str, output["text"]))
        outputs.append(output)
    return outputs


def changed_parts(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    parts = []
    if old.get("cell_type") != new.get("cell_type"):
        parts.append("cell_type")
    if source_text(old).rstrip() != source_text(new).rstrip():
        parts.append("source")
    same_outputs = old.get("outputs") == new.get("outputs")  # the common case, checked fast
    if not same_outputs and comparable_outputs(old) != comparable_outputs(new):
        parts.append("outputs")
    if (old.get("attachments") or {}) != (new.get("attachments") or {}):
        parts.append("attachments")
    if old.get("execution_count") != new.get("execution_count") or (
        not same_outputs and _output_counts(old) != _output_counts(new)
    ):
        parts.append("execution_count")
    if (old.get("metadata") or {}) != (new.get("metadata") or {}):
        parts.append("metadata")
    return tuple(parts)


def _output_counts(cell: Mapping[str, Any]) -> list:
    return [o.get("execution_count") for o in cell.get("outputs") or [] if isinstance(o, Mapping)]


def diff_notebooks(
    old_nb: Mapping[str, Any], new_nb: Mapping[str, Any], progress: Progress | None = None
) -> NotebookDiff:
    old_cells, new_cells = cells_of(old_nb), cells_of(new_nb)
    rows = align(keys_of_cells(old_cells), keys_of_cells(new_cells))
    diff = NotebookDiff(metadata_changed=_notebook_metadata(old_nb) != _notebook_metadata(new_nb))
    for done, row in enumerate(rows, 1):
        diff.cells.append(_cell_diff(row, old_cells, new_cells))
        if progress is not None and done % 500 == 0:
            progress(done, len(rows))
    return diff


def _notebook_metadata(nb: Mapping[str, Any]) -> Any:
    return nb.get("metadata") or {}


def _side(cells, index: int | None) -> Side | None:
    if index is None:
        return None
    cell = cells[index]
    return Side(cell_id(cell, index), index, str(cell.get("cell_type", "")))


def _cell_diff(row: Row, old_cells, new_cells) -> CellDiff:
    old, new = _side(old_cells, row.old), _side(new_cells, row.new)
    if new is None:
        return CellDiff(REMOVED, old, None)
    if old is None:
        return CellDiff(ADDED, None, new)
    changes = changed_parts(old_cells[row.old], new_cells[row.new])
    if row.moved:
        status = MOVED
    elif any(part in CONTENT_PARTS for part in changes):
        status = MODIFIED
    else:
        status = UNCHANGED
    return CellDiff(status, old, new, changes)


def from_dict(data: Mapping[str, Any]) -> NotebookDiff:
    """The inverse of ``NotebookDiff.as_dict`` (for diffs read back from the cache)."""

    def side(value):
        return Side(value["id"], value["index"], value["cell_type"]) if value else None

    return NotebookDiff(
        cells=[
            CellDiff(c["status"], side(c["old"]), side(c["new"]), tuple(c["changes"]))
            for c in data.get("cells", [])
        ],
        metadata_changed=bool(data.get("metadata_changed")),
    )
