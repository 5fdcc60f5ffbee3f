"""LaTeX to MathML on the server, so a page needs neither JavaScript nor a CDN for formulas.

latex2mathml builds an ElementTree; its own ``convert`` un-escapes the serialised tree (to keep
its ``&#x...;`` entities), which would turn ``\\text{<b>}`` into live markup. We serialise the
tree ourselves and restore only the numeric entities. The result still goes through the
sanitiser (``\\href``, ``\\style`` and friends become attributes it drops).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from xml.etree.ElementTree import tostring

from latex2mathml.converter import convert_to_element

MAX_TEX_LENGTH = 20_000

_ENTITY = re.compile(r"&amp;(#x[0-9A-Fa-f]{1,6};)")
# TeX's control space ("\ "), which latex2mathml keeps as a literal backslash: a thin space.
# Logos latex2mathml would spell as separate italic letters.
_LOGOS = re.compile(r"\\(LaTeX|TeX)(?![A-Za-z])")
_CONTROL_SPACE = re.compile(r"(?<!\\)((?:\\\\)*)\\ ")

# The delimiters Jupyter understands in text/latex outputs (and that markdown cells use).
_MATH_IN_TEXT = re.compile(
    r"(?<!\\)\$\$(?P<dd>.+?)(?<!\\)\$\$"
    r"|(?<!\\)\\\[(?P<bracket>.+?)(?<!\\)\\\]"
    r"|(?<!\\)\\\((?P<paren>.+?)(?<!\\)\\\)"
    r"|\\begin\{(?P<env>[A-Za-z]+\*?)\}(?P<body>.*?)\\end\{(?P=env)\}"
    r"|(?<![\\$])\$(?P<d>[^$]+?)(?<!\\)\$",
    re.DOTALL,
)


def math_error(tex: str) -> str:
    """How a formula that cannot be converted is shown: its source, as code."""
    return f'<code class="math-error">{html.escape(tex)}</code>'


@lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool = False) -> str:
    """One formula (without delimiters) as a ``<math>`` element, or a ``math-error`` code."""
    source = _LOGOS.sub(r"\\text{\1}", _CONTROL_SPACE.sub(r"\1\\;", tex.strip()))
    if not source:
        return ""  # an empty formula draws nothing, as in JupyterLab
    if len(source) > MAX_TEX_LENGTH:
        return math_error(tex)
    try:
        element = convert_to_element(source, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on bad TeX
        return math_error(tex)
    element.attrib.pop("xmlns", None)
    return _ENTITY.sub(r"&\1", tostring(element, encoding="unicode"))


def environment_to_mathml(name: str, body: str) -> str:
    r"""``\begin{name}body\end{name}`` (equation, align, gather, cases...) as display math."""
    return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", True)


def latex_text_to_html(text: str) -> str:
    """A ``text/latex`` output: text with delimited formulas, formulas converted to MathML."""
    parts: list[str] = []
    position = 0
    for match in _MATH_IN_TEXT.finditer(text):
        parts.append(html.escape(text[position : match.start()]))
        position = match.end()
        if match.group("env"):
            parts.append(environment_to_mathml(match.group("env"), match.group("body")))
        elif match.group("d") is not None:
            parts.append(tex_to_mathml(match.group("d"), False))
        elif match.group("paren") is not None:
            parts.append(tex_to_mathml(match.group("paren"), False))
        else:
            parts.append(tex_to_mathml(match.group("dd") or match.group("bracket") or "", True))
    parts.append(html.escape(text[position:]))
    return "".join(parts)
