"""Line diffs with intra-line highlighting, as escaped HTML tables (side by side and unified)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT = 3  # unchanged lines kept around a change; longer unchanged stretches fold
INTRA_LINE_LIMIT = 400  # longer lines are marked whole rather than character by character
MAX_LINES = 20_000  # a side with more lines is compared as "replaced" without a line diff
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")  # words, runs of space, single punctuation marks


@dataclass(frozen=True, slots=True)
class Line:
    kind: str  # eq, del, ins, skip
    old_no: int | None
    new_no: int | None
    old_html: str = ""
    new_html: str = ""


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _intra(a: str, b: str) -> tuple[str, str]:
    if len(a) > INTRA_LINE_LIMIT or len(b) > INTRA_LINE_LIMIT:
        return f"<del>{_escape(a)}</del>", f"<ins>{_escape(b)}</ins>"
    old_parts, new_parts = [], []
    x, y = _TOKENS.findall(a), _TOKENS.findall(b)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if tag == "equal":
            old_parts.append(_escape("".join(x[i1:i2])))
            new_parts.append(_escape("".join(y[j1:j2])))
            continue
        if i2 > i1:
            old_parts.append(f"<del>{_escape(''.join(x[i1:i2]))}</del>")
        if j2 > j1:
            new_parts.append(f"<ins>{_escape(''.join(y[j1:j2]))}</ins>")
    return "".join(old_parts), "".join(new_parts)


def diff_lines(old: str, new: str) -> list[Line]:
    a, b = old.splitlines(), new.splitlines()
    if len(a) > MAX_LINES or len(b) > MAX_LINES:
        opcodes = [("replace", 0, len(a), 0, len(b))]
    else:
        opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    lines: list[Line] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for k in range(i2 - i1):
                text = _escape(a[i1 + k])
                lines.append(Line("eq", i1 + k + 1, j1 + k + 1, text, text))
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            old_html, new_html = _intra(a[i1 + k], b[j1 + k])
            lines.append(Line("del", i1 + k + 1, None, old_html))
            lines.append(Line("ins", None, j1 + k + 1, "", new_html))
        for k in range(i1 + pairs, i2):
            lines.append(Line("del", k + 1, None, _escape(a[k])))
        for k in range(j1 + pairs, j2):
            lines.append(Line("ins", None, k + 1, "", _escape(b[k])))
    return _fold(lines)


def _fold(lines: list[Line]) -> list[Line]:
    """Replace long unchanged stretches by one "n unchanged lines" row."""
    changed = [n for n, line in enumerate(lines) if line.kind != "eq"]
    if not changed:
        return lines
    keep = set()
    for n in changed:
        keep.update(range(max(0, n - CONTEXT), min(len(lines), n + CONTEXT + 1)))
    folded: list[Line] = []
    hidden = 0
    for n, line in enumerate(lines):
        if n in keep:
            if hidden:
                folded.append(Line("skip", None, None, str(hidden)))
                hidden = 0
            folded.append(line)
        else:
            hidden += 1
    if hidden:
        folded.append(Line("skip", None, None, str(hidden)))
    return folded


def _no(value: int | None) -> str:
    return "" if value is None else str(value)


def _skip_row(count: str, span: int) -> str:
    return f'<tr class="nd-skip"><td colspan="{span}">{count} unchanged lines</td></tr>'


def unified_table(lines: list[Line]) -> str:
    rows = []
    for line in lines:
        if line.kind == "skip":
            rows.append(_skip_row(line.old_html, 3))
            continue
        text = line.new_html if line.kind == "ins" else line.old_html
        rows.append(
            f'<tr class="nd-{line.kind}"><td class="nd-ln">{_no(line.old_no)}</td>'
            f'<td class="nd-ln">{_no(line.new_no)}</td><td class="nd-code">{text}</td></tr>'
        )
    return f'<table class="nd-lines nd-unified-table"><tbody>{"".join(rows)}</tbody></table>'


def split_table(lines: list[Line]) -> str:
    """Side by side: deletions on the left facing the insertions that replaced them."""
    rows = []
    pending_del: list[Line] = []
    pending_ins: list[Line] = []

    def flush() -> None:
        for k in range(max(len(pending_del), len(pending_ins))):
            left = pending_del[k] if k < len(pending_del) else None
            right = pending_ins[k] if k < len(pending_ins) else None
            rows.append(
                "<tr>"
                + _half("del", left.old_no if left else None, left.old_html if left else None)
                + _half("ins", right.new_no if right else None, right.new_html if right else None)
                + "</tr>"
            )
        pending_del.clear()
        pending_ins.clear()

    for line in lines:
        if line.kind == "del":
            pending_del.append(line)
        elif line.kind == "ins":
            pending_ins.append(line)
        else:
            flush()
            if line.kind == "skip":
                rows.append(_skip_row(line.old_html, 4))
            else:
                rows.append(
                    '<tr class="nd-eq">'
                    + _half("eq", line.old_no, line.old_html)
                    + _half("eq", line.new_no, line.new_html)
                    + "</tr>"
                )
    flush()
    return f'<table class="nd-lines nd-split-table"><tbody>{"".join(rows)}</tbody></table>'


def _half(kind: str, number: int | None, text: str | None) -> str:
    if text is None:
        return '<td class="nd-ln nd-none"></td><td class="nd-code nd-none"></td>'
    return (
        f'<td class="nd-ln nd-{kind}">{_no(number)}</td><td class="nd-code nd-{kind}">{text}</td>'
    )


def line_diff_html(old: str, new: str) -> str:
    """Both layouts; the page shows one (``nd-layout-split`` / ``nd-layout-unified``)."""
    lines = diff_lines(old, new)
    return (
        f'<div class="nd-split-only">{split_table(lines)}</div>'
        f'<div class="nd-unified-only">{unified_table(lines)}</div>'
    )
