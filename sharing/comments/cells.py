"""The cells of a stored version as comments see them: id, position, type, source hash, excerpt."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nbformat
from django.core.files.storage import default_storage

from sharing.cells import page_cell_id
from sharing.models import NotebookVersion

EXCERPT_LINES = 6
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Cell:
    id: str
    index: int
    cell_type: str
    source_sha256: str
    excerpt: str


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
        cells.append(Cell(cell_id, index, cell_type, source_hash(source), excerpt_of(source)))
    return tuple(cells)


@lru_cache(maxsize=32)
def _stored_cells(name: str) -> tuple[Cell, ...]:
    # Stored files never change (every version gets new random names), so caching is safe.
    with default_storage.open(name, "rb") as handle:
        return cells_of(nbformat.reads(handle.read().decode("utf-8"), 4))


def version_cells(version: NotebookVersion) -> dict[str, Cell]:
    """Cell id -> cell, read from the version's stored normalised notebook."""
    return {cell.id: cell for cell in _stored_cells(version.normalized.name)}
