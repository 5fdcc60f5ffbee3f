"""Every indexed part of a notebook is found, with its cell, on both databases."""

from __future__ import annotations

import pytest

from sharing.search.models import SearchEntry
from tests.search.conftest import found

pytestmark = pytest.mark.django_db

PARTS = [
    ("armadillo", "title", ""),
    ("marmalade", "markdown", "md-cell"),
    ("zeppelin", "code", "code-cell"),  # a cell tag
    ("walrus", "output", "code-cell"),  # stream
    ("quokka", "output", "plain-cell"),  # text/plain
    ("platypus", "output", "error-cell"),  # traceback, ANSI codes removed
    ("narwhal", "output", "md-output-cell"),  # text/markdown
    ("reykjavik", "output", "table-cell"),  # the text of an HTML table
    ("ocelot", "raw", "raw-cell"),
]


@pytest.mark.parametrize(("word", "kind", "cell"), PARTS, ids=[p[0] for p in PARTS])
def test_each_part_is_found_with_its_cell(every_part, alice, word, kind, cell):
    assert found(alice, word) == [(every_part.pk, kind, cell)]


@pytest.mark.parametrize(
    "text",
    [
        "read_csv",
        "pd.read_csv",
        "csv",
        "read",
        "train_test_split",
        "split",
        "df.groupby",
        "groupby",
        "X_train",
    ],
)
def test_code_identifiers_are_found_by_parts_and_whole(every_part, alice, text):
    assert found(alice, text) == [(every_part.pk, "code", "code-cell")]


def test_a_dotted_whole_does_not_match_other_names(every_part, alice):
    assert found(alice, "pd.groupby") == []
    assert found(alice, "read_sql") == []


def test_traceback_is_indexed_without_ansi_codes(every_part, alice):
    entry = SearchEntry.objects.get(cell_id="error-cell", kind="output")
    assert "\x1b" not in entry.text
    assert "ZeroDivisionError: platypus" in entry.text
