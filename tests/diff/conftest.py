"""Notebooks for the comparison tests: built in code, with or without cell ids in the file."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.ingest import Upload
from sharing.notebooks import add_version


def png(width: int, height: int, rgb: tuple[int, int, int]) -> str:
    """A plain-coloured PNG, base64 as notebooks hold images."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    return base64.b64encode(data + chunk(b"IEND", b"")).decode()


BLUE_BARS = png(160, 60, (47, 111, 222))
ORANGE_BARS = png(160, 90, (240, 150, 20))


def code(source: str, count: int | None = None, text: str | None = None, png: str | None = None):
    outputs = []
    if text is not None:
        outputs.append(new_output("stream", name="stdout", text=text))
    if png is not None:
        outputs.append(new_output("display_data", data={"image/png": png, "text/plain": "<img>"}))
    return new_code_cell(source, execution_count=count, outputs=outputs)


def as_v44(nb: nbformat.NotebookNode) -> bytes:
    """The notebook written as nbformat 4.4: no cell ids in the file."""
    data = json.loads(nbformat.writes(nb))
    data["nbformat_minor"] = 4
    for cell in data["cells"]:
        cell.pop("id", None)
    return json.dumps(data).encode()


def as_bytes(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode()


def thirty_cells() -> nbformat.NotebookNode:
    cells = [new_markdown_cell("# Thirty cells\nAn analysis in thirty steps.")]
    cells += [code(f"step_{i} = {i} * 2\nprint(step_{i})", i, f"{i * 2}\n") for i in range(1, 30)]
    return new_notebook(cells=cells)


def mixed_pair() -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """Version 1 and 2 with a modified, an added, a removed and a moved cell, a changed image,
    a cell whose execution count alone changed and runs of unchanged cells."""
    old = new_notebook(
        cells=[
            new_markdown_cell("# Sales report\nNumbers for the *third* quarter."),
            code("import math\nimport statistics", 1),
            code("data = [3, 1, 4, 1, 5]\nmean = statistics.mean(data)\nprint(mean)", 2, "2.8\n"),
            code("plot(data)", 3, png=BLUE_BARS),
            code("def helper(x):\n    return x + 1", 4),
            code("old_cell = 'goes away'", 5),
            new_markdown_cell("## Conclusion\nSales went up."),
            code("summary = sum(data)", 6),
            code("print('done')", 7, "done\n"),
        ]
    )
    new = new_notebook(
        cells=[
            new_markdown_cell("# Sales report\nNumbers for the *fourth* quarter."),
            code("def helper(x):\n    return x + 1", 1),  # moved to the top
            code("import math\nimport statistics", 2),
            code(
                "data = [3, 1, 4, 1, 5, 9]\nmean = statistics.mean(data)\nprint(mean)", 3, "3.83\n"
            ),
            code("plot(data)", 4, png=ORANGE_BARS),
            new_markdown_cell("## Conclusion\nSales went up."),
            code("summary = sum(data)", 6),
            code("print('done')", 7, "done\n"),
            code("extra = 'brand new cell'", 8),
        ]
    )
    # Same ids where the cell is the same: as Jupyter would have kept them.
    for new_index, old_index in {0: 0, 1: 4, 2: 1, 3: 2, 4: 3, 5: 6, 6: 7, 7: 8}.items():
        new.cells[new_index].id = old.cells[old_index].id
    return old, new


@pytest.fixture
def two_versions(alice, make_notebook):
    """A notebook of alice's with versions 1 and 2 from ``mixed_pair``."""
    old, new = mixed_pair()
    notebook = make_notebook(alice, as_bytes(old), title="Sales")
    add_version(notebook, alice, Upload.from_bytes("sales.ipynb", as_bytes(new)))
    notebook.refresh_from_db()
    return notebook
