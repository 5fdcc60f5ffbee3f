"""sharing.cells: what a cell is called, as the page shows it."""

from __future__ import annotations

import pytest

from sharing.cells import cell_label, cells_of


def _nb(*cells) -> dict:
    return {"cells": list(cells)}


@pytest.mark.parametrize(
    ("cell", "label"),
    [
        ({"cell_type": "code", "source": "x", "execution_count": 3}, "In [3]"),
        ({"cell_type": "code", "source": "x", "execution_count": 0}, "In [0]"),
        ({"cell_type": "code", "source": "x", "execution_count": None}, "Cell 2"),
        ({"cell_type": "markdown", "source": "# A", "execution_count": 4}, "Cell 2"),
        # Whatever else an author wrote there names no prompt.
        ({"cell_type": "code", "source": "x", "execution_count": "3"}, "Cell 2"),
        ({"cell_type": "code", "source": "x", "execution_count": True}, "Cell 2"),
        ({"cell_type": "code", "source": "x", "execution_count": -1}, "Cell 2"),
    ],
)
def test_a_cell_is_named_by_its_prompt_or_its_place(cell, label):
    first = {"cell_type": "markdown", "source": "intro"}
    cells = cells_of(_nb(first, cell))
    assert cell_label(cells[1]) == label
    assert cell_label(cells[0]) == "Cell 1"
