"""The diff as data: statuses, changed parts and the summary."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.diff import model
from tests.diff.conftest import mixed_pair


def test_mixed_pair_statuses_and_summary():
    old, new = mixed_pair()
    diff = model.diff_notebooks(old, new)
    assert [c.status for c in diff.cells] == [
        "modified",
        "moved",
        "unchanged",
        "modified",
        "modified",
        "removed",
        "unchanged",
        "unchanged",
        "unchanged",
        "added",
    ]
    assert diff.summary()["outputs_changed"] == 2
    assert diff.has_changes


def test_rerun_with_the_same_result_is_an_execution_count_change_only():
    cell = new_code_cell(
        "1 + 1",
        execution_count=1,
        outputs=[new_output("execute_result", data={"text/plain": "2"}, execution_count=1)],
    )
    rerun = new_code_cell(
        "1 + 1",
        execution_count=9,
        outputs=[new_output("execute_result", data={"text/plain": "2"}, execution_count=9)],
    )
    rerun.id = cell.id
    diff = model.diff_notebooks(new_notebook(cells=[cell]), new_notebook(cells=[rerun]))
    (only,) = diff.cells
    assert only.status == "unchanged" and only.changes == ("execution_count",)
    assert only.minor_only and not diff.has_changes
    assert diff.summary()["metadata_only"] == 1


def test_metadata_changes_are_minor_but_listed():
    cell = new_markdown_cell("Text")
    tagged = new_markdown_cell("Text", metadata={"tags": ["hide"]})
    tagged.id = cell.id
    diff = model.diff_notebooks(new_notebook(cells=[cell]), new_notebook(cells=[tagged]))
    assert diff.cells[0].status == "unchanged" and diff.cells[0].changes == ("metadata",)


def test_notebook_metadata_change_is_reported():
    a, b = new_notebook(), new_notebook(metadata={"title": "Renamed"})
    assert model.diff_notebooks(a, b).metadata_changed


def test_dict_round_trip():
    old, new = mixed_pair()
    diff = model.diff_notebooks(old, new)
    again = model.from_dict(diff.as_dict())
    assert again.as_dict() == diff.as_dict()


def test_progress_is_reported_on_big_notebooks():
    cells = [new_code_cell(f"x = {i}") for i in range(1200)]
    seen = []
    model.diff_notebooks(
        new_notebook(cells=cells), new_notebook(cells=cells), lambda *p: seen.append(p)
    )
    assert seen == [(500, 1200), (1000, 1200)]
