"""The cells of a stored version, read from its normalised file (cached: files never change)."""

from __future__ import annotations

from functools import lru_cache

import nbformat
from django.core.files.storage import default_storage

from sharing.cells import Cell, cells_of
from sharing.models import NotebookVersion


@lru_cache(maxsize=32)
def _stored_cells(name: str) -> tuple[Cell, ...]:
    # Stored files never change (every version gets new random names), so caching is safe.
    with default_storage.open(name, "rb") as handle:
        return cells_of(nbformat.reads(handle.read().decode("utf-8"), 4))


def version_cells(version: NotebookVersion) -> dict[str, Cell]:
    """Cell id -> cell, read from the version's stored normalised notebook."""
    return {cell.id: cell for cell in _stored_cells(version.normalized.name)}
