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

import base64
import html
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mistune import HTMLRenderer
from nbconvert.filters.ansi import ansi2html
from nbconvert.filters.markdown_mistune import (
    IPythonRenderer,
    MarkdownWithMath,
    MathBlockParser,
    MathInlineParser,
)
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from sharing.mathml import environment_to_mathml, latex_text_to_html, tex_to_mathml
from sharing.sanitize import attachments_context, image_data_uri, sanitize_final, sanitize_html

if TYPE_CHECKING:
    import nbformat

__all__ = ["RENDERER_VERSION", "RenderError", "render_notebook", "sanitize_html"]

# Part of the cache key of rendered pages: bump whenever the HTML produced for a notebook changes.
RENDERER_VERSION = "2"

logger = logging.getLogger(__name__)


class RenderError(Exception):
    """A notebook that cannot be rendered; ``str(error)`` is a message for the reader."""


# Output MIME types whose only renderer is JavaScript, by prefix.
JS_MIME_PREFIXES = (
    "application/javascript",
    "application/x-javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-",
    "application/vnd.plotly.",
    "application/vnd.bokehjs_",
    "application/vnd.vega",
    "application/vnd.holoviews_",
    "application/vdom.",
)
# What we show of an output bundle, best first (nbconvert's HTML order, plus GIF/WebP/JSON).
DISPLAY_PRIORITY = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/vnd.mermaid",
    "text/latex",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/json",
    "text/plain",
)
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_VISIBLE_ELEMENT = re.compile(r"<(?:img|math|hr|table)\b")
_TAG = re.compile(r"<[^>]*>")
_FINAL_BATCH_CHARS = 512 * 1024


# --- markdown --------------------------------------------------------------------------


class _MarkdownRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math as MathML and attachments left to the sanitiser."""

    def block_math(self, body: str) -> str:
        return tex_to_mathml(body, True)

    def inline_math(self, body: str) -> str:
        return tex_to_mathml(body, False)

    def latex_environment(self, name: str, body: str) -> str:
        return environment_to_mathml(name, body)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        # ``attachment:`` URLs are resolved by the sanitiser (also in raw <img> tags); nbconvert
        # would raise on a missing attachment or read local files.
        return HTMLRenderer.image(self, text, url, title)


class _BlockParser(MathBlockParser):
    """Also keeps single-backslash ``\\[ ... \\]`` display math in one paragraph."""

    SPECIFICATION = {
        **MathBlockParser.SPECIFICATION,
        "multiline_math": MathBlockParser.MULTILINE_MATH.replace(r"\\\\\[", r"\\{1,2}\[").replace(
            r"\\\\\]", r"\\{1,2}\]"
        ),
    }


class _InlineParser(MathInlineParser):
    """nbconvert's math delimiters, plus ``\\( \\)`` and ``\\[ \\]`` with one backslash (as in
    JupyterLab) besides nbconvert's two."""

    SPECIFICATION = {
        **MathInlineParser.SPECIFICATION,
        "block_math_latex": r"(?s:(?<!\\)\\{1,2}\[(?P<math_block_latex>.*?)(?<!\\)\\{1,2}\])",
        "inline_math_latex": r"(?s:(?<!\\)\\{1,2}\((?P<math_inline_latex>.*?)(?<!\\)\\{1,2}\))",
    }


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.markdown = MarkdownWithMath(
            renderer=_MarkdownRenderer(escape=False),
            block=_BlockParser(),
            inline=_InlineParser(hard_wrap=False),
        )


_state = _ThreadState()


def markdown_to_html(source: str, attachments: Mapping[str, Any] | None = None) -> str:
    """Markdown (with math and cell attachments) to sanitised HTML."""
    with attachments_context(attachments):
        try:
            raw = _state.markdown.render(source)
        except MemoryError:
            raise
        except Exception:
            logger.warning("markdown could not be parsed; shown as text", exc_info=True)
            return f"<pre>{html.escape(source)}</pre>"
        return sanitize_html(raw)


# --- code -----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _lexer(name: str) -> Lexer:
    candidates = [name]
    if name.startswith("ipython"):
        candidates.append("python3")  # IPython's lexers need IPython; nbconvert falls back too
    for candidate in [*candidates, "text"]:
        try:
            return get_lexer_by_name(candidate)
        except ClassNotFound:
            continue
    raise AssertionError("pygments always has the text lexer")


@lru_cache(maxsize=64)
def _formatter(language: str) -> HtmlFormatter:
    return HtmlFormatter(cssclass=f"highlight hl-{_CLASS_UNSAFE.sub('', language)}")


def highlight_code(source: str, language: str) -> str:
    """Code as Pygments HTML with the classes jupyterlab_pygments' CSS styles."""
    return highlight(source, _lexer(language), _formatter(language))


def _notebook_language(nb: Mapping[str, Any]) -> str:
    metadata = nb.get("metadata") or {}
    info = metadata.get("language_info") or {}
    language = info.get("pygments_lexer") or info.get("name")
    if not language:
        language = (metadata.get("kernelspec") or {}).get("language") or "python"
    return str(language).strip().lower()[:40] or "python"


# --- outputs --------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else str(value)


def _apply_carriage_returns(text: str) -> str:
    """What a terminal would show: text before a carriage return on a line is overwritten."""
    if "\r" not in text:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rsplit("\r", 1)[-1] if line.strip("\r") else line for line in lines)


def _pre(text: str, mime: str, extra: str = "") -> str:
    return (
        f'<div class="jp-RenderedText jp-OutputArea-output{extra}" data-mime-type="{mime}"'
        f' tabindex="0"><pre>{ansi2html(text)}</pre></div>'
    )


def _placeholder(message: str, extra: str = "") -> str:
    return f'<div class="ns-placeholder jp-OutputArea-output{extra}">{html.escape(message)}</div>'


def _needs_js(mime: str) -> bool:
    return mime.startswith(JS_MIME_PREFIXES)


def _is_blank(fragment: str) -> bool:
    if _VISIBLE_ELEMENT.search(fragment):
        return False
    return not html.unescape(_TAG.sub("", fragment)).strip()


def _dimension(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and 0 < value <= 20000:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and 0 < int(value) <= 20000:
        return int(value)
    return None


def _image(mime: str, data: str, metadata: Mapping[str, Any], extra: str) -> str | None:
    if mime == "image/svg+xml":
        src = image_data_uri(mime, base64.b64encode(data.encode("utf-8")).decode("ascii"))
        wrapper = "jp-RenderedSVG"
    else:
        src = image_data_uri(mime, data)
        wrapper = "jp-RenderedImage"
    if src is None:
        return None
    meta = metadata.get(mime) if isinstance(metadata, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    attributes = [f'src="{src}"', 'alt="Output image"']
    for name in ("width", "height"):
        number = _dimension(meta.get(name))
        if number is not None:
            attributes.append(f'{name}="{number}"')
    classes = []
    if meta.get("unconfined") is True:
        classes.append("unconfined")
    if meta.get("needs_background") in ("light", "dark"):
        classes.append(f"jp-needs-{meta['needs_background']}-background")
    if classes:
        attributes.append(f'class="{" ".join(classes)}"')
    return (
        f'<div class="{wrapper} jp-OutputArea-output{extra}" data-mime-type="{mime}"'
        f' tabindex="0"><img {" ".join(attributes)}></div>'
    )


def _html_block(kind: str, mime: str, fragment: str, extra: str) -> str:
    return (
        f'<div class="jp-RenderedHTMLCommon {kind} jp-OutputArea-output{extra}"'
        f' data-mime-type="{mime}" tabindex="0">{fragment}</div>'
    )


def _render_mime(mime: str, value: Any, metadata: Mapping[str, Any], extra: str) -> str | None:
    """One representation of an output bundle, or None when it shows nothing useful."""
    if mime == "text/html":
        fragment = sanitize_html(_text(value))
        return (
            None if _is_blank(fragment) else _html_block("jp-RenderedHTML", mime, fragment, extra)
        )
    if mime == "text/markdown":
        fragment = markdown_to_html(_text(value))
        return _html_block("jp-RenderedMarkdown", mime, fragment, extra)
    if mime.startswith("image/"):
        return _image(mime, _text(value), metadata, extra)
    if mime == "text/latex":
        fragment = sanitize_html(latex_text_to_html(_text(value)))
        return (
            f'<div class="jp-RenderedLatex jp-OutputArea-output{extra}" data-mime-type="{mime}"'
            f' tabindex="0">{fragment}</div>'
        )
    if mime == "text/vnd.mermaid":
        return (
            f'<div class="jp-Mermaid jp-OutputArea-output{extra}" data-mime-type="{mime}">'
            f'<pre class="mermaid">{html.escape(_text(value).strip())}</pre></div>'
        )
    if mime == "application/json":
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        return _pre(text, mime, extra)
    if mime == "text/plain":
        return _pre(_text(value), mime, extra)
    return None


def _render_bundle(data: Mapping[str, Any], metadata: Mapping[str, Any], extra: str) -> str:
    js_types = [mime for mime in data if _needs_js(mime)]
    for mime in DISPLAY_PRIORITY:
        if mime in data:
            rendered = _render_mime(mime, data[mime], metadata, extra)
            if rendered is not None:
                return rendered
            if mime == "text/html":
                js_types.append("text/html with scripts")
    if js_types:
        return _placeholder(
            f"This output needs JavaScript ({js_types[0]}) and is not shown.", extra
        )
    if data:
        unknown = ", ".join(sorted(data))[:200]
        return _placeholder(f"This output type ({unknown}) cannot be shown.", extra)
    return ""


def _coalesce_streams(outputs: Iterable[Any]) -> list[Mapping[str, Any]]:
    merged: list[Mapping[str, Any]] = []
    for output in outputs:
        if not isinstance(output, Mapping):
            continue
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            merged[-1] = {
                **previous,
                "text": _text(previous.get("text", "")) + _text(output.get("text", "")),
            }
        else:
            merged.append(output)
    return merged


def _prompt(count: Any) -> str:
    return str(count) if isinstance(count, int) and not isinstance(count, bool) else "&nbsp;"


def render_output(output: Mapping[str, Any], execution_count: Any = None) -> str:
    """One output as a ``jp-OutputArea-child`` (empty string for an output that shows nothing)."""
    kind = output.get("output_type")
    prompt = ""
    if kind == "stream":
        name = output.get("name")
        mime = "application/vnd.jupyter.stderr" if name == "stderr" else "text/plain"
        inner = _pre(_apply_carriage_returns(_text(output.get("text", ""))), mime)
    elif kind == "error":
        traceback = output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]
        inner = _pre("\n".join(_text(line) for line in traceback), "application/vnd.jupyter.stderr")
    elif kind in ("display_data", "execute_result"):
        data = output.get("data") or {}
        metadata = output.get("metadata") or {}
        extra = " jp-OutputArea-executeResult" if kind == "execute_result" else ""
        inner = _render_bundle(data if isinstance(data, Mapping) else {}, metadata, extra)
        if kind == "execute_result":
            prompt = f"Out[{_prompt(output.get('execution_count', execution_count))}]:"
    else:
        inner = _placeholder(f"Unknown output type ({str(kind)[:50]}).")
    if not inner:
        return ""
    child = (
        "jp-OutputArea-child jp-OutputArea-executeResult"
        if kind == "execute_result"
        else "jp-OutputArea-child"
    )
    return (
        f'<div class="{child}"><div class="jp-OutputPrompt jp-OutputArea-prompt">{prompt}</div>'
        f"{inner}</div>"
    )


def _safe_output(output: Mapping[str, Any], execution_count: Any) -> str:
    try:
        return render_output(output, execution_count)
    except MemoryError:
        raise
    except Exception:
        logger.warning("output could not be rendered", exc_info=True)
        return (
            '<div class="jp-OutputArea-child"><div class="jp-OutputPrompt jp-OutputArea-prompt">'
            f"</div>{_placeholder('This output could not be rendered.')}</div>"
        )


# --- cells ----------------------------------------------------------------------------


def _cell_id(cell: Mapping[str, Any], index: int) -> str:
    cell_id = cell.get("id")
    if isinstance(cell_id, str) and _CELL_ID.fullmatch(cell_id):
        return cell_id
    return f"index-{index}"  # cannot happen after validation, but never trust it


def _tag_classes(cell: Mapping[str, Any]) -> str:
    tags = (cell.get("metadata") or {}).get("tags") or []
    if not isinstance(tags, list):
        return ""
    names = (_CLASS_UNSAFE.sub("_", str(tag))[:60] for tag in tags[:20])
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
    code = highlight_code(_text(cell.get("source", "")), language)
    editor = (
        '<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">'
        f'<div class="cm-editor cm-s-jupyter">{code}</div></div>'
    )
    parts = [_input_area(f"In&nbsp;[{_prompt(count)}]:", editor)]
    outputs = [_safe_output(o, count) for o in _coalesce_streams(cell.get("outputs") or [])]
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
    fragment = markdown_to_html(_text(cell.get("source", "")), attachments)
    body = (
        '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput"'
        f' data-mime-type="text/markdown">{fragment}</div>'
    )
    return "jp-Cell jp-MarkdownCell jp-Notebook-cell", _input_area("", body)


def _raw_cell(cell: Mapping[str, Any]) -> tuple[str, str]:
    source = _text(cell.get("source", ""))
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
        message = _placeholder(f"This cell type ({str(cell_type)[:50]}) cannot be shown.")
        classes, body = "jp-Cell jp-RawCell jp-Notebook-cell", _input_area("", message)
        cell_type = "raw"
    cell_id = _cell_id(cell, index)
    return (
        f'<div class="{classes}{_tag_classes(cell)}" id="cell-{cell_id}"'
        f' data-cell-id="{cell_id}" data-cell-index="{index}" data-cell-type="{cell_type}">'
        f"{body}</div>\n"
    )


def _final_pass(chunks: Iterable[str]) -> str:
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


def render_notebook(nb: nbformat.NotebookNode) -> str:
    """Validated nbformat-4 notebook in, safe HTML fragment out (no <html>/<body>).

    The notebook is only read, never modified.
    """
    if not isinstance(nb, Mapping) or nb.get("nbformat") != 4:
        raise RenderError("This file is not a Jupyter notebook in format version 4.")
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise RenderError("This notebook has no list of cells.")
    language = _notebook_language(nb)
    try:
        return _final_pass(
            render_cell(cell, index, language)
            for index, cell in enumerate(cells)
            if isinstance(cell, Mapping)
        )
    except RecursionError as error:
        raise RenderError("This notebook is nested too deeply to be shown.") from error
    except MemoryError:
        raise  # the caller reports the memory limit
    except Exception as error:
        logger.exception("notebook could not be rendered")
        raise RenderError("This notebook could not be rendered.") from error
