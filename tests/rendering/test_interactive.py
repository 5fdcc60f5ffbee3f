"""sharing.rendering.charts: interactive outputs become checked, inert data beside their static
rendering (docs/charts.md); notebooks without them render as before."""

from __future__ import annotations

import html
import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from sharing.rendering.charts.clean import SpecRefused, clean, script_json
from sharing.rendering.charts.collect import DATA_ELEMENT_ID, split_data
from sharing.rendering.renderer import render_cell, render_notebook
from tests.corpus import corpus_notebooks

PLOTLY = "application/vnd.plotly.v1+json"
VEGALITE = "application/vnd.vegalite.v5+json"
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
DATA = re.compile(r"<div hidden id=\"ns-chart-data\" data-charts='([^']*)'></div>\n$")


def notebook(*bundles, widgets=None):
    nb = new_notebook()
    for number, data in enumerate(bundles, 1):
        nb.cells.append(
            new_code_cell(
                "x", execution_count=number, outputs=[new_output("display_data", data=data)]
            )
        )
    if widgets is not None:
        nb.metadata["widgets"] = {STATE: widgets}
    return nbformat.from_dict(json.loads(nbformat.writes(nb)))


def chart_data(rendered: str) -> dict:
    match = DATA.search(rendered)
    assert match, rendered[-300:]
    return json.loads(html.unescape(match.group(1)))


def test_plotly_bundle_is_one_marked_placeholder_with_its_spec():
    figure = {"data": [{"type": "bar", "y": [1, 2]}], "layout": {"title": {"text": "T"}}}
    rendered = render_notebook(notebook({PLOTLY: figure, "text/html": "<script>x</script>"}))
    page, data = split_data(rendered)
    assert data.startswith(f'<div hidden id="{DATA_ELEMENT_ID}"')
    assert page.count("ns-placeholder") == 1
    assert f"This output needs JavaScript ({PLOTLY})" in page
    assert f'<div class="ns-chart" data-chart="0" data-mime-type="{PLOTLY}">' in page
    charts = chart_data(rendered)["charts"]
    assert charts == [
        {
            "kind": "plotly",
            "mime": PLOTLY,
            "data": figure["data"],
            "layout": figure["layout"],
            "notes": [],
        }
    ]


def test_plotly_loader_output_shows_nothing_and_altair_names_its_type():
    loader = {"text/html": "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"}
    altair = {VEGALITE: {"mark": "bar", "data": {"values": []}}, "text/plain": "alt.Chart(...)"}
    page, _ = split_data(render_notebook(notebook(loader, altair)))
    assert page.count("ns-placeholder") == 1
    assert f"This output needs JavaScript ({VEGALITE})" in page
    assert "alt.Chart(...)" not in page


def test_static_fallback_stays_under_the_chart():
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
        "rkJggg=="
    )
    page, _ = split_data(render_notebook(notebook({VEGALITE: {"mark": "bar"}, "image/png": png})))
    assert re.search(
        r'<div class="ns-chart" data-chart="0"[^>]*><div class="jp-RenderedImage', page
    )


@pytest.mark.parametrize(
    ("value", "note"),
    [
        ("{not json", "malformed"),
        ([1, 2], "not a chart description"),
        ({"data": "x"}, "not a list of traces"),
    ],
)
def test_malformed_plotly_is_refused_with_a_note(value, note):
    page, data = split_data(render_notebook(notebook({PLOTLY: value, "text/plain": "F"})))
    assert data == ""
    assert 'class="ns-chart ns-chart-refused"' in page
    assert note in page
    assert page.count("ns-placeholder") == 1


@pytest.mark.parametrize(
    "spec",
    [
        {"data": {"url": "https://example.org/cars.json"}, "mark": "point"},
        {"layer": [{"data": {"url": "data/cars.json"}, "mark": "point"}]},
        {"mark": "image", "encoding": {"url": {"value": "https://example.org/a.png"}}},
    ],
)
def test_vega_specs_that_name_addresses_are_refused(spec):
    page, data = split_data(render_notebook(notebook({VEGALITE: spec})))
    assert data == ""
    assert "which is never fetched" in page


def test_hostile_values_are_cleaned():
    value = {
        "__proto__": {"polluted": 1},
        "a": [float("nan"), float("inf"), -float("inf"), 1.5],
        "b": {"constructor": {"prototype": 1}, "prototype": 2, "ok": "</script><!--"},
    }
    cleaned = clean(value)
    assert cleaned == {"a": [None, None, None, 1.5], "b": {"ok": "</script><!--"}}
    text = script_json(cleaned)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == cleaned


def test_depth_and_size_are_bounded():
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(SpecRefused, match="nested too deeply"):
        clean(deep)
    with pytest.raises(SpecRefused, match="larger than"):
        clean({"y": list(range(2_000_000))})
    giant = {"data": [{"y": list(range(1_200_000))}]}
    page, data = split_data(render_notebook(notebook({PLOTLY: giant})))
    assert "ns-chart-refused" in page and data == ""


def test_attribute_cannot_be_broken_out_of():
    text = "' onmouseover='alert(1)' x='</div><script>alert(1)</script>"
    figure = {"data": [{"type": "bar", "y": [1], "text": [text]}], "layout": {}}
    rendered = render_notebook(notebook({PLOTLY: figure}))
    _page, data = split_data(rendered)
    assert "<script" not in rendered
    assert data.count("'") == 2  # the attribute's own quotes only
    assert chart_data(rendered)["charts"][0]["data"][0]["text"] == [text]


def slider_state(module="@jupyter-widgets/controls"):
    return {
        "version_major": 2,
        "version_minor": 0,
        "state": {
            "s": {
                "model_module": module,
                "model_name": "IntSliderModel",
                "state": {"layout": "IPY_MODEL_l", "value": 3},
            },
            "l": {
                "model_module": "@jupyter-widgets/base",
                "model_name": "LayoutModel",
                "state": {},
            },
            "unused": {"model_module": "@jupyter-widgets/base", "model_name": "LayoutModel"},
        },
    }


def view(model_id):
    return {VIEW: {"version_major": 2, "version_minor": 0, "model_id": model_id}, "text/plain": "W"}


def test_widget_view_carries_only_the_models_it_uses():
    rendered = render_notebook(notebook(view("s"), widgets=slider_state()))
    data = chart_data(rendered)
    assert data["charts"][0]["models"] == ["s", "l"]
    assert set(data["widgets"]) == {"s", "l"}


@pytest.mark.parametrize(
    ("widgets", "model", "note"),
    [
        (slider_state("jupyter-leaflet"), "s", "jupyter-leaflet"),
        (slider_state("https://cdn.example.org/w.js"), "s", "cdn.example.org"),
        (slider_state(), "missing", "saved widget state is missing"),
        ({"state": "nope"}, "s", "saved widget state is missing"),
        (None, "s", "saved widget state is missing"),
    ],
)
def test_widgets_from_other_modules_or_without_state_are_refused(widgets, model, note):
    page, data = split_data(render_notebook(notebook(view(model), widgets=widgets)))
    assert data == ""
    assert note in page


def test_diff_cells_stay_static():
    nb = notebook({PLOTLY: {"data": [], "layout": {}}})
    cell = render_cell(nb.cells[0], 0)
    assert "data-chart" not in cell and "ns-chart" not in cell


def test_notebooks_without_interactive_outputs_have_no_chart_data():
    for entry in corpus_notebooks()[:60]:
        if not entry.valid:
            continue
        data = entry.path.read_bytes()
        if b"vnd.plotly" in data or b"vnd.vega" in data or b"widget-view" in data:
            continue
        nb = nbformat.reads(data.decode(), 4)
        rendered = render_notebook(nb)
        assert "ns-chart" not in rendered and "data-chart" not in rendered, entry.path
