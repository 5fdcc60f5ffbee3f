"""TeX to MathML on the server, so a page needs neither JavaScript nor a CDN for formulas.

Formulas go to KaTeX (pinned in ``package.json``, run by ``mathml_katex``: a node process of
the renderer, never the browser) with ``output: "mathml"``; its MathML is reshaped for MathML
Core (``mathml_tree``) and still goes through the sanitiser. Before KaTeX, the TeX notebooks
write for MathJax is brought to what KaTeX reads: ``eqnarray`` becomes a display array,
display math with ``\\\\`` or ``&`` at its top level becomes ``gathered``/``aligned`` (MathJax
breaks such lines), ``\\label`` is dropped. Macros (``\\newcommand``) hold for the rest of a
document: a notebook, a comment (``math_document``).

If node or KaTeX is missing (a deployment that skipped ``make katex``), latex2mathml converts
instead, with its limits, and the system check ``sharing.W010`` says so.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from xml.etree.ElementTree import ParseError, tostring

from latex2mathml.converter import convert_to_element

from sharing.rendering import mathml_katex
from sharing.rendering.mathml_tree import reshape

logger = logging.getLogger(__name__)

MAX_TEX_LENGTH = 20_000

_ENTITY = re.compile(r"&amp;(#x[0-9A-Fa-f]{1,6};)")
# TeX's control space ("\ "), which latex2mathml keeps as a literal backslash: a thin space.
# Logos latex2mathml would spell as separate italic letters.
_LOGOS = re.compile(r"\\(LaTeX|TeX)(?![A-Za-z])")
_CONTROL_SPACE = re.compile(r"(?<!\\)((?:\\\\)*)\\ ")

# The delimiters Jupyter understands in text/latex outputs (and that markdown cells use).
_MATH_IN_TEXT = re.compile(
    r"(?<!\\)\$\$(?P<dd>.+?(?<!\\)(?:\\\\)*)\$\$"
    r"|(?<!\\)\\\[(?P<bracket>.+?)(?<!\\)\\\]"
    r"|(?<!\\)\\\((?P<paren>.+?)(?<!\\)\\\)"
    r"|\\begin\{(?P<env>[A-Za-z]+\*?)\}(?P<body>.*?)\\end\{(?P=env)\}"
    r"|(?<![\\$])\$(?P<d>[^$]+?(?<!\\)(?:\\\\)*)\$",
    re.DOTALL,
)
_EQNARRAY = re.compile(r"\\(begin|end)\{eqnarray\*?\}")
_LABEL = re.compile(r"\\label\s*\{[^{}]{0,200}\}")
_NONUMBER = re.compile(r"\\(?:nonumber|notag)(?![A-Za-z])")
_ENVIRONMENT_START = re.compile(r"\\begin\s*\{")


def math_error(tex: str) -> str:
    """How a formula that cannot be converted is shown: its source, as code."""
    return f'<code class="math-error">{html.escape(tex)}</code>'


# --- documents (the scope of \newcommand) --------------------------------------------


class _Document(threading.local):
    def __init__(self) -> None:
        self.id: int | None = None
        self.generation = 0
        self.collecting: list[tuple[str, bool]] | None = None
        self.ready: dict[tuple[str, bool], str | None] = {}


_document = _Document()
_document_ids = itertools.count(1)


@contextmanager
def math_document() -> Iterator[None]:
    """Formulas converted inside share their macros; nested uses join the outer document."""
    if _document.id is not None:
        yield
        return
    _document.id, _document.generation = next(_document_ids), 0
    try:
        yield
    finally:
        _document.id = None
        _document.ready = {}


def prefetch_math(discover: Callable[[], object]) -> None:
    """Convert a document's formulas in one KaTeX round trip, ahead of rendering it.

    ``discover`` renders what holds the document's math (its formulas are only noted, not
    converted); the formulas then go to KaTeX in document order, so macros apply as they
    would one by one, and the real render reads the results. Inside ``math_document`` only.
    """
    if _document.id is None:
        return
    _document.collecting = []
    try:
        discover()
    except Exception:
        logger.debug("math discovery stopped early", exc_info=True)
    finally:
        found, _document.collecting = _document.collecting, None
    formulas = list(dict.fromkeys(found))
    try:
        answers = mathml_katex.convert_many(formulas, _document.id)
    except mathml_katex.KatexUnavailable:
        return  # each formula then takes the fallback path
    for formula, answer in zip(formulas, answers, strict=True):
        _document.ready[formula] = _reshaped(answer) if answer.ok else None


# --- preparing TeX for KaTeX -----------------------------------------------------------


def _top_level_breaks(tex: str) -> tuple[bool, bool]:
    """Whether ``tex`` has ``\\\\`` and ``&`` outside braces and environments."""
    depth = 0
    has_break = has_amp = False
    i, n = 0, len(tex)
    while i < n:
        char = tex[i]
        if char == "\\":
            if tex.startswith("\\\\", i):
                has_break = has_break or depth == 0
                i += 2
                continue
            if tex.startswith("\\begin", i):
                depth += 1
            elif tex.startswith("\\end", i):
                depth -= 1
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "&" and depth == 0:
            has_amp = True
        i += 1
    return has_break, has_amp


def prepare(tex: str, display: bool) -> str:
    """MathJax-flavoured TeX as KaTeX reads it (see the module's docstring)."""
    source = _LABEL.sub("", tex.strip())
    if "eqnarray" in source:
        source = _EQNARRAY.sub(
            lambda m: r"\begin{darray}{rcl}" if m.group(1) == "begin" else r"\end{darray}",
            _NONUMBER.sub("", source),
        )
    if display and not _ENVIRONMENT_START.match(source):
        has_break, has_amp = _top_level_breaks(source)
        if has_amp:
            source = f"\\begin{{aligned}}{source}\\end{{aligned}}"
        elif has_break:
            source = f"\\begin{{gathered}}{source}\\end{{gathered}}"
    return source


# --- conversion -----------------------------------------------------------------------


_katex_missing_logged = False


def _reshaped(answer: mathml_katex.Answer) -> str | None:
    try:
        return reshape(answer.text)
    except (ParseError, ValueError):
        logger.warning("KaTeX's MathML could not be read", exc_info=True)
        return None


@lru_cache(maxsize=4096)
def _katex(source: str, display: bool, document: int, generation: int) -> tuple[str | None, int]:
    answer = mathml_katex.convert(source, display, document)
    if not answer.ok:
        return None, answer.new_macros
    return _reshaped(answer), answer.new_macros


def _latex2mathml(tex: str, display: bool) -> str | None:
    source = _LOGOS.sub(r"\\text{\1}", _CONTROL_SPACE.sub(r"\1\\;", tex))
    try:
        element = convert_to_element(source, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on bad TeX
        return None
    element.attrib.pop("xmlns", None)
    return _ENTITY.sub(r"&\1", tostring(element, encoding="unicode"))


def tex_to_mathml(tex: str, display: bool = False) -> str:
    """One formula (without delimiters) as a ``<math>`` element, or a ``math-error`` code."""
    global _katex_missing_logged
    if not tex.strip():
        return ""  # an empty formula draws nothing, as in JupyterLab
    if len(tex) > MAX_TEX_LENGTH:
        return math_error(tex)
    source = prepare(tex, display)
    if _document.collecting is not None:
        _document.collecting.append((source, display))
        return ""
    if (source, display) in _document.ready:
        mathml = _document.ready[(source, display)]
        return mathml if mathml is not None else math_error(tex)
    document = _document.id if _document.id is not None else 0
    try:
        mathml, new_macros = _katex(source, display, document, _document.generation)
    except mathml_katex.KatexUnavailable:
        if not _katex_missing_logged:
            logger.error("KaTeX is not available (make katex); math falls back to latex2mathml")
            _katex_missing_logged = True
        mathml, new_macros = _latex2mathml(tex.strip(), display), 0
    if new_macros:
        _document.generation += 1
    return mathml if mathml is not None else math_error(tex)


def environment_to_mathml(name: str, body: str) -> str:
    r"""``\begin{name}body\end{name}`` (equation, align, gather, cases...) as display math."""
    return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", True)


def latex_text_to_html(text: str) -> str:
    """A ``text/latex`` output: text with delimited formulas, formulas converted to MathML."""
    return _convert_delimited(text, html.escape)


def math_in_html_text(text: str) -> str:
    """Text between the tags of an HTML block (already HTML: entities stay entities), with its
    delimited formulas converted, as MathJax typesets math inside HTML."""
    if "$" not in text and "\\" not in text:
        return text
    return _convert_delimited(text, lambda part: part, unescape=True)


def _convert_delimited(text: str, keep, unescape: bool = False) -> str:
    parts: list[str] = []
    position = 0
    for match in _MATH_IN_TEXT.finditer(text):
        parts.append(keep(text[position : match.start()]))
        position = match.end()
        groups = {
            key: (html.unescape(value) if unescape and value is not None else value)
            for key, value in match.groupdict().items()
        }
        if groups["env"]:
            parts.append(environment_to_mathml(groups["env"], groups["body"]))
        elif groups["d"] is not None:
            parts.append(tex_to_mathml(groups["d"], False))
        elif groups["paren"] is not None:
            parts.append(tex_to_mathml(groups["paren"], False))
        else:
            parts.append(tex_to_mathml(groups["dd"] or groups["bracket"] or "", True))
    parts.append(keep(text[position:]))
    return "".join(parts)
