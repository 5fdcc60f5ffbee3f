"""KaTeX's MathML, reshaped for what browsers draw (MathML Core, as in Chromium).

KaTeX writes MathML 3: fonts as ``mathvariant`` (``double-struck``, ``bold``...), table
alignment as ``columnalign``, glue cells and line breaks as attributes. MathML Core, and so
Chromium, ignores those, so here they become what it does draw: Unicode mathematical
alphanumerics (bold x, double-struck R), and cell classes (``math-l``/``math-r``,
``math-tight``) that the notebook CSS aligns. The annotation (the TeX source) is dropped:
the page shows math, and the source is in the notebook.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, fromstring, tostring

_NS = ' xmlns="http://www.w3.org/1998/Math/MathML"'

# First code point of A-Z, a-z, 0-9 and the Greek run in each mathvariant (Unicode 1D400-1D7FF).
_LATIN = {
    "bold": 0x1D400,
    "italic": 0x1D434,
    "bold-italic": 0x1D468,
    "script": 0x1D49C,
    "bold-script": 0x1D4D0,
    "fraktur": 0x1D504,
    "double-struck": 0x1D538,
    "bold-fraktur": 0x1D56C,
    "sans-serif": 0x1D5A0,
    "bold-sans-serif": 0x1D5D4,
    "sans-serif-italic": 0x1D608,
    "sans-serif-bold-italic": 0x1D63C,
    "monospace": 0x1D670,
}
_DIGITS = {
    "bold": 0x1D7CE,
    "double-struck": 0x1D7D8,
    "sans-serif": 0x1D7E2,
    "bold-sans-serif": 0x1D7EC,
    "monospace": 0x1D7F6,
}
_GREEK = {
    "bold": 0x1D6A8,
    "italic": 0x1D6E2,
    "bold-italic": 0x1D71C,
    "bold-sans-serif": 0x1D756,
    "sans-serif-bold-italic": 0x1D790,
}
# The letters Unicode had before the block (its holes): (variant, letter) -> code point.
_HOLES = {
    ("italic", "h"): 0x210E,
    **{
        ("script", c): p
        for c, p in zip(
            "BEFHILMR",
            (0x212C, 0x2130, 0x2131, 0x210B, 0x2110, 0x2112, 0x2133, 0x211B),
            strict=True,
        )
    },
    **{("script", c): p for c, p in zip("ego", (0x212F, 0x210A, 0x2134), strict=True)},
    **{
        ("fraktur", c): p
        for c, p in zip("CHIRZ", (0x212D, 0x210C, 0x2111, 0x211C, 0x2128), strict=True)
    },
    **{
        ("double-struck", c): p
        for c, p in zip(
            "CHNPQRZ", (0x2102, 0x210D, 0x2115, 0x2119, 0x211A, 0x211D, 0x2124), strict=True
        )
    },
}
# Greek in the order of each Greek run (capital theta symbol and nabla, partial and variants).
_GREEK_ORDER = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡϴΣΤΥΦΧΨΩ∇αβγδεζηθικλμνξοπρςστυφχψω∂ϵϑϰϕϱϖ"
_STRETCHY_FENCES = frozenset("|\u2223\u2016\u2225")  # | divides, double vertical lines
_TOKENS = frozenset({"mi", "mn", "mo", "mtext"})
_SKIPPED_CELLS = frozenset({"mtr-glue", "mml-eqn-num"})
_ALIGN_CLASS = {"left": "math-l", "right": "math-r"}


def styled_letter(variant: str, char: str) -> str:
    """``char`` in a Unicode mathematical style, or unchanged when there is none."""
    hole = _HOLES.get((variant, char))
    if hole is not None:
        return chr(hole)
    if "A" <= char <= "Z" and variant in _LATIN:
        return chr(_LATIN[variant] + ord(char) - ord("A"))
    if "a" <= char <= "z" and variant in _LATIN:
        return chr(_LATIN[variant] + 26 + ord(char) - ord("a"))
    if "0" <= char <= "9" and variant in _DIGITS:
        return chr(_DIGITS[variant] + ord(char) - ord("0"))
    if variant in _GREEK:
        index = _GREEK_ORDER.find(char)
        if index >= 0:
            return chr(_GREEK[variant] + index)
    return char


def _restyle(element: Element) -> None:
    variant = element.attrib.get("mathvariant")
    if variant is None or variant == "normal" or not element.text:
        return
    element.text = "".join(styled_letter(variant, char) for char in element.text)
    del element.attrib["mathvariant"]
    if element.tag == "mi":
        element.set("mathvariant", "normal")  # keep a one-letter mi from turning italic


def _reshape_table(table: Element) -> None:
    aligns = table.attrib.pop("columnalign", "").split()
    if table.attrib.pop("columnspacing", None) == "0em":
        table.set("class", "math-tight")
    for name in ("rowspacing", "width"):
        table.attrib.pop(name, None)
    for row in table:
        if row.tag != "mtr":
            continue
        for cell in [c for c in row if c.attrib.get("class") in _SKIPPED_CELLS]:
            row.remove(cell)
        for cell in [c for c in row if c.tag == "mtd" and c.attrib.get("width")]:
            if len(cell) == 0:
                row.remove(cell)  # \tag's glue
        for index, cell in enumerate(row):
            cell.attrib.pop("width", None)
            if not aligns:
                continue
            align = aligns[min(index, len(aligns) - 1)]
            if align in _ALIGN_CLASS:
                cell.set("class", _ALIGN_CLASS[align])


def _reshape(element: Element) -> None:
    for child in list(element):
        if child.tag == "semantics":
            index = list(element).index(child)
            element.remove(child)
            shown = [c for c in child if c.tag != "annotation"][:1]
            for offset, inner in enumerate(shown):
                element.insert(index + offset, inner)
                _reshape(inner)
            continue
        if child.tag == "mspace" and child.attrib.get("linebreak"):
            element.remove(child)
            continue
        _reshape(child)
    if element.tag == "mtable":
        _reshape_table(element)
    elif element.tag in _TOKENS:
        _restyle(element)
        fence = element.tag == "mo" and element.attrib.get("fence") == "true"
        if fence and (element.text or "").strip() in _STRETCHY_FENCES:
            element.set("stretchy", "true")
            element.set("symmetric", "true")


def reshape(katex_markup: str) -> str:
    """KaTeX's ``<span class="katex"><math>...`` as one MathML Core ``<math>`` element."""
    # KaTeX's own output (no DTD, no entities beyond XML's), not the notebook's bytes.
    root = fromstring(katex_markup.replace(_NS, "", 1))  # noqa: S314
    math = root if root.tag == "math" else root.find("math")
    if math is None:
        raise ValueError("no <math> element")
    _reshape(math)
    return tostring(math, encoding="unicode", short_empty_elements=False)
