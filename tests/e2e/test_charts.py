"""Interactive outputs in Chromium (docs/charts.md): Plotly, Vega-Lite and saved widget state
draw in sandboxed frames with opaque origins; hostile specs stay inert; the plotting library is
transferred once per page view however many charts the page has."""

from __future__ import annotations

import json
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tests.conftest import PASSWORD
from tests.corpus import corpus_notebooks
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLOTLY = "application/vnd.plotly.v1+json"
VEGALITE = "application/vnd.vegalite.v5+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# Set before any script of the page or of a frame runs: what hostile content would trip.
TRAPS = """
window.__flags = [];
window.alert = window.confirm = window.prompt = function () { window.__flags.push('dialog'); };
"""
FLAG_CHECK = "() => [typeof window.__pwned, (window.__flags || []).length, document.cookie.length]"


def bytes_of(nb) -> bytes:
    return nbformat.writes(nb).encode()


def plotly_figure(title: str = "Bars", **extra) -> dict:
    figure = {
        "data": [{"type": "bar", "x": ["a", "b", "c"], "y": [3, 1, 2], "name": "bars"}],
        "layout": {"title": {"text": title}, "width": 560, "height": 360},
    }
    figure.update(extra)
    return figure


def chart_notebook(*bundles: dict, widgets: dict | None = None) -> bytes:
    nb = new_notebook()
    for number, data in enumerate(bundles, start=1):
        nb.cells.append(
            new_code_cell(
                f"chart_{number}",
                execution_count=number,
                outputs=[new_output("display_data", data=data)],
            )
        )
    if widgets is not None:
        nb.metadata["widgets"] = {WIDGET_STATE: widgets}
    return bytes_of(nb)


def altair_spec(**extra) -> dict:
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"x": "a", "y": 3}, {"x": "b", "y": 1}, {"x": "c", "y": 2}]},
        "params": [{"name": "hover", "select": {"type": "point", "on": "pointerover"}}],
        "mark": "bar",
        "encoding": {
            "x": {"field": "x", "type": "nominal"},
            "y": {"field": "y", "type": "quantitative"},
            "color": {
                "condition": {"param": "hover", "empty": False, "value": "#d62728"},
                "value": "#4c78a8",
            },
        },
        "width": 300,
        "height": 200,
    }
    spec.update(extra)
    return spec


def slider_state() -> dict:
    base = {"model_module": "@jupyter-widgets/base", "model_module_version": "2.0.0"}
    controls = {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0"}
    return {
        "version_major": 2,
        "version_minor": 0,
        "state": {
            "layout1": {**base, "model_name": "LayoutModel", "state": {}},
            "style1": {**controls, "model_name": "SliderStyleModel", "state": {}},
            "slider1": {
                **controls,
                "model_name": "IntSliderModel",
                "state": {
                    "description": "n",
                    "layout": "IPY_MODEL_layout1",
                    "style": "IPY_MODEL_style1",
                    "max": 10,
                    "min": 0,
                    "value": 3,
                },
            },
            "layout2": {**base, "model_name": "LayoutModel", "state": {}},
            "output1": {
                "model_module": "@jupyter-widgets/output",
                "model_module_version": "1.0.0",
                "model_name": "OutputModel",
                "state": {
                    "layout": "IPY_MODEL_layout2",
                    "outputs": [
                        {"output_type": "stream", "name": "stdout", "text": "saved output\n"}
                    ],
                },
            },
        },
    }


def view(model_id: str) -> dict:
    return {
        WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": model_id},
        "text/plain": "Widget",
    }


def open_notebook(new_page, alice, notebook, color_scheme="light"):
    page = new_page(color_scheme=color_scheme)
    page.add_init_script(TRAPS)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, alice.username, PASSWORD)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(notebook.get_absolute_url())
    return page, requests, dialogs


def chart_frames(page):
    return [frame for frame in page.frames if "/sandbox/chart/" in frame.url]


def wait_drawn(page, count: int) -> None:
    page.wait_for_function(
        f"() => window.nsCharts && window.nsCharts.drawn + window.nsCharts.failed >= {count}"
    )


def test_plotly_figure_is_interactive_in_its_sandbox(new_page, alice, make_notebook):
    notebook = make_notebook(
        alice, chart_notebook({PLOTLY: plotly_figure(), "text/html": "<div></div>"}), title="P"
    )
    page, requests, dialogs = open_notebook(new_page, alice, notebook)
    wait_drawn(page, 1)
    assert page.evaluate("window.nsCharts.failed") == 0
    frame_element = page.locator("iframe.ns-chart-frame")
    assert frame_element.get_attribute("sandbox") == "allow-scripts"
    frame = chart_frames(page)[0]
    frame.wait_for_selector("svg.main-svg")
    assert frame.evaluate("() => self.origin") == "null"
    bars = frame.locator(".point path")
    assert bars.count() == 3
    assert frame.locator(".hoverlayer .hovertext").count() == 0
    box = bars.nth(0).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    frame.wait_for_selector(".hoverlayer .hovertext")
    # The placeholder underneath is hidden once the chart is drawn; the frame fits the chart.
    assert not page.locator(".ns-chart .ns-placeholder").is_visible()
    height = frame_element.bounding_box()["height"]
    assert 360 <= height <= 420
    screenshot(page, "charts-plotly-light")
    assert not dialogs


def test_altair_chart_is_interactive_and_hover_changes_it(new_page, alice, make_notebook):
    data = {VEGALITE: altair_spec(), "text/plain": "alt.Chart(...)"}
    notebook = make_notebook(alice, chart_notebook(data), title="Altair")
    page, requests, dialogs = open_notebook(new_page, alice, notebook)
    wait_drawn(page, 1)
    assert page.evaluate("window.nsCharts.failed") == 0
    frame = chart_frames(page)[0]
    frame.wait_for_selector("svg .mark-rect path")
    bars = frame.locator(".mark-rect path")
    assert bars.count() == 3
    fills = frame.evaluate(
        "() => [...document.querySelectorAll('.mark-rect path')].map(p => p.getAttribute('fill'))"
    )
    assert set(fills) == {"#4c78a8"}
    box = bars.nth(1).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    frame.wait_for_function(
        "() => [...document.querySelectorAll('.mark-rect path')]"
        ".some(p => p.getAttribute('fill') === '#d62728')"
    )
    screenshot(page, "charts-altair-light")
    assert not dialogs


def test_saved_widget_state_draws_a_slider_that_moves(new_page, alice, make_notebook):
    data = chart_notebook(view("slider1"), view("output1"), widgets=slider_state())
    notebook = make_notebook(alice, data, title="Widgets")
    page, requests, dialogs = open_notebook(new_page, alice, notebook)
    wait_drawn(page, 2)
    assert page.evaluate("window.nsCharts.failed") == 0
    frames = chart_frames(page)
    slider_frame = next(f for f in frames if f.locator(".widget-slider").count())
    output_frame = next(f for f in frames if f.locator(".widget-output").count())
    assert "saved output" in output_frame.locator(".widget-output").inner_text()
    readout = slider_frame.locator(".widget-readout")
    assert readout.inner_text().strip() == "3"
    handle = slider_frame.locator(".noUi-handle, .ui-slider-handle").first
    handle.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    slider_frame.wait_for_function(
        "() => document.querySelector('.widget-readout').textContent.trim() === '7'"
    )
    screenshot(page, "charts-widgets-light")
    assert not dialogs
