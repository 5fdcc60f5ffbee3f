"""Pairing cells: ids first, then identical source, then similar source inside gaps."""

from __future__ import annotations

from sharing.diff import align
from sharing.diff.align import CellKey, Row


def keys(*sources: str, ids: bool = False, cell_type: str = "code") -> list[CellKey]:
    return [
        CellKey(source if ids else None, cell_type, align.normalise(source)) for source in sources
    ]


def test_same_ids_are_the_same_cell_wherever_they_are():
    old = [CellKey("a", "code", "x = 1"), CellKey("b", "code", "y = 2"), CellKey("c", "code", "z")]
    new = [CellKey("c", "code", "z"), CellKey("a", "code", "x = 100"), CellKey("b", "code", "q")]
    rows = align.align(old, new)
    assert rows == [Row(2, 0, moved=True), Row(0, 1), Row(1, 2)]


def test_without_ids_identical_cells_pair_and_edited_ones_pair_by_similarity():
    old = keys("import pandas as pd", "df = pd.read_csv('a.csv')", "df.head()", "df.plot()")
    new = keys("import pandas as pd", "df = pd.read_csv('b.csv')", "df.head()", "df.plot()")
    assert align.align(old, new, by_id=False) == [Row(0, 0), Row(1, 1), Row(2, 2), Row(3, 3)]


def test_unrelated_cells_are_removed_then_added_not_paired():
    old = keys("a = 1", "completely different text about something", "c = 3")
    new = keys("a = 1", "zzz", "c = 3")
    assert align.align(old, new) == [Row(0, 0), Row(1, None), Row(None, 1), Row(2, 2)]


def test_a_cell_never_pairs_with_one_of_another_type():
    old = [CellKey(None, "code", "# Title"), CellKey(None, "code", "x")]
    new = [CellKey(None, "markdown", "# Title!"), CellKey(None, "code", "x")]
    assert align.align(old, new) == [Row(0, None), Row(None, 0), Row(1, 1)]


def test_repeated_sources_pair_in_order():
    old = keys("", "plt.show()", "", "plt.show()")
    new = keys("", "plt.show()", "", "plt.show()", "")
    assert align.align(old, new) == [Row(0, 0), Row(1, 1), Row(2, 2), Row(3, 3), Row(None, 4)]


def test_moved_cells_keep_the_longest_ordered_run_in_place():
    old = keys("a", "b", "c", "d", "e", ids=True)
    new = keys("b", "c", "d", "e", "a", ids=True)
    rows = align.align(old, new)
    assert rows[-1] == Row(0, 4, moved=True)
    assert [r.moved for r in rows[:-1]] == [False] * 4


def test_every_cell_appears_once():
    old = keys(*[f"cell {i}" for i in range(50)])
    new = keys(*[f"cell {i}" for i in range(0, 50, 2)], *[f"new {i}" for i in range(10)])
    rows = align.align(old, new)
    assert sorted(r.old for r in rows if r.old is not None) == list(range(50))
    assert sorted(r.new for r in rows if r.new is not None) == list(range(35))


def test_a_huge_gap_is_paired_by_position_with_bounded_work(monkeypatch):
    # 3,000 edited cells in one gap: far past the exact alignment's budget.
    old = keys(*[f"value_{i} = compute({i}, mode='fast')" for i in range(3000)])
    new = keys(*[f"value_{i} = compute({i}, mode='slow')" for i in range(3000)])
    compared = []
    similarity = align.similarity
    monkeypatch.setattr(align, "similarity", lambda a, b: compared.append(1) or similarity(a, b))
    rows = align.align(old, new)
    assert len(compared) <= align.MAX_EXACT_WORK  # not the 9,000,000 pairs of the gap
    assert rows == [Row(i, i) for i in range(3000)]


def test_similarity_is_zero_for_empty_or_dissimilar_and_one_for_equal():
    assert align.similarity("abc", "abc") == 1.0
    assert align.similarity("", "abc") == 0.0
    assert align.similarity("abcdef", "uvwxyz") == 0.0
    long_a = "\n".join(f"line {i}" for i in range(500))
    long_b = long_a.replace("line 7\n", "line seven\n")
    assert align.similarity(long_a, long_b) > 0.9  # line by line for long sources


def test_similarity_counts_shared_characters_around_an_edit():
    assert align.similarity("x = 1", "x = 1  # edited") == 2 * 5 / 20  # all of the old is kept
    assert align.similarity("print(a)\nprint(b)", "print(a)\nshow(b)") > 0.7


def test_pairs_that_cannot_reach_the_threshold_are_never_aligned(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("aligned a pair that could not be similar")

    monkeypatch.setattr(align, "SequenceMatcher", refuse)
    assert align.similarity("added_328613 = 'data'", 'print("x")') == 0.0  # few shared chars
    assert align.similarity("a" * 10, "b" * 100) == 0.0  # lengths alone rule it out
