"""What identifies a cell on the page: one rule for the renderer, comments and links to cells."""

from __future__ import annotations

import re
from collections.abc import Mapping
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
