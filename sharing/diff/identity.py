"""Stable cell ids across versions for notebooks whose file carries none.

Notebooks older than nbformat 4.5 have no cell ids, so every upload mints new ones and nothing
would connect version N+1 to version N. When a version arrives, each cell whose id was minted
for this upload takes the id of the cell it matches in the previous version (``align``: same
source first, then the best alignment of the rest); cells with nothing to match keep their new
id. Ids written in the file are never changed, and an inherited id never collides with one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import nbformat

from sharing.cells import cells_of
from sharing.diff.align import keys_of, match_cells
from sharing.ingest import ValidatedNotebook


def inherited_ids(previous: Mapping[str, Any], cells: list, minted: frozenset[str]) -> dict:
    """Index of a new cell -> the previous version's id it takes over."""
    new_keys = keys_of({"cells": cells})
    old_keys = keys_of(previous)
    # Minted ids are random: matching them by id is pointless; ids from the file do count.
    found = match_cells(old_keys, new_keys)["pairs"]
    taken = {cell.get("id") for cell in cells if cell.get("id") not in minted}
    chosen: dict[int, str] = {}
    for j, i in found.items():
        old_id = old_keys[i].id
        if cells[j].get("id") in minted and old_id and old_id not in taken:
            chosen[j] = old_id
            taken.add(old_id)
    return chosen


def inherit_cell_ids(
    previous: Mapping[str, Any], validated: ValidatedNotebook
) -> ValidatedNotebook:
    """``validated`` with the ids its minted cells inherit from ``previous`` (a notebook)."""
    if not validated.minted_ids:
        return validated
    nb = validated.notebook  # parsed anew from the normalised bytes: ours to change
    chosen = inherited_ids(previous, list(nb.cells), validated.minted_ids)
    if not chosen:
        return validated
    replaced = {nb.cells[j]["id"] for j in chosen}
    for index, cell_id in chosen.items():
        nb.cells[index]["id"] = cell_id
    normalized = nbformat.writes(nb).encode("utf-8")
    return validated.with_normalized(
        normalized, cells=cells_of(nb), minted_ids=validated.minted_ids - replaced
    )


def inherit_from_bytes(previous: bytes, validated: ValidatedNotebook) -> ValidatedNotebook:
    """``inherit_cell_ids`` from the previous version's stored bytes (run within a budget)."""
    return inherit_cell_ids(nbformat.reads(previous.decode("utf-8"), 4), validated)


def inherit_from_file(previous_path: str, validated: ValidatedNotebook) -> ValidatedNotebook:
    """``inherit_from_bytes`` reading the previous version from a file (within a budget)."""
    with open(previous_path, "rb") as handle:
        return inherit_from_bytes(handle.read(), validated)
