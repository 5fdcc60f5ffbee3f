"""A notebook with every searchable part, and a helper to search as someone."""

from __future__ import annotations

import nbformat
import pytest
from django.test import RequestFactory
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from sharing.cells import Cell
from sharing.comments.threads import start_thread
from sharing.permissions import Access
from sharing.search.service import Filters, search

TABLE = (
    "<table border='1' class='dataframe'><thead><tr><th>city</th><th>population</th></tr>"
    "</thead><tbody><tr><td>Reykjavik</td><td>139875</td></tr></tbody></table>"
)


def every_part_bytes() -> bytes:
    """One notebook whose every part carries a word found nowhere else."""
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Quarterly figures\nThe *marmalade* report.", id="md-cell"),
        new_code_cell(
            "import pandas as pd\ndf = pd.read_csv('sales.csv')\n"
            "X_train, X_test = train_test_split(df)\ntotals = df.groupby('region').sum()",
            id="code-cell",
            metadata={"tags": ["parameters", "zeppelin"]},
            outputs=[new_output("stream", name="stdout", text="loaded walrus rows\n")],
        ),
        new_code_cell(
            "df.describe()",
            id="plain-cell",
            outputs=[new_output("execute_result", data={"text/plain": "count  quokka"})],
        ),
        new_code_cell(
            "1 / 0",
            id="error-cell",
            outputs=[
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=["\x1b[0;31mZeroDivisionError\x1b[0m: \x1b[1mplatypus\x1b[0m"],
                )
            ],
        ),
        new_code_cell(
            "show()",
            id="md-output-cell",
            outputs=[new_output("display_data", data={"text/markdown": "**narwhal** summary"})],
        ),
        new_code_cell(
            "df.head()",
            id="table-cell",
            outputs=[
                new_output(
                    "execute_result", data={"text/html": TABLE, "text/plain": "city population"}
                )
            ],
        ),
        new_raw_cell("raw text with ocelot", id="raw-cell"),
    ]
    return nbformat.writes(nb).encode()


@pytest.fixture
def every_part(alice, make_notebook):
    return make_notebook(alice, every_part_bytes(), title="Armadillo analysis")


def as_user(user, links=()):
    return Access(user, links)


def found(user, text: str, links=(), **filters) -> list:
    """(notebook id, kind, cell id) of each result ``user`` gets for ``text``."""
    page = search(as_user(user, links), text, Filters(**filters))
    return [(r.notebook_id, r.kind, r.cell_id) for r in page.results]


@pytest.fixture
def rf():
    return RequestFactory()


def comment_on(notebook, user, body: str, cell_id: str = "md-cell"):
    """Start a thread on one of the notebook's cells; its first comment."""
    cell = Cell(cell_id, 0, "markdown", "0" * 64, "")
    comment, _rendered = start_thread(notebook, notebook.latest_version, cell, user, body)
    return comment
