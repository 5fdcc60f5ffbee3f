"""Pairing the cells of two notebooks: by id, then by identical source, then by similarity.

1. Cells whose id appears on both sides are the same cell, wherever they are.
2. Of the cells left, one with exactly the same (normalised) source and type on the other
   side is the same cell: this finds unchanged cells whose ids were minted anew.
3. The pairs found so far that keep their order (a longest increasing subsequence) split both
   notebooks into gaps; inside each gap, cells of the same type with similar source are paired
   by a small sequence alignment (or, in a gap too big for one, position by position).

Pairs outside the increasing subsequence are cells that moved. Everything is linear or
n log n in the number of cells except step 3, which is bounded per gap.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, NamedTuple

SIMILAR = 0.5  # the least similarity for two edited cells to count as one cell
MAX_GAP_PRODUCT = 2_500  # cells old x new in a gap aligned exactly; bigger gaps go by position
MAX_EXACT_WORK = 40_000  # pairs compared exactly in one notebook, whatever its shape
CHAR_RATIO_SIZE = 40  # shorter sources are compared character by character
CHAR_RATIO_LIMIT = 4_000  # longer ones word by word, and past this line by line
_TOKENS = re.compile(r"\w+|[^\w\s]")


class CellKey(NamedTuple):
    """What alignment looks at in a cell (a tuple: made for every cell, on both sides)."""

    id: str | None
    cell_type: str
    source: str  # normalised: trailing spaces and blank edges dropped

    @classmethod
    def of(cls, cell: Mapping[str, Any]) -> CellKey:
        cell_id, cell_type = cell.get("id"), cell.get("cell_type", "")
        return cls(
            cell_id if isinstance(cell_id, str) and cell_id else None,
            cell_type if isinstance(cell_type, str) else str(cell_type),
            normalise(source_text(cell)),
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the comparison: an old cell, a new cell, or a pair (``moved`` if reordered)."""

    old: int | None
    new: int | None
    moved: bool = False


def source_text(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(part) for part in source)
    return source if isinstance(source, str) else str(source)


def normalise(source: str) -> str:
    text = source.strip("\n")
    if " \n" in text or "\t\n" in text or "\r" in text or text.endswith((" ", "\t")):
        return "\n".join(line.rstrip() for line in text.splitlines())
    return text  # the common case: nothing to drop, no copy line by line


def keys_of(nb: Mapping[str, Any]) -> list[CellKey]:
    return keys_of_cells([cell for cell in nb.get("cells") or [] if is_mapping(cell)])


def keys_of_cells(cells: Sequence[Mapping[str, Any]]) -> list[CellKey]:
    return [CellKey.of(cell) for cell in cells]


def is_mapping(value: Any) -> bool:
    if isinstance(value, dict):  # checked first: the ABC check is slow
        return True
    return isinstance(value, Mapping)


def similarity(a: str, b: str) -> float:
    """How alike two sources are, 0 to 1: twice the characters in common over both lengths.

    An edit leaves most of a cell as it was: the common start and end are compared as whole
    strings, and only what lies between is aligned (characters, words or lines by its size).
    Sources too different in length to reach ``SIMILAR`` are not aligned at all.
    """
    if a == b:
        return 1.0
    size = len(a) + len(b)
    if not a or not b or 2 * min(len(a), len(b)) < SIMILAR * size:  # the most it could be
        return 0.0
    start = _common_prefix(a, b)
    end = _common_suffix(a[start:], b[start:])
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    common = start + end
    if middle_a and middle_b:
        needed = SIMILAR * size / 2 - common  # what the middle must add to reach SIMILAR
        common += _matched_chars(middle_a, middle_b, needed)
    return 2 * common / size


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common start (bisected with whole-slice comparisons)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _matched_chars(a: str, b: str, needed: float) -> int:
    """Characters in the matching blocks of an alignment of ``a`` and ``b``; 0 without
    aligning when even every shared character (or word, or line) would not make ``needed``."""
    size = len(a) + len(b)
    if size <= CHAR_RATIO_SIZE:
        parts_a, parts_b = a, b
    elif size <= CHAR_RATIO_LIMIT:  # words and marks: a quarter of the characters, same sense
        parts_a, parts_b = _TOKENS.findall(a), _TOKENS.findall(b)
    else:
        parts_a, parts_b = a.splitlines(), b.splitlines()
    counts_b = Counter(parts_b)
    shared = sum(
        min(count, counts_b[part]) * len(part)
        for part, count in Counter(parts_a).items()
        if part in counts_b
    )
    if shared < needed:  # an alignment matches no more than the parts both sides have
        return 0
    matcher = SequenceMatcher(None, parts_a, parts_b, autojunk=False)
    return sum(
        len("".join(parts_a[block.a : block.a + block.size]))
        for block in matcher.get_matching_blocks()
    )


def match_cells(old: Sequence[CellKey], new: Sequence[CellKey], *, by_id: bool = True) -> dict:
    """New index -> old index for every pair, and the set of new indexes that keep their order."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    if by_id:
        where = {}
        for index, key in enumerate(old):
            if key.id is not None:
                where.setdefault(key.id, index)
        for j, key in enumerate(new):
            i = where.get(key.id) if key.id is not None else None
            if i is not None and i not in used:
                pairs[j] = i
                used.add(i)
    same: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for i, key in enumerate(old):
        if i not in used:
            same[key.cell_type, key.source].append(i)
    for j, key in enumerate(new):
        if j in pairs:
            continue
        queue = same.get((key.cell_type, key.source))
        if queue:
            i = queue.popleft()
            pairs[j] = i
            used.add(i)
    in_order = _increasing(pairs)
    budget = MAX_EXACT_WORK
    for old_gap, new_gap in _gaps(len(old), len(new), pairs, in_order, used):
        work = len(old_gap) * len(new_gap)
        exact = work <= min(MAX_GAP_PRODUCT, budget)
        budget -= work if exact else 0
        for i, j in _pair_similar(old, new, old_gap, new_gap, exact=exact):
            pairs[j] = i
            in_order.add(j)
    return {"pairs": pairs, "in_order": in_order}


def align(old: Sequence[CellKey], new: Sequence[CellKey], *, by_id: bool = True) -> list[Row]:
    """The rows of the comparison in reading order: removed cells just before the new cells
    that took their place, moved cells where they are now."""
    found = match_cells(old, new, by_id=by_id)
    pairs, in_order = found["pairs"], found["in_order"]
    paired_old = set(pairs.values())
    rows: list[Row] = []
    next_old = 0

    def removed_until(limit: int) -> None:
        nonlocal next_old
        while next_old < limit:
            if next_old not in paired_old:
                rows.append(Row(next_old, None))
            next_old += 1

    # Old index of the next ordered pair at or after each new index: a gap's removed cells
    # come before its added ones.
    next_anchor = [len(old)] * (len(new) + 1)
    for j in range(len(new) - 1, -1, -1):
        next_anchor[j] = pairs[j] if j in in_order else next_anchor[j + 1]
    for j in range(len(new)):
        i = pairs.get(j)
        if i is None:
            removed_until(next_anchor[j])
            rows.append(Row(None, j))
        elif j in in_order:
            removed_until(i)
            next_old = max(next_old, i + 1)
            rows.append(Row(i, j))
        else:
            rows.append(Row(i, j, moved=True))
    removed_until(len(old))
    return rows


def _increasing(pairs: Mapping[int, int]) -> set[int]:
    """New indexes of a longest run of pairs whose old indexes increase (patience sorting)."""
    order = sorted(pairs)
    tails: list[int] = []  # old index ending the best run of each length
    tail_at: list[int] = []  # position in ``order`` of that end
    back: list[int] = [-1] * len(order)
    for position, j in enumerate(order):
        i = pairs[j]
        length = bisect.bisect_left(tails, i)
        if length == len(tails):
            tails.append(i)
            tail_at.append(position)
        else:
            tails[length] = i
            tail_at[length] = position
        back[position] = tail_at[length - 1] if length else -1
    chosen: set[int] = set()
    position = tail_at[-1] if tail_at else -1
    while position >= 0:
        chosen.add(order[position])
        position = back[position]
    return chosen


def _gaps(n_old: int, n_new: int, pairs, in_order: set[int], used: set[int]):
    """(unpaired old indexes, unpaired new indexes) between consecutive ordered pairs."""
    anchors = sorted((pairs[j], j) for j in in_order)
    previous = (-1, -1)
    for anchor in [*anchors, (n_old, n_new)]:
        old_gap = [i for i in range(previous[0] + 1, anchor[0]) if i not in used]
        new_gap = [j for j in range(previous[1] + 1, anchor[1]) if j not in pairs]
        if old_gap and new_gap:
            yield old_gap, new_gap
        previous = anchor


def _pair_similar(old, new, old_gap, new_gap, *, exact: bool) -> list[tuple[int, int]]:
    if not exact:
        return [
            (i, j)
            for i, j in zip(old_gap, new_gap, strict=False)
            if old[i].cell_type == new[j].cell_type
            and similarity(old[i].source, new[j].source) >= SIMILAR
        ]
    # Needleman-Wunsch without gap penalties: the order-keeping pairing of greatest similarity.
    rows, cols = len(old_gap), len(new_gap)
    score = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for a in range(1, rows + 1):
        key_a = old[old_gap[a - 1]]
        line, above = score[a], score[a - 1]
        for b in range(1, cols + 1):
            best = max(above[b], line[b - 1])
            key_b = new[new_gap[b - 1]]
            if key_a.cell_type == key_b.cell_type:
                sim = similarity(key_a.source, key_b.source)
                if sim >= SIMILAR:
                    best = max(best, above[b - 1] + sim)
            line[b] = best
    found = []
    a, b = rows, cols
    while a and b:
        if score[a][b] == score[a - 1][b]:
            a -= 1
        elif score[a][b] == score[a][b - 1]:
            b -= 1
        else:
            found.append((old_gap[a - 1], new_gap[b - 1]))
            a, b = a - 1, b - 1
    return found[::-1]
