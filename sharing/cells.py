"""What identifies a cell: the id rule of the page, and the summary of a cell that comments
anchor to (id, position, type, source hash, excerpt). Pure functions: no Django."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # nbformat's own rule for cell ids


def page_cell_id(cell: Mapping[str, Any], index: int) -> str:
    """The cell's id if it is a valid one, else a stand-in from its position.

    Validated notebooks always carry valid ids; the stand-in only guards against a stored
    file that does not (it is never trusted).
    """
    cell_id = cell.get("id")
    if isinstance(cell_id, str) and CELL_ID.fullmatch(cell_id):
        return cell_id
    return f"index-{index}"


EXCERPT_LINES = 6
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Cell:
    id: str
    index: int
    cell_type: str
    source_sha256: str
    excerpt: str
    execution_count: int | None = None  # a code cell's prompt number, if it has one


def cell_label(cell: Cell) -> str:
    """What the page shows for a cell: its prompt ("In [3]") or, without one, "Cell 7"."""
    if cell.execution_count is not None:
        return f"In [{cell.execution_count}]"
    return f"Cell {cell.index + 1}"


def source_hash(source: str) -> str:
    """Hash of a cell's source; trailing whitespace does not count as a change."""
    return hashlib.sha256(source.rstrip().encode("utf-8")).hexdigest()


def excerpt_of(source: str) -> str:
    lines = source.strip("\n").splitlines()
    text = "\n".join(line.rstrip() for line in lines[:EXCERPT_LINES])
    if len(lines) > EXCERPT_LINES or len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
    return text


def cells_of(nb: Mapping[str, Any]) -> tuple[Cell, ...]:
    """The cells of a validated notebook, with the ids the rendered page uses."""
    cells = []
    for index, cell in enumerate(nb.get("cells") or []):
        if not isinstance(cell, Mapping):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        cell_id = page_cell_id(cell, index)
        cell_type = str(cell.get("cell_type", "raw"))[:16]
        count = cell.get("execution_count") if cell_type == "code" else None
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            count = None
        cells.append(
            Cell(cell_id, index, cell_type, source_hash(source), excerpt_of(source), count)
        )
    return tuple(cells)
