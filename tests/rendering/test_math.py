# ruff: noqa: RUF001 (the mathematical letters are what is tested)
"""Math as MathJax shows it in JupyterLab, converted on the server by the pinned KaTeX."""

from __future__ import annotations

import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.rendering import mathml_katex
from sharing.rendering.markup import markdown_to_html
from sharing.rendering.mathml import prepare, tex_to_mathml
from sharing.rendering.mathml_tree import styled_letter
from sharing.rendering.renderer import render_notebook


def _text(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


def _rows(markup: str) -> int:
    return markup.count("<mtr>")


def test_katex_is_installed_and_used() -> None:
    assert mathml_katex.node_binary() and mathml_katex.katex_installed()
    # latex2mathml cannot read eqnarray: a table here proves KaTeX converted it.
    assert "<mtable" in tex_to_mathml(r"\begin{eqnarray} a &=& b \end{eqnarray}", True)


def test_multi_line_display_math_keeps_its_lines() -> None:
    html = markdown_to_html("$$ a \\\\ b \\\\ c $$")
    assert '<math display="block">' in html
    assert _rows(html) == 3
    assert "\\" not in _text(html)


def test_top_level_ampersands_align_like_aligned() -> None:
    html = tex_to_mathml(r"a &= b \\ c &= d", True)
    assert _rows(html) == 2 and 'class="math-r"' in html and 'class="math-l"' in html


@pytest.mark.parametrize(
    ("environment", "body", "rows"),
    [
        ("align", r"a &= b \\ c &= d", 2),
        ("align*", r"a &= b \\ c &= d \\ e &= f", 3),
        ("eqnarray", r"a &=& b \nonumber \\ c &=& d \label{eq:x}", 2),
        ("eqnarray*", r"x &\le& y", 1),
        ("gather", r"a \\ b", 2),
    ],
)
def test_multi_line_environments_become_tables(environment, body, rows) -> None:
    html = markdown_to_html(f"\\begin{{{environment}}}\n{body}\n\\end{{{environment}}}")
    assert '<math display="block">' in html
    assert _rows(html) == rows
    text = _text(html)
    assert "&amp;" not in text and "\\" not in text and "label" not in text


def test_align_is_centred_like_display_math() -> None:
    html = tex_to_mathml(r"\begin{align} a &= b \end{align}", True)
    # No glue cells or equation-number cells pushing it to one side: the table is centred
    # in its block like any $$ formula, its columns aligned right | left.
    assert "mtr-glue" not in html and "mml-eqn-num" not in html
    assert re.search(r'<mtd class="math-r">.*<mtd class="math-l">', html)
    assert 'class="math-tight"' in html


def test_array_cases_and_matrices() -> None:
    array = tex_to_mathml(r"\begin{array}{lr} a & b \\ c & d \end{array}", True)
    assert _rows(array) == 2 and 'class="math-l"' in array and 'class="math-r"' in array
    assert "\\" not in _text(array)
    cases = tex_to_mathml(r"f = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}", True)
    assert _rows(cases) == 2 and "<mtext>otherwise</mtext>" in cases
    for kind, left, right in [("pmatrix", "(", ")"), ("bmatrix", "[", "]"), ("vmatrix", "∣", "∣")]:
        html = tex_to_mathml(rf"\begin{{{kind}}} a & b \\ c & d \end{{{kind}}}", True)
        fences = re.findall(r"<mo[^>]*>(.)</mo>", html)
        assert fences[0] == left and fences[-1] == right, kind
    vmatrix = tex_to_mathml(r"\begin{vmatrix} a & b \\ c & d \end{vmatrix}", True)
    # The bars stretch over the whole matrix, on both sides of the table.
    assert re.fullmatch(
        r'<math display="block"><mrow><mo fence="true" stretchy="true" symmetric="true">∣</mo>'
        r"<mtable>.*</mtable><mo fence=\"true\" stretchy=\"true\" symmetric=\"true\">∣</mo>"
        r"</mrow></math>",
        vmatrix,
    )


def test_text_with_nested_math() -> None:
    html = tex_to_mathml(r"\sum_n q^n \text{ for $|q|<1$}", False)
    assert "$" not in _text(html)
    assert "<mtext>\xa0for\xa0</mtext>" in html and "<mo>&lt;</mo>" in html


def test_fonts_become_unicode_letters_browsers_draw() -> None:
    html = tex_to_mathml(r"\mathbb{R} \boldsymbol{\theta} \mathbf{x} \mathcal{N} \mathbb{E}", False)
    for letter in ("ℝ", "𝜽", "𝐱", "𝒩", "𝔼"):
        assert f'<mi mathvariant="normal">{letter}</mi>' in html
    assert 'mathvariant="double-struck"' not in html
    assert styled_letter("double-struck", "1") == "𝟙"
    assert styled_letter("fraktur", "g") == "𝔤"


def test_operatorname() -> None:
    html = tex_to_mathml(r"\operatorname{KL}(q \| p)", False)
    assert '<mi mathvariant="normal">KL</mi>' in html


def test_macros_hold_for_the_rest_of_the_notebook_only() -> None:
    cells = [
        new_markdown_cell(r"$\newcommand{\R}{\mathbb{X}} \newcommand{\vect}[1]{\mathbf{#1}}$"),
        new_markdown_cell(r"Then $\R$ and $\vect{v}$."),
        new_code_cell(
            "x",
            outputs=[new_output("display_data", data={"text/latex": r"$\vect{w}$"})],
        ),
    ]
    html = render_notebook(new_notebook(cells=cells))
    assert "𝕏" in html  # the notebook's \R wins over KaTeX's own (\mathbb{R})
    assert "𝐯" in html and "𝐰" in html
    assert "math-error" not in html
    # A second notebook does not inherit the first one's macros.
    other = render_notebook(new_notebook(cells=[new_markdown_cell(r"$\vect{v}$ and $\R$")]))
    assert "math-error" in other and "ℝ" in other and "𝕏" not in other


def test_math_inside_html_blocks_but_not_inside_code() -> None:
    source = (
        '<div class="admonition">$q(\\theta)$ and $$\\frac{a}{b}$$ and 2 <= 3</div>\n\n'
        "<pre>$not math$</pre>\n"
    )
    html = markdown_to_html(source)
    assert html.count("<math") == 2 and "<mfrac>" in html
    assert "<pre>$not math$</pre>" in html
    assert "2 &lt;= 3" in html


def test_bad_tex_is_shown_as_source_and_macros_cannot_loop() -> None:
    assert tex_to_mathml(r"\frac{", False) == r'<code class="math-error">\frac{</code>'
    looping = tex_to_mathml(r"\def\a{\a\a}\a", False)
    assert looping.startswith('<code class="math-error">')


def test_katex_cannot_link_or_style() -> None:
    html = markdown_to_html(r"$\href{javascript:alert(1)}{x} \htmlStyle{color:red}{y}$")
    assert "javascript" not in html.replace("\\href{javascript", "")
    assert "style=" not in html and "href=" not in html


def test_prepare_brings_mathjax_tex_to_katex() -> None:
    assert prepare(r"a \\ b", True) == r"\begin{gathered}a \\ b\end{gathered}"
    assert prepare(r"\frac{a \\ b}{c}", True) == r"\frac{a \\ b}{c}"
    assert prepare(r"a \\ b", False) == r"a \\ b"
    assert prepare(r"\begin{eqnarray}a&=&b\end{eqnarray}", True) == (
        r"\begin{darray}{rcl}a&=&b\end{darray}"
    )


def test_a_stopped_katex_process_is_replaced() -> None:
    tex_to_mathml(r"\alpha", False)
    mathml_katex.stop()
    assert "<mtable" in tex_to_mathml(r"\begin{eqnarray} b &=& c \end{eqnarray}", True)
    with mathml_katex._lock:
        process = mathml_katex._process
    process.popen.kill()  # dies between two requests
    process.popen.wait()
    assert "<mtable" in tex_to_mathml(r"\begin{eqnarray} d &=& e \end{eqnarray}", True)
