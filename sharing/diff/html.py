"""A ``NotebookDiff`` as safe HTML: the comparison page's body.

Cells are shown with the notebook page's own renderer (``sharing.rendering``): unchanged and
added cells exactly as there, modified cells as a source diff plus their outputs before | after.
Each piece of notebook content is sanitised where it is made (as on the notebook page) and the
whole result goes through the same final allowlist pass, so nothing from either version can run
script or load anything. Every view option (layout, outputs, execution counts and metadata,
rendered markdown) is a class on the container: one HTML serves them all.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from sharing.diff import model
from sharing.diff.align import source_text
from sharing.diff.lines import line_diff_html
from sharing.rendering.markup import as_text, markdown_to_html, notebook_language
from sharing.rendering.outputs import coalesce_streams, safe_output
from sharing.rendering.renderer import final_pass, render_cell

MIN_RUN = 2  # unchanged cells in a row folded into one "n unchanged cells" line
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TEXT_ONLY = {"text/plain"}
LABELS = {
    model.ADDED: "Added",
    model.REMOVED: "Removed",
    model.MODIFIED: "Modified",
    model.MOVED: "Moved",
    model.UNCHANGED: "Unchanged",
}
PART_LABELS = {
    "cell_type": "cell type",
    "source": "source",
    "outputs": "outputs",
    "attachments": "attachments",
    "execution_count": "execution count",
    "metadata": "metadata",
}


def render_diff(
    old_nb: Mapping[str, Any],
    new_nb: Mapping[str, Any],
    diff: model.NotebookDiff,
    progress: model.Progress | None = None,
) -> str:
    """The comparison as one safe HTML fragment (rows of cells, unchanged runs folded)."""
    old_cells, new_cells = model.cells_of(old_nb), model.cells_of(new_nb)
    language = notebook_language(new_nb)
    return final_pass(_chunks(diff, old_cells, new_cells, language, progress))


def _chunks(diff, old_cells, new_cells, language, progress) -> Iterator[str]:
    if diff.metadata_changed:
        yield (
            '<div class="nd-row nd-notebook-meta nd-meta">'
            '<p class="nd-head"><span class="nd-badge">Notebook metadata changed</span></p></div>'
        )
    run: list[str] = []
    minor_in_run = 0
    for done, cell in enumerate(diff.cells, 1):
        row = _row(cell, old_cells, new_cells, language)
        if cell.status == model.UNCHANGED:
            run.append(row)
            minor_in_run += cell.minor_only
        else:
            yield from _run(run, minor_in_run)
            run, minor_in_run = [], 0
            yield row
        if progress is not None and done % 200 == 0:
            progress(done, len(diff.cells))
    yield from _run(run, minor_in_run)


def _run(rows: list[str], minor: int) -> Iterator[str]:
    if len(rows) < MIN_RUN:
        yield from rows
        return
    label = f"{len(rows)} unchanged cells"
    if minor:
        label += f" ({minor} with execution count or metadata changes)"
    classes = "nd-run nd-run-minor" if minor else "nd-run"
    yield f'<details class="{classes}"><summary>{label}</summary>{"".join(rows)}</details>'


def _head(cell: model.CellDiff) -> str:
    where = []
    if cell.old is not None and cell.new is not None and cell.old.index != cell.new.index:
        where.append(f"cell {cell.old.index + 1} → {cell.new.index + 1}")
    elif cell.new is not None:
        where.append(f"cell {cell.new.index + 1}")
    elif cell.old is not None:
        where.append(f"was cell {cell.old.index + 1}")
    side = cell.new or cell.old
    where.append(html.escape(side.cell_type)[:16])
    label = LABELS[cell.status]
    parts = [PART_LABELS[p] for p in cell.changes if p in model.CONTENT_PARTS]
    minor = [PART_LABELS[p] for p in cell.changes if p in model.MINOR_PARTS]
    detail = f'<span class="nd-parts">{", ".join(parts)} changed</span>' if parts else ""
    if minor:
        detail += f'<span class="nd-parts nd-minor-parts">{", ".join(minor)} changed</span>'
    return (
        f'<p class="nd-head"><span class="nd-badge nd-badge-{cell.status}">{label}</span>'
        f'<span class="nd-where">{" · ".join(where)}</span>{detail}</p>'
    )


def _classes(cell: model.CellDiff) -> str:
    classes = ["nd-row", f"nd-{cell.status}"]
    if cell.is_change:
        classes.append("nd-change")
    if cell.minor_only:
        classes.append("nd-minor")
    if "outputs" in cell.changes or cell.status in (model.ADDED, model.REMOVED):
        classes.append("nd-out-changed")
    return " ".join(classes)


def _row(cell: model.CellDiff, old_cells, new_cells, language: str) -> str:
    old = old_cells[cell.old.index] if cell.old else None
    new = new_cells[cell.new.index] if cell.new else None
    if new is None:
        body = _without_anchor(render_cell(old, cell.old.index, language), cell.old.id)
    elif old is None or not any(p in model.CONTENT_PARTS for p in cell.changes):
        body = render_cell(new, cell.new.index, language)
    else:
        body = _changed_cell(old, new, cell)
    meta = _meta(old, new, cell) if any(p in model.MINOR_PARTS for p in cell.changes) else ""
    return f'<div class="{_classes(cell)}" tabindex="0">{_head(cell)}{body}{meta}</div>\n'


def _without_anchor(fragment: str, cell_id: str) -> str:
    """A removed cell keeps no anchor: comments and links point at cells of the newer side."""
    return fragment.replace(f' id="cell-{cell_id}" data-cell-id="{cell_id}"', "", 1)


def _changed_cell(old, new, cell: model.CellDiff) -> str:
    side = cell.new
    parts = []
    if "source" in cell.changes or "cell_type" in cell.changes:
        parts.append(
            '<div class="nd-source">'
            + line_diff_html(source_text(old), source_text(new))
            + "</div>"
        )
    else:
        parts.append('<div class="nd-source nd-same-source">' + _source_view(new) + "</div>")
    if new.get("cell_type") == "markdown" or old.get("cell_type") == "markdown":
        parts.append(
            '<div class="nd-md-view nd-sides">'
            f'<div class="nd-side nd-old">{_markdown(old)}</div>'
            f'<div class="nd-side nd-new">{_markdown(new)}</div></div>'
        )
    if new.get("cell_type") == "code" or old.get("cell_type") == "code":
        parts.append(_outputs(old, new, changed="outputs" in cell.changes))
    return (
        f'<div class="jp-Cell nd-cell" id="cell-{side.id}" data-cell-id="{side.id}"'
        f' data-cell-index="{side.index}" data-cell-type="{_cell_type(side.cell_type)}">'
        f"{''.join(parts)}</div>"
    )


def _cell_type(value: str) -> str:
    return value if value in {"code", "markdown", "raw"} else "raw"


def _source_view(cell) -> str:
    text = html.escape(source_text(cell), quote=False)
    return f'<pre class="nd-plain">{text}</pre>'


def _markdown(cell) -> str:
    if cell.get("cell_type") != "markdown":
        return _source_view(cell)
    fragment = markdown_to_html(as_text(cell.get("source", "")), cell.get("attachments"))
    return f'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown">{fragment}</div>'


def _text_of(outputs: list) -> str | None:
    """The outputs as plain text, if that is all they are (so they can be diffed line by line)."""
    texts = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            texts.append(as_text(output.get("text", "")))
        elif kind == "error":
            lines = output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]
            texts.append("\n".join(_ANSI.sub("", as_text(line)) for line in lines) + "\n")
        elif kind in ("execute_result", "display_data"):
            data = output.get("data") or {}
            if not isinstance(data, Mapping) or set(data) - _TEXT_ONLY:
                return None
            texts.append(as_text(data.get("text/plain", "")) + "\n")
        else:
            return None
    return "".join(texts)


def _outputs(old, new, *, changed: bool) -> str:
    old_out = coalesce_streams(old.get("outputs") or [])
    new_out = coalesce_streams(new.get("outputs") or [])
    if not old_out and not new_out:
        return ""
    classes = "nd-outputs nd-out-changed" if changed else "nd-outputs"
    old_text, new_text = _text_of(old_out), _text_of(new_out)
    if changed and old_text is not None and new_text is not None:
        return (
            f'<div class="{classes} nd-text-outputs"><p class="nd-label">Outputs</p>'
            f"{line_diff_html(old_text, new_text)}</div>"
        )
    return (
        f'<div class="{classes} nd-sides">'
        f'<div class="nd-side nd-old"><p class="nd-label">Before</p>{_output_area(old, old_out)}'
        f'</div><div class="nd-side nd-new"><p class="nd-label">After</p>'
        f"{_output_area(new, new_out)}</div>"
        "</div>"
    )


def _output_area(cell, outputs) -> str:
    count = cell.get("execution_count")
    rendered = [o for o in (safe_output(output, count) for output in outputs) if o]
    if not rendered:
        return '<p class="nd-empty">No output</p>'
    return f'<div class="jp-OutputArea jp-Cell-outputArea">{"".join(rendered)}</div>'


def _meta(old, new, cell: model.CellDiff) -> str:
    """Execution count and metadata changes (hidden unless the reader asks for them)."""
    items = []
    if "execution_count" in cell.changes:
        before = _count(old.get("execution_count"))
        after = _count(new.get("execution_count"))
        items.append(f"<p>Execution count: {before} → {after}</p>")
    if "metadata" in cell.changes:
        items.append(
            "<p>Metadata:</p>"
            + line_diff_html(_json(old.get("metadata") or {}), _json(new.get("metadata") or {}))
        )
    return f'<div class="nd-meta">{"".join(items)}</div>'


def _count(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "none"


def _json(value: Any) -> str:
    try:
        return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return "(unreadable)"
