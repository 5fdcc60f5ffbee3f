"""The notebook page and the chart sandbox document (docs/charts.md): headers, the site setting,
and pages without charts unchanged."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from django.conf import settings
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_notebook, new_output

pytestmark = pytest.mark.django_db

PLOTLY = "application/vnd.plotly.v1+json"


def chart_bytes() -> bytes:
    figure = {"data": [{"type": "bar", "y": [1, 2]}], "layout": {}}
    output = new_output("display_data", data={PLOTLY: figure})
    nb = new_notebook(cells=[new_code_cell("fig", execution_count=1, outputs=[output])])
    return nbformat.writes(nb).encode()


def policy(response) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";"))
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts if p[0]}


def test_sandbox_document_has_its_own_strict_policy(client):
    response = client.get(reverse("sharing:chart-sandbox"))
    assert response.status_code == 200
    csp = policy(response)
    assert csp["connect-src"] == "'none'"
    assert csp["img-src"] == "data: blob:"
    assert csp["form-action"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'self'"
    assert csp["default-src"] == "'none'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    body = response.content.decode()
    assert "charts-frame" in body and "data-charts" not in body


def test_notebook_page_opens_frame_src_to_the_sandbox_only(client, alice, make_notebook):
    notebook = make_notebook(alice, chart_bytes(), title="Chart")
    client.force_login(alice)
    response = client.get(notebook.get_absolute_url())
    body = response.content.decode()
    assert policy(response)["frame-src"] == "http://testserver/sandbox/chart/"
    assert "js/charts" in body and "ns-charts-on" in body and "data-charts-static" in body
    start = body.index("data-charts='") + len("data-charts='")
    data = json.loads(body[start : body.index("'", start)].replace("&#39;", "'"))
    assert data["charts"][0]["kind"] == "plotly"


def test_site_setting_off_leaves_the_static_page(client, alice, make_notebook, settings):
    settings.INTERACTIVE_OUTPUTS = False
    notebook = make_notebook(alice, chart_bytes(), title="Chart")
    client.force_login(alice)
    response = client.get(notebook.get_absolute_url())
    body = response.content.decode()
    assert policy(response)["frame-src"] == "'none'"
    assert "data-charts" not in body and "js/charts" not in body and "ns-charts-on" not in body
    assert f"This output needs JavaScript ({PLOTLY})" in body


def test_pages_without_charts_keep_the_strict_policy(client, alice, make_notebook):
    notebook = make_notebook(alice, title="Plain")
    client.force_login(alice)
    response = client.get(notebook.get_absolute_url())
    assert policy(response)["frame-src"] == "'none'"
    assert "js/charts" not in response.content.decode()


@pytest.mark.parametrize("name", ["plotly.js", "vega.js", "widgets.js"])
def test_the_vendored_libraries_name_no_cdn(name):
    """What the sandbox loads names no host to fetch from (plotly.js's map defaults and the
    widgets' commented-out web-font import are blanked when they are vendored)."""
    code = (settings.BASE_DIR / "static" / "vendor" / "charts" / name).read_text()
    assert not re.search(r"https?://(cdn|unpkg|fonts\.googleapis)", code)
