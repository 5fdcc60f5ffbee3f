"""No raw TeX left in the rendered math of the real-notebook corpus."""

from __future__ import annotations

import re
import warnings

import nbformat
import pytest

from sharing.rendering.charts.collect import split_data
from sharing.rendering.renderer import render_notebook
from tests.corpus import corpus_notebooks, refused_by_design

pytestmark = pytest.mark.slow

_MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# TeX that must never show in a formula: alignment marks, line breaks, dollars, environments.
_RAW_IN_MATH = ("&amp;", "\\\\", "$", "\\begin", "\\end")
# And outside formulas (code aside): a delimited formula or environment left unconverted.
_RAW_OUTSIDE = re.compile(r"\$\$[^$<]+\$\$|\\begin\{[a-z]+\*?\}|\\\[.+?\\\]")


def _rendered_corpus() -> list[tuple[str, str]]:
    pages = []
    for item in corpus_notebooks():
        data = item.path.read_bytes()
        if not item.valid or refused_by_design(data):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(data.decode(), as_version=4)
        # What the page shows as text; the chart data element is inert JSON for the chart
        # frames (docs/charts.md), whose saved widget values may hold TeX as typed.
        pages.append((item.member, split_data(render_notebook(nb))[0]))
    return pages


def test_corpus_math_has_no_raw_tex() -> None:
    problems = []
    formulas = 0
    by_notebook = {}
    for member, html in _rendered_corpus():
        maths = _MATH.findall(html)
        formulas += len(maths)
        by_notebook[member.rsplit("/", 1)[-1]] = len(maths)
        for math in maths:
            text = _TAG.sub("", math)
            problems += [(member, token, text[:80]) for token in _RAW_IN_MATH if token in text]
        for error in re.findall(r'<code class="math-error">(.*?)</code>', html, re.DOTALL):
            problems.append((member, "not converted", error[:80]))
        outside = _CODE.sub("", _MATH.sub("", html))
        problems += [(member, "outside math", m[:80]) for m in _RAW_OUTSIDE.findall(outside)]
    assert problems == [], "\n".join(map(str, problems))
    # The math-heavy notebooks are in the corpus and really were converted.
    assert by_notebook["variational-inference.ipynb"] >= 100
    assert formulas >= 120
