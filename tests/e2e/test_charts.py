"""Interactive outputs in Chromium (docs/charts.md): Plotly, Vega-Lite and saved widget state
draw in sandboxed frames with opaque origins; hostile specs stay inert; the plotting library is
transferred once per page view however many charts the page has."""

from __future__ import annotations

import time

import nbformat
import pytest
from django.conf import settings
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
FLAG_CHECK = "() => [typeof window.__pwned, (window.__flags || []).length]"


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
    return [f for f in page.frames if "/sandbox/chart/" in f.url and not f.is_detached()]


def wait_drawn(page, count: int, timeout: float = 30_000) -> None:
    page.wait_for_function(
        f"() => window.nsCharts && window.nsCharts.drawn + window.nsCharts.failed >= {count}",
        timeout=timeout,
    )


def test_plotly_figure_is_interactive_in_its_sandbox(new_page, alice, make_notebook):
    notebook = make_notebook(
        alice, chart_notebook({PLOTLY: plotly_figure(), "text/html": "<div></div>"}), title="P"
    )
    page, _requests, dialogs = open_notebook(new_page, alice, notebook)
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
    page, _requests, dialogs = open_notebook(new_page, alice, notebook)
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
    page, _requests, dialogs = open_notebook(new_page, alice, notebook)
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


PWN = "parent.__pwned=1;top.__pwned=1;window.__pwned=1"


def hostile_bundles() -> dict[str, tuple[dict, str | None]]:
    """Each hostile output bundle, and the note the reader must see (None: it draws safely)."""
    big = [n % 97 for n in range(100_000)]  # past the size limit: tests/rendering
    cdn_state = slider_state()
    cdn_state["state"]["slider1"]["model_module"] = "jupyter-leaflet"
    custom_state = slider_state()
    custom_state["state"]["style1"]["state"]["_view_module"] = "https://cdn.example.org/w.js"
    return {
        "plotly-html-text": (
            {
                PLOTLY: plotly_figure(
                    title=f'<a href="javascript:{PWN}">title</a>',
                    data=[
                        {
                            "type": "scatter",
                            "mode": "markers+text",
                            "x": [1, 2],
                            "y": [1, 2],
                            "text": [
                                f"<a href='javascript:{PWN}'>link</a>",
                                f"<img src=x onerror='{PWN}'><script>{PWN}</script>",
                            ],
                            "hovertemplate": f"<img src=x onerror='{PWN}'>%{{y}}",
                        }
                    ],
                )
            },
            None,
        ),
        "plotly-proto": (
            {
                PLOTLY: {
                    "data": [{"type": "bar", "y": [1, 2], "__proto__": {"polluted": 1}}],
                    "layout": {"__proto__": {"polluted": 1}, "constructor": {"x": 1}},
                }
            },
            None,
        ),
        "plotly-nan": (
            {PLOTLY: plotly_figure(data=[{"type": "bar", "y": [1, float("nan"), float("inf")]}])},
            None,
        ),
        "plotly-remote-image": (
            {
                PLOTLY: plotly_figure(
                    layout={
                        "images": [{"source": "https://images.example.org/a.png", "x": 0, "y": 0}]
                    }
                )
            },
            "Images from other addresses",
        ),
        "plotly-giant": (
            {PLOTLY: {"data": [{"type": "scatter", "mode": "lines", "y": big}]}},
            None,
        ),
        "plotly-malformed": ({PLOTLY: "{not json", "text/plain": "Figure"}, "malformed"),
        "vegalite-url": (
            {VEGALITE: altair_spec(data={"url": "https://data.example.org/cars.json"})},
            "from an address",
        ),
        "vegalite-image": (
            {
                VEGALITE: {
                    "data": {"values": [{"a": 1}]},
                    "mark": "image",
                    "encoding": {"url": {"value": "https://images.example.org/a.png"}},
                }
            },
            "from an address",
        ),
        "vegalite-href": (
            {
                VEGALITE: altair_spec(
                    encoding={
                        "x": {"field": "x", "type": "nominal"},
                        "y": {"field": "y", "type": "quantitative"},
                        "href": {"value": f"javascript:{PWN}"},
                    }
                )
            },
            None,
        ),
        "vegalite-globals": (
            {
                VEGALITE: altair_spec(
                    transform=[
                        {"calculate": "constructor.constructor('alert(1)')()", "as": "z"},
                        {"calculate": "window.alert(1)", "as": "w"},
                    ]
                )
            },
            "Not drawn",
        ),
        "vegalite-not-object": ({VEGALITE: [1, 2, 3]}, "not a chart description"),
        "widget-cdn-module": ({**view("slider1"), "text/plain": "W"}, "jupyter-leaflet"),
        "widget-custom-view": ({**view("slider1")}, "cdn.example.org"),
    }, {"widget-cdn-module": cdn_state, "widget-custom-view": custom_state}


def test_hostile_specs_stay_inert_and_say_why(new_page, alice, make_notebook, live_server):
    bundles, states = hostile_bundles()
    page = new_page()
    page.add_init_script(TRAPS)
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, alice.username, PASSWORD)  # once: sign-ins are rate limited
    for name, (data, expected_note) in bundles.items():
        notebook = make_notebook(alice, chart_notebook(data, widgets=states.get(name)), title=name)
        page.goto(notebook.get_absolute_url())
        url = page.url
        assert page.locator("[data-notebook]").count() == 1, name
        page.wait_for_function(
            "() => document.querySelector('.ns-chart-refused') || (window.nsCharts &&"
            " window.nsCharts.drawn + window.nsCharts.failed >= 1)"
        )
        page.wait_for_timeout(200)  # a failed frame is removed as it reports
        for frame in chart_frames(page):
            frame.wait_for_load_state()
            assert frame.evaluate("() => self.origin") == "null", name
            blocked = frame.evaluate(
                "() => { const r = []; for (const f of [() => document.cookie,"
                " () => localStorage.length, () => parent.document.title]) {"
                " try { f(); r.push('read'); } catch (e) { r.push('blocked'); } } return r; }"
            )
            assert blocked == ["blocked"] * 3, name
        # Hover and click whatever was drawn: links, hover templates, href channels.
        for frame_element in page.locator("iframe.ns-chart-frame").all():
            box = frame_element.bounding_box()
            if box and box["height"] > 20:
                for fx, fy in ((0.3, 0.5), (0.5, 0.5), (0.7, 0.4), (0.5, 0.1)):
                    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(300)
        assert page.url == url, name  # no top navigation
        assert page.evaluate(FLAG_CHECK) == ["undefined", 0], name
        for frame in chart_frames(page):
            assert frame.evaluate(FLAG_CHECK) == ["undefined", 0], name
            assert frame.evaluate("() => ({}).polluted") is None, name
        assert not dialogs, name
        foreign = [r for r in requests if not r.startswith((live_server.url, "data:", "blob:"))]
        assert not foreign, (name, foreign)
        if expected_note is not None:
            notes = " ".join(page.locator(".ns-chart-note").all_inner_texts())
            assert expected_note in notes, (name, notes)


def test_twenty_plotly_charts_transfer_plotly_once(new_page, alice, make_notebook):
    bundles = [{PLOTLY: plotly_figure(title=f"Chart {n}")} for n in range(20)]
    notebook = make_notebook(alice, chart_notebook(*bundles), title="Twenty")
    page = new_page()
    plotly_requests: list[str] = []
    page.on(
        "request",
        lambda r: plotly_requests.append(r.url) if "vendor/charts/plotly" in r.url else None,
    )
    sign_in(page, alice.username, PASSWORD)
    started = time.monotonic()
    page.goto(notebook.get_absolute_url())
    wait_drawn(page, 1)
    first = time.monotonic() - started
    for index in range(20):  # scroll each chart into view once the one before it is drawn
        page.locator(".ns-chart").nth(index).scroll_into_view_if_needed()
        wait_drawn(page, index + 1, timeout=60_000)
    wait_drawn(page, 20, timeout=180_000)
    everything = time.monotonic() - started
    assert page.evaluate("window.nsCharts.failed") == 0
    assert page.evaluate("window.nsCharts.drawn") == 20
    assert len(plotly_requests) == 1, plotly_requests
    assert len(chart_frames(page)) == 20
    print(
        f"\n20 Plotly charts: plotly.js transferred {len(plotly_requests)} time(s);"
        f" first chart drawn {first:.2f} s after navigation (page script:"
        f" {page.evaluate('window.nsCharts.firstDrawnMs')} ms), all 20 in {everything:.2f} s"
    )


def _corpus_with(mime: str) -> list:
    """Corpus notebooks with such outputs that render during the upload (no worker here)."""
    found = []
    for entry in corpus_notebooks():
        data = entry.path.read_bytes() if entry.valid else b""
        if mime.encode() in data and len(data) < settings.RENDER_ASYNC_BYTES:
            found.append(entry)
    return found[:4]


def test_corpus_notebooks_with_plotly_and_widgets_render_interactively(
    new_page, alice, make_notebook
):
    entries = _corpus_with(PLOTLY) + _corpus_with(WIDGET_VIEW)[:2]
    assert len(entries) >= 3
    notebooks = [
        (entry, make_notebook(alice, entry.path.read_bytes(), "corpus.ipynb", entry.name))
        for entry in entries
    ]
    for scheme in ("light", "dark"):
        page = new_page(color_scheme=scheme)
        sign_in(page, alice.username, PASSWORD)  # once per scheme: sign-ins are rate limited
        for entry, notebook in notebooks:
            page.goto(notebook.get_absolute_url())
            assert page.locator(".ns-chart[data-chart]").count() >= 1, entry.path
            page.locator(".ns-chart[data-chart]").first.scroll_into_view_if_needed()
            wait_drawn(page, 1)
            assert page.evaluate("window.nsCharts.failed") == 0, entry.path
            assert page.locator(".ns-chart-live").count() >= 1
            content = chart_frames(page)[0].content()
            assert "main-svg" in content or "widget-" in content, entry.path
            screenshot(page, f"charts-corpus-{entry.path.stem}-{scheme}".replace(" ", "_"))


def test_static_control_dark_mode_and_javascript_off(new_page, alice, make_notebook):
    data = {VEGALITE: altair_spec(), "text/plain": "alt.Chart(...)"}
    notebook = make_notebook(alice, chart_notebook(data), title="Dark")
    page, _requests, _dialogs = open_notebook(new_page, alice, notebook, "dark")
    wait_drawn(page, 1)
    frame = chart_frames(page)[0]
    frame.wait_for_selector("svg .mark-rect path")
    # The dark config: a dark background and light labels.
    colours = frame.evaluate(
        "() => [getComputedStyle(document.querySelector('svg')).backgroundColor,"
        " [...document.querySelectorAll('svg text')].map(t => t.getAttribute('fill'))]"
    )
    assert colours[0] == "rgb(31, 31, 31)", colours
    assert "#d0d0d0" in colours[1], colours
    screenshot(page, "charts-altair-dark")
    placeholder = page.locator(".ns-chart .ns-placeholder")
    assert not placeholder.is_visible()
    page.get_by_label("Static charts").check()
    assert placeholder.is_visible()
    assert not page.locator("iframe.ns-chart-frame").is_visible()
    page.get_by_label("Static charts").uncheck()
    assert page.locator("iframe.ns-chart-frame").is_visible()
    assert not placeholder.is_visible()

    off = new_page(java_script_enabled=False)
    sign_in(off, alice.username, PASSWORD)
    off.goto(notebook.get_absolute_url())
    assert off.locator("iframe").count() == 0
    assert off.locator(".ns-chart .ns-placeholder").is_visible()
    assert not off.get_by_label("Static charts").is_visible()
