"""The comparison's HTML: hostile content on either side stays harmless; the markup says what
changed (line and intra-line marks, folded unchanged runs, no anchors on removed cells)."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sharing.diff import html as diff_html
from sharing.diff import model
from tests.diff.conftest import mixed_pair
from tests.hostile import hostile_notebooks
from tests.rendering.test_renderer import assert_harmless, elements


def render(old, new) -> str:
    return diff_html.render_diff(old, new, model.diff_notebooks(old, new))


def edited(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The same cells (same ids), each with a source line more, outputs reversed and a tag."""
    changed = copy.deepcopy(nb)
    for cell in changed.cells:
        cell.source = str(cell.source) + "\nand one more line"
        cell.metadata["tags"] = ["edited"]
        if cell.cell_type == "code":
            cell.outputs = list(reversed(cell.outputs))
            cell.execution_count = 42
    return changed


BENIGN = new_notebook(cells=[new_markdown_cell("# Plain"), new_code_cell("x = 1")])


@pytest.mark.parametrize(
    ("name", "nb"), hostile_notebooks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_hostile_notebook_on_either_side_is_harmless(name, nb):
    for old, new in ((BENIGN, nb), (nb, BENIGN), (nb, edited(nb)), (edited(nb), nb)):
        html = render(old, new)
        # Sources are shown as escaped text in line diffs, so only markup is checked.
        assert_harmless(html, text_too=False)
        for _tag, attrs in elements(html):
            for value in attrs.values():
                assert "evil.example" not in (value or ""), (name, value)


def test_modified_cells_show_line_and_word_marks_in_both_layouts():
    old, new = mixed_pair()
    html = render(old, new)
    assert html.count('class="nd-lines nd-split-table"') == html.count("nd-unified-table")
    assert "<del>third</del>" in html and "<ins>fourth</ins>" in html
    assert "<ins>, 9</ins>" in html  # data = [3, 1, 4, 1, 5, 9]


def test_image_outputs_are_shown_before_and_after():
    old, new = mixed_pair()
    html = render(old, new)
    plot = html[html.index("plot") - 2000 : html.index("plot") + 4000]
    assert plot.count('<img src="data:image/png;base64,') >= 2
    assert '<p class="nd-label">Before</p>' in html and '<p class="nd-label">After</p>' in html


def test_unchanged_runs_fold_and_removed_cells_have_no_anchor():
    old, new = mixed_pair()
    html = render(old, new)
    assert "<summary>3 unchanged cells</summary>" in html
    removed = html[html.index("nd-row nd-removed") :]
    removed = removed[: removed.index("nd-row", 10)]
    assert "data-cell-id" not in removed and 'id="cell-' not in removed
    new_ids = {cell.id for cell in new.cells}
    anchored = {attrs["data-cell-id"] for _, attrs in elements(html) if "data-cell-id" in attrs}
    assert anchored == new_ids  # every cell of the newer side, once, for comments


def test_execution_count_changes_are_marked_minor():
    old, new = mixed_pair()
    html = render(old, new)
    assert "nd-row nd-unchanged nd-minor" in html
    assert "Execution count: 1 → 2" in html
