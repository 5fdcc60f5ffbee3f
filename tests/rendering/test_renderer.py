"""sharing.rendering: hostile notebooks render harmless, real content still renders faithfully."""

from __future__ import annotations

import base64
import copy
import re
import threading
import warnings
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from sharing.rendering.charts.collect import split_data
from sharing.rendering.renderer import RENDERER_VERSION, RenderError, render_notebook
from tests.corpus import corpus_notebooks
from tests.hostile import PNG_1PX, hostile_notebooks

FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "form", "input", "button", "meta", "base", "link", "style",
    "object", "embed", "svg", "textarea", "select", "template", "noscript",
}  # fmt: skip
ALLOWED_IMAGE_SRC = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]*")


class _Elements(HTMLParser):
    """Every start tag of a fragment with its attributes (values entity-decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_harmless(html: str, *, text_too: bool = True) -> None:
    """No script, handler, style, frame, form, metadata tag or request to another host.

    ``text_too`` also rejects the words anywhere in the text (real notebooks show code such as
    ``'<div style=...>'`` as escaped text, so it is off for them).
    """
    html, _chart_data = split_data(
        html
    )  # inert JSON in one attribute: tests/rendering/test_interactive.py
    lowered = html.lower()
    for needle in ("<script", "<iframe", "<form", "<meta", "<base", "<link", "<style"):
        assert needle not in lowered, needle
    if text_too:
        assert " style=" not in lowered
        assert not re.search(r"\son[a-z]+\s*=", lowered), "event handler attribute"
    for tag, attrs in elements(html):
        assert tag not in FORBIDDEN_TAGS, tag
        for name, value in attrs.items():
            value = (value or "").strip().lower()
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "srcset", "formaction", "action", "target"}, (tag, name)
            assert "javascript:" not in value and "vbscript:" not in value, (tag, name, value)
            if name == "src":
                assert tag == "img" and ALLOWED_IMAGE_SRC.fullmatch(attrs[name] or ""), value
            if name == "href":
                assert not value.startswith("data:"), (tag, value)
                assert tag == "a", tag
            if name == "id":
                assert value.startswith(("cell-", "nb-")), value
            if tag == "img" and name in {"width", "height"}:
                assert value.isdigit(), value


@pytest.mark.parametrize(
    ("name", "nb"), hostile_notebooks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_hostile_notebook_renders_harmless(name: str, nb: nbformat.NotebookNode) -> None:
    html = render_notebook(nb)
    assert_harmless(html)
    # A remote Markdown image is named, with its address as a link the reader may follow,
    # but never loaded.
    shown = re.sub(r'<span class="blocked-image">.*?</span>', "", html, flags=re.DOTALL)
    assert "evil.example" not in shown or name == "markdown-base"  # base: only as text
    assert "evil.example" not in "".join(re.findall(r'src="[^"]*"', html))


def test_hostile_payload_text_never_appears_as_markup() -> None:
    html = "".join(render_notebook(nb) for _, nb in hostile_notebooks())
    assert "window.__pwned" not in re.sub(r"<pre[^>]*>.*?</pre>", "", html, flags=re.DOTALL)


# --- a faithful notebook ----------------------------------------------------------------

PANDAS_HTML = """<div><style scoped>.dataframe tbody tr th { vertical-align: top; }</style>
<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th><th>a</th>
</tr></thead><tbody><tr><th>0</th><td>1</td></tr></tbody></table></div>"""
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    '<rect width="4" height="4"/></svg>'
)


@pytest.fixture(scope="module")
def good_notebook() -> nbformat.NotebookNode:
    markdown = (
        "# Analysis\n\nSee [the docs](https://example.org/docs) and [below](#Results).\n\n"
        "| col | val |\n|-----|-----|\n| a   | 1   |\n\n"
        "```python\ndef f(x):\n    return x\n```\n\n"
        "Inline $x^2$, display $$\\frac{a}{b}$$, \\(y\\) and \\[z\\].\n\n"
        "\\begin{equation}E = mc^2\\end{equation}\n\n"
        "Broken $x^$ formula.\n\n"
        "![plot](attachment:plot.png)\n\n## Results\n"
    )
    cells = [
        new_markdown_cell(markdown, attachments={"plot.png": {"image/png": PNG_1PX}}),
        new_code_cell(
            "import pandas as pd\nprint('hi')",
            execution_count=1,
            outputs=[
                new_output("stream", name="stdout", text="\x1b[31mred\x1b[0m plain\n"),
                new_output("stream", name="stderr", text="\x1b[1;32mwarn\x1b[0m\n"),
                new_output(
                    "execute_result",
                    data={"text/html": PANDAS_HTML, "text/plain": "   a\n0  1"},
                    execution_count=1,
                ),
                new_output(
                    "display_data",
                    data={"image/png": PNG_1PX, "text/plain": "<Figure>"},
                    metadata={"image/png": {"width": 640, "height": "480"}},
                ),
                new_output("display_data", data={"image/jpeg": "/9j/4AAQ"}),
                new_output("display_data", data={"image/gif": "R0lGODlhAQABAAAAACw="}),
                new_output("display_data", data={"image/svg+xml": SVG}),
                new_output("display_data", data={"text/latex": "$\\alpha + \\beta$"}),
                new_output("display_data", data={"application/vnd.plotly.v1+json": {}}),
                new_output(
                    "display_data",
                    data={"application/vnd.vegalite.v5+json": {}, "image/png": PNG_1PX},
                ),
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"],
                ),
            ],
        ),
        new_code_cell("x = 1", execution_count=None),
        new_raw_cell("raw text <b>", metadata={}),
    ]
    nb = new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


@pytest.fixture(scope="module")
def good_html(good_notebook: nbformat.NotebookNode) -> str:
    return render_notebook(good_notebook)


def test_good_notebook_is_harmless_too(good_html: str) -> None:
    assert_harmless(good_html)


def test_every_cell_is_addressable(good_notebook: nbformat.NotebookNode, good_html: str) -> None:
    found = {a["data-cell-id"]: (tag, a) for tag, a in elements(good_html) if "data-cell-id" in a}
    assert list(found) == [cell.id for cell in good_notebook.cells]
    for index, cell in enumerate(good_notebook.cells):
        tag, attrs = found[cell.id]
        assert tag == "div"
        assert attrs["id"] == f"cell-{cell.id}"
        assert attrs["data-cell-index"] == str(index)
        assert attrs["data-cell-type"] == cell.cell_type
        assert "jp-Cell" in (attrs["class"] or "")


def test_markdown_renders_headings_tables_links_and_code(good_html: str) -> None:
    assert '<h1 id="nb-Analysis">Analysis' in good_html
    assert '<h2 id="nb-Results">' in good_html
    assert '<a href="#nb-Results" rel="noopener noreferrer nofollow">below</a>' in good_html
    assert 'href="https://example.org/docs" rel="noopener noreferrer nofollow"' in good_html
    assert "<th>col</th>" in good_html
    assert '<span class="k">def</span>' in good_html


def test_attachments_are_resolved_to_data_uris(good_html: str) -> None:
    assert f'<img src="data:image/png;base64,{PNG_1PX}" alt="plot">' in good_html


def test_math_becomes_mathml(good_html: str) -> None:
    assert "<math><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>" in good_html
    assert good_html.count('<math display="block">') >= 3  # $$, \[ \], equation
    assert "<mfrac>" in good_html
    assert '<code class="math-error">x^</code>' in good_html
    assert "<mi>\N{GREEK SMALL LETTER ALPHA}</mi>" in good_html  # text/latex output


def test_code_is_highlighted_with_pygments_classes(good_html: str) -> None:
    assert '<div class="highlight hl-python"><pre>' in good_html
    assert '<span class="kn">import</span>' in good_html


def test_streams_and_errors_keep_ansi_colours_as_classes(good_html: str) -> None:
    assert '<span class="ansi-red-fg">red</span> plain' in good_html
    assert 'class="ansi-green-intense-fg ansi-bold">warn' in good_html
    assert '<span class="ansi-red-fg">ZeroDivisionError</span>' in good_html
    assert 'data-mime-type="application/vnd.jupyter.stderr"' in good_html


def test_pandas_table_keeps_table_and_drops_style(good_html: str) -> None:
    assert '<table class="dataframe">' in good_html
    assert "vertical-align" not in good_html
    assert "Out[1]:" in good_html


def test_images_become_data_uris_with_integer_sizes(good_html: str) -> None:
    assert f'src="data:image/png;base64,{PNG_1PX}" alt="Output image" width="640" height="480"' in (
        good_html
    )
    assert 'src="data:image/jpeg;base64,/9j/4AAQ"' in good_html
    assert 'src="data:image/gif;base64,R0lGODlhAQABAAAAACw="' in good_html
    svg_b64 = base64.b64encode(SVG.encode()).decode()
    assert f'src="data:image/svg+xml;base64,{svg_b64}"' in good_html


def test_javascript_outputs_show_fallback_or_placeholder(good_html: str) -> None:
    assert (
        '<div class="ns-placeholder jp-OutputArea-output">This output needs JavaScript '
        "(application/vnd.plotly.v1+json) and is not shown.</div>"
    ) in good_html
    assert "JavaScript (application/vnd.vegalite" not in good_html  # its PNG fallback shows


def test_input_and_output_areas_are_distinguishable(good_html: str) -> None:
    assert good_html.count('class="jp-Cell-inputWrapper"') == 4
    assert good_html.count('class="jp-Cell-outputWrapper"') == 1
    assert "jp-CodeCell jp-Notebook-cell jp-mod-noOutputs" in good_html
    assert "In&nbsp;[&nbsp;]:" in good_html


def test_raw_cell_is_shown_as_text(good_html: str) -> None:
    assert "<pre>raw text &lt;b&gt;</pre>" in good_html


def test_rendering_does_not_change_the_notebook(good_notebook: nbformat.NotebookNode) -> None:
    before = copy.deepcopy(good_notebook)
    render_notebook(good_notebook)
    assert good_notebook == before


def test_empty_widgets_metadata_renders() -> None:
    output = new_output(
        "display_data",
        data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2},
            "text/plain": "IntSlider(value=3)",
        },
    )
    nb = new_notebook(cells=[new_code_cell("w", outputs=[output])], metadata={"widgets": {}})
    nbformat.validate(nb)
    html = render_notebook(nb)
    # One placeholder naming the type (the repr says less), and why it is not drawn.
    assert "JavaScript (application/vnd.jupyter.widget-view+json)" in html
    assert "saved widget state is missing" in html
    del nb.cells[0].outputs[0].data["text/plain"]
    assert "JavaScript (application/vnd.jupyter.widget-view+json)" in render_notebook(nb)


def test_unknown_mime_type_gets_a_placeholder() -> None:
    output = new_output("display_data", data={"application/x-thing+json": {"a": 1}})
    html = render_notebook(new_notebook(cells=[new_code_cell("x", outputs=[output])]))
    assert "This output type (application/x-thing+json) cannot be shown." in html


def test_carriage_returns_overwrite_like_a_terminal() -> None:
    output = new_output("stream", name="stdout", text="10%\r50%\r100%\ndone\n")
    html = render_notebook(new_notebook(cells=[new_code_cell("x", outputs=[output])]))
    assert "<pre>100%\ndone\n</pre>" in html


def test_not_a_v4_notebook_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="format version 4"):
        render_notebook({"nbformat": 3, "worksheets": []})  # type: ignore[arg-type]


def test_renderer_version_is_a_string() -> None:
    assert isinstance(RENDERER_VERSION, str) and RENDERER_VERSION


def test_threads_render_the_same_html(good_notebook: nbformat.NotebookNode, good_html: str) -> None:
    results: list[str] = []

    def work() -> None:
        for _ in range(5):
            results.append(render_notebook(good_notebook))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [good_html] * 20


@pytest.mark.slow
def test_real_notebooks_render_harmless() -> None:
    for item in corpus_notebooks():
        if not item.valid:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's notes on old or odd test files
            nb = nbformat.reads(item.path.read_text(encoding="utf-8"), as_version=4)
        html = render_notebook(nb)
        assert_harmless(html, text_too=False)
        assert html.count("data-cell-index=") == len(nb.cells), item.member


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"$\LaTeX$ and $\TeX$", ["<mtext>LaTeX</mtext>", "<mtext>TeX</mtext>"]),
        (r"$a\ b$", ["<mi>a</mi><mtext>&nbsp;</mtext><mi>b</mi>"]),  # TeX's control space
    ],
)
def test_logos_and_control_spaces_in_math(tex, expected):
    html = render_notebook(new_notebook(cells=[new_markdown_cell(tex)]))
    for fragment in expected:
        assert fragment in html
    assert "\\" not in html.split("<math", 1)[1]


def test_an_empty_formula_draws_nothing():
    html = render_notebook(new_notebook(cells=[new_markdown_cell("before $$ $$ after")]))
    assert "math-error" not in html
