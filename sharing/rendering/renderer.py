"""Notebook to safe, inline HTML (see docs/rendering.md).

We build JupyterLab's markup ourselves, cell by cell, from nbconvert's building blocks (its
markdown-with-math parser, its ANSI filter) and Pygments. Compared to nbconvert's Jinja
template path this is several times faster, never re-parses its own output, and lets us decide
what each output becomes: every HTML fragment taken from the notebook is sanitised on its own
(so it cannot break out of its cell), math becomes MathML on the server, outputs that need
JavaScript become their static fallback or a placeholder, and a final allowlist pass runs over
every byte of the result.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sharing.cells import page_cell_id
from sharing.rendering.charts.collect import collecting
from sharing.rendering.markup import (
    CLASS_UNSAFE,
    as_text,
    highlight_code,
    markdown_to_html,
    notebook_language,
    placeholder,
)
from sharing.rendering.mathml import latex_text_to_html, math_document, prefetch_math
from sharing.rendering.outputs import coalesce_streams, prompt_number, safe_output
from sharing.rendering.sanitize import sanitize_final, sanitize_html

if TYPE_CHECKING:
    import nbformat

__all__ = ["RENDERER_VERSION", "RenderError", "render_notebook", "sanitize_html"]

# Part of the cache key of rendered pages: bump whenever the HTML produced for a notebook changes.
RENDERER_VERSION = "6"

logger = logging.getLogger(__name__)


class RenderError(Exception):
    """A notebook that cannot be rendered; ``str(error)`` is a message for the reader."""


_FINAL_BATCH_CHARS = 512 * 1024


# --- cells ----------------------------------------------------------------------------


def _tag_classes(cell: Mapping[str, Any]) -> str:
    tags = (cell.get("metadata") or {}).get("tags") or []
    if not isinstance(tags, list):
        return ""
    names = (CLASS_UNSAFE.sub("_", str(tag))[:60] for tag in tags[:20])
    return "".join(f" celltag_{name}" for name in names if name)


def _input_area(prompt: str, body: str) -> str:
    return (
        '<div class="jp-Cell-inputWrapper" tabindex="0">'
        '<div class="jp-Collapser jp-InputCollapser jp-Cell-inputCollapser"></div>'
        '<div class="jp-InputArea jp-Cell-inputArea">'
        f'<div class="jp-InputPrompt jp-InputArea-prompt">{prompt}</div>{body}</div></div>'
    )


def _code_cell(cell: Mapping[str, Any], language: str) -> tuple[str, str]:
    count = cell.get("execution_count")
    code = highlight_code(as_text(cell.get("source", "")), language)
    editor = (
        '<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">'
        f'<div class="cm-editor cm-s-jupyter">{code}</div></div>'
    )
    parts = [_input_area(f"In&nbsp;[{prompt_number(count)}]:", editor)]
    outputs = [safe_output(o, count) for o in coalesce_streams(cell.get("outputs") or [])]
    outputs = [o for o in outputs if o]
    if outputs:
        parts.append(
            '<div class="jp-Cell-outputWrapper">'
            '<div class="jp-Collapser jp-OutputCollapser jp-Cell-outputCollapser"></div>'
            f'<div class="jp-OutputArea jp-Cell-outputArea">{"".join(outputs)}</div></div>'
        )
    classes = "jp-Cell jp-CodeCell jp-Notebook-cell" + ("" if outputs else " jp-mod-noOutputs")
    return classes, "".join(parts)


def _markdown_cell(cell: Mapping[str, Any]) -> tuple[str, str]:
    attachments = cell.get("attachments")
    fragment = markdown_to_html(as_text(cell.get("source", "")), attachments)
    body = (
        '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput"'
        f' data-mime-type="text/markdown">{fragment}</div>'
    )
    return "jp-Cell jp-MarkdownCell jp-Notebook-cell", _input_area("", body)


def _raw_cell(cell: Mapping[str, Any]) -> tuple[str, str]:
    source = as_text(cell.get("source", ""))
    mime = str((cell.get("metadata") or {}).get("raw_mimetype") or "").lower()
    if mime == "text/html":
        fragment = sanitize_html(source)
    elif mime == "text/markdown":
        fragment = markdown_to_html(source)
    else:
        fragment = f"<pre>{html.escape(source)}</pre>"
    body = f'<div class="jp-RenderedHTMLCommon jp-RawCell-content">{fragment}</div>'
    return "jp-Cell jp-RawCell jp-Notebook-cell", _input_area("", body)


_CELL_RENDERERS: dict[str, Callable[..., tuple[str, str]]] = {
    "markdown": _markdown_cell,
    "raw": _raw_cell,
}


def render_cell(cell: Mapping[str, Any], index: int, language: str = "python") -> str:
    """One cell, wrapped in the element that carries its anchor and data attributes."""
    cell_type = cell.get("cell_type")
    if cell_type == "code":
        classes, body = _code_cell(cell, language)
    elif cell_type in _CELL_RENDERERS:
        classes, body = _CELL_RENDERERS[cell_type](cell)
    else:  # a cell type from a future nbformat minor version: keep its anchor, say why
        message = placeholder(f"This cell type ({str(cell_type)[:50]}) cannot be shown.")
        classes, body = "jp-Cell jp-RawCell jp-Notebook-cell", _input_area("", message)
        cell_type = "raw"
    cell_id = page_cell_id(cell, index)
    return (
        f'<div class="{classes}{_tag_classes(cell)}" id="cell-{cell_id}"'
        f' data-cell-id="{cell_id}" data-cell-index="{index}" data-cell-type="{cell_type}">'
        f"{body}</div>\n"
    )


def final_pass(chunks: Iterable[str]) -> str:
    """The final allowlist pass over every byte, in batches of whole cells to bound memory."""
    done: list[str] = []
    batch: list[str] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= _FINAL_BATCH_CHARS:
            done.append(sanitize_final("".join(batch)))
            batch, size = [], 0
    if batch:
        done.append(sanitize_final("".join(batch)))
    return "".join(done)


def _discover_math(cells: Iterable[Any]) -> None:
    """Render what holds the notebook's math (Markdown, LaTeX outputs), for ``prefetch_math``
    to note its formulas."""
    for cell in cells:
        if not isinstance(cell, Mapping):
            continue
        if cell.get("cell_type") in ("markdown", "raw"):
            markdown_to_html(as_text(cell.get("source", "")))
            continue
        for output in cell.get("outputs") or []:
            data = output.get("data") if isinstance(output, Mapping) else None
            if not isinstance(data, Mapping):
                continue
            if "text/markdown" in data:
                markdown_to_html(as_text(data["text/markdown"]))
            if "text/latex" in data:
                latex_text_to_html(as_text(data["text/latex"]))


def render_notebook(nb: nbformat.NotebookNode) -> str:
    """Validated nbformat-4 notebook in, safe HTML fragment out (no <html>/<body>).

    The notebook is only read, never modified.
    """
    if not isinstance(nb, Mapping) or nb.get("nbformat") != 4:
        raise RenderError("This file is not a Jupyter notebook in format version 4.")
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise RenderError("This notebook has no list of cells.")
    language = notebook_language(nb)
    try:
        with math_document(), collecting(nb.get("metadata")) as charts:
            # a \newcommand holds for the rest of the notebook
            prefetch_math(lambda: _discover_math(cells))
            html = final_pass(
                render_cell(cell, index, language)
                for index, cell in enumerate(cells)
                if isinstance(cell, Mapping)
            )
        return html + charts.data_block()  # inert JSON for the chart frames (docs/charts.md)
    except RecursionError as error:
        raise RenderError("This notebook is nested too deeply to be shown.") from error
    except MemoryError:
        raise  # the caller reports the memory limit
    except Exception as error:
        logger.exception("notebook could not be rendered")
        raise RenderError("This notebook could not be rendered.") from error
