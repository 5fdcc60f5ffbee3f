"""The comment threads written into the notebook page itself, so that they can be read and
answered with plain HTML forms when JavaScript is off (static/js/comments.js replaces them).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sharing import permissions
from sharing.comments import version_cells, version_data
from sharing.models import NotebookVersion
from sharing.storage import STORE_ERRORS

logger = logging.getLogger(__name__)

CHOICE_CHARS = 60


def page_data(version: NotebookVersion, access: permissions.Access) -> dict[str, Any]:
    """The version's threads grouped by cell (removed cells last), in the same two queries as
    the JSON endpoint, plus the cells a new thread can start on (latest version, comment rights).
    """
    data = version_data(version, access)
    data["threads"].sort(
        key=lambda t: (t["cell_id"] is None, t["cell_index"] or 0, t["resolved"], t["id"])
    )
    for thread in data["threads"]:
        for comment in thread["comments"]:
            comment["created"] = datetime.fromisoformat(comment["created_at"])
    can_start = data["can_comment"] and data["is_latest"]
    try:
        data["cell_choices"] = cell_choices(version) if can_start else []
    except STORE_ERRORS:  # the file store is away: the threads still show, new ones wait
        logger.warning("No cell list for %s: the file store is not reachable", version)
        data["cell_choices"] = []
    return data


def cell_choices(version: NotebookVersion) -> list[tuple[str, str]]:
    """(cell id, label) for every cell, in order: "Cell 3 (code): first line of its source"."""
    choices = []
    for cell in sorted(version_cells(version).values(), key=lambda cell: cell.index):
        first_line = cell.excerpt.split("\n", 1)[0].strip() or "(empty)"
        if len(first_line) > CHOICE_CHARS:
            first_line = first_line[: CHOICE_CHARS - 1].rstrip() + "…"
        choices.append((cell.id, f"Cell {cell.index + 1} ({cell.cell_type}): {first_line}"))
    return choices
