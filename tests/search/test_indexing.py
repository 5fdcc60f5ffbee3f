"""When notebooks are indexed: small ones at upload, large ones by the background worker,
hostile ones within the budget."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from sharing.search.extract import MAX_TEXT_CHARS, parts_of_bytes
from sharing.search.indexing import index_in_background
from sharing.search.models import SearchEntry
from tests.search.conftest import every_part_bytes, found

pytestmark = pytest.mark.django_db


def test_a_large_notebook_is_indexed_by_the_background_worker(
    settings, alice, make_notebook, django_capture_on_commit_callbacks
):
    settings.RENDER_ASYNC_CELLS = 2  # every_part has 7 cells: "large" here
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notebook = make_notebook(alice, every_part_bytes(), title="Armadillo analysis")
    assert callbacks  # the indexing (and rendering) queued for after the commit
    assert found(alice, "marmalade") == []  # not yet: only the title so far
    assert found(alice, "armadillo") == [(notebook.pk, "title", "")]
    assert index_in_background.call(notebook.latest_version.pk) == "indexed"
    assert found(alice, "marmalade") == [(notebook.pk, "markdown", "md-cell")]


def test_indexed_text_is_capped_per_cell(alice, make_notebook):
    nb = new_notebook()
    huge = "word " * 100_000 + "needle"
    nb.cells = [new_code_cell("print()", id="big", outputs=[new_output("stream", text=huge)])]
    parts = parts_of_bytes(nbformat.writes(nb).encode())
    assert all(len(p.text) <= MAX_TEXT_CHARS for p in parts)
    notebook = make_notebook(alice, nbformat.writes(nb).encode())
    assert SearchEntry.objects.filter(notebook=notebook, kind="output").exists()
    assert found(alice, "needle") == []  # past the cap


def test_a_version_whose_reading_fails_keeps_its_title_searchable(settings, alice, make_notebook):
    settings.RENDER_INLINE_SECONDS = 0  # no time at all to read the cells
    settings.RENDER_TIMEOUT_SECONDS = 0
    notebook = make_notebook(alice, every_part_bytes(), title="Armadillo analysis")
    assert found(alice, "armadillo") == [(notebook.pk, "title", "")]
    assert index_in_background.call(notebook.latest_version.pk) == "failed"
    assert found(alice, "marmalade") == []
