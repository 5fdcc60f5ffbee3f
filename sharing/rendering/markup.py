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

from sharing.rendering.mathml import (
    environment_to_mathml,
    math_document,
    math_in_html_text,
    tex_to_mathml,
)
from sharing.rendering.sanitize import attachments_context, sanitize_html

logger = logging.getLogger(__name__)

CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# An HTML block split into tags and the text between them; math is typeset in the text only,
# and never inside these elements.
_HTML_TAG = re.compile(r"(<!--.*?-->|</?[A-Za-z][^<>]*>)", re.DOTALL)
_NO_MATH_INSIDE = re.compile(r"<(/?)(pre|code|script|style|textarea|kbd|samp)\b", re.IGNORECASE)
# Image sources the page shows itself (the sanitiser keeps them); anything else is remote.
_SHOWN_IMAGE = re.compile(r"\s*(?:data:|attachment:)", re.IGNORECASE)

# --- markdown --------------------------------------------------------------------------


class _MarkdownRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math as MathML and attachments left to the sanitiser."""

    def block_math(self, body: str) -> str:
        return tex_to_mathml(body, True)

    def inline_math(self, body: str) -> str:
        return tex_to_mathml(body, False)

    def latex_environment(self, name: str, body: str) -> str:
        return environment_to_mathml(name, body)

    def block_html(self, html: str) -> str:
        return typeset_html_block(html)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        # ``attachment:`` URLs are resolved by the sanitiser (also in raw <img> tags); nbconvert
        # would raise on a missing attachment or read local files.
        if _SHOWN_IMAGE.match(url):
            return HTMLRenderer.image(self, text, url, title)
        return blocked_image(text, url)


def blocked_image(alt: str, url: str) -> str:
    """What a remote (or relative) image becomes: the page loads nothing on the notebook's
    behalf, so it says what is not shown, with the alt text and the address (as text, to copy:
    not even a link leads there from our page). ``alt`` is already HTML (mistune renders the
    image's text)."""
    label = f"“{alt}”" if alt.strip() else "An image"
    return (
        f'<span class="blocked-image">{label} is not shown (remote image, not loaded): '
        f"<code>{html.escape(url[:500])}</code></span>"
    )


def typeset_html_block(block: str) -> str:
    """An HTML block of a Markdown cell with the math in its text converted (as MathJax
    typesets math inside ``<div class="admonition">...</div>``), not inside code."""
    if "$" not in block and "\\" not in block:
        return block
    parts = _HTML_TAG.split(block)
    skipping = 0
    for index, part in enumerate(parts):
        if index % 2:
            tag = _NO_MATH_INSIDE.match(part)
            if tag:
                skipping = max(0, skipping + (-1 if tag.group(1) else 1))
        elif part and not skipping:
            parts[index] = math_in_html_text(part)
    return "".join(parts)


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
    with attachments_context(attachments), math_document():
        try:
            raw = _state.markdown.render(source)
        except MemoryError:
            raise
        except Exception:
            logger.warning("markdown could not be parsed; shown as text", exc_info=True)
            return f"<pre>{html.escape(source)}</pre>"
        return sanitize_html(raw)


# --- code -----------------------------------------------------------------------------


# The lexers untrusted text may choose (a notebook's language, a comment's code fence), by the
# names people write. Some of Pygments' ~600 lexers loop or backtrack for ever on a few
# characters, so no other name reaches Pygments: anything else is plain text.
LEXER_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("python", "python3", "py", "py3", "ipython", "ipython3", "ipython2"), "python"
    ),
    **dict.fromkeys(("r", "rscript", "splus"), "r"),
    **dict.fromkeys(("julia", "jl"), "julia"),
    **dict.fromkeys(("sql", "postgresql", "postgres", "mysql", "sqlite", "tsql"), "sql"),
    **dict.fromkeys(("bash", "sh", "shell", "zsh", "ksh"), "bash"),
    **dict.fromkeys(("console", "shell-session"), "console"),
    "json": "json",
    **dict.fromkeys(("yaml", "yml"), "yaml"),
    **dict.fromkeys(("javascript", "js", "node"), "javascript"),
    **dict.fromkeys(("typescript", "ts"), "typescript"),
    "html": "html",
    "xml": "xml",
    "css": "css",
    **dict.fromkeys(("markdown", "md"), "markdown"),
    **dict.fromkeys(("c", "h"), "c"),
    **dict.fromkeys(("cpp", "c++", "cxx", "hpp"), "cpp"),
    "java": "java",
    "scala": "scala",
    **dict.fromkeys(("go", "golang"), "go"),
    **dict.fromkeys(("rust", "rs"), "rust"),
    **dict.fromkeys(("ruby", "rb"), "ruby"),
    "matlab": "matlab",
    "octave": "octave",
    "toml": "toml",
    **dict.fromkeys(("ini", "cfg"), "ini"),
    **dict.fromkeys(("diff", "patch"), "diff"),
    **dict.fromkeys(("latex", "tex"), "latex"),
    **dict.fromkeys(("dockerfile", "docker"), "docker"),
    **dict.fromkeys(("makefile", "make"), "make"),
    **dict.fromkeys(("pytb", "traceback"), "pytb"),
}


@lru_cache(maxsize=64)
def _lexer(name: str) -> Lexer:
    return get_lexer_by_name(LEXER_ALIASES.get(name, "text"))


@lru_cache(maxsize=64)
def _formatter(language: str) -> HtmlFormatter:
    return HtmlFormatter(cssclass=f"highlight hl-{CLASS_UNSAFE.sub('', language)}")


def highlight_code(source: str, language: str) -> str:
    """Code as Pygments HTML with the classes jupyterlab_pygments' CSS styles; ``language``
    (untrusted) only picks among ``LEXER_ALIASES``, and names the class by what it picked."""
    name = LEXER_ALIASES.get(language, "text")
    return highlight(source, _lexer(name), _formatter(name))


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
