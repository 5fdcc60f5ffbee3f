"""Markdown (with math) and code as sanitised HTML, for notebook cells and comments alike."""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from mistune import HTMLRenderer
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

from sharing.rendering.mathml import environment_to_mathml, tex_to_mathml
from sharing.rendering.sanitize import attachments_context, sanitize_html

logger = logging.getLogger(__name__)

CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

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
    return HtmlFormatter(cssclass=f"highlight hl-{CLASS_UNSAFE.sub('', language)}")


def highlight_code(source: str, language: str) -> str:
    """Code as Pygments HTML with the classes jupyterlab_pygments' CSS styles."""
    return highlight(source, _lexer(language), _formatter(language))


def notebook_language(nb: Mapping[str, Any]) -> str:
    metadata = nb.get("metadata") or {}
    info = metadata.get("language_info") or {}
    language = info.get("pygments_lexer") or info.get("name")
    if not language:
        language = (metadata.get("kernelspec") or {}).get("language") or "python"
    return str(language).strip().lower()[:40] or "python"


# --- small shared helpers ----------------------------------------------------------


def as_text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else str(value)


def placeholder(message: str, extra: str = "") -> str:
    return f'<div class="ns-placeholder jp-OutputArea-output{extra}">{html.escape(message)}</div>'
