"""The document of the sandboxed chart frames (docs/charts.md).

It holds no notebook data and needs no sign-in: the page hands each frame its spec and the
library code by ``postMessage``. The page frames it with ``sandbox="allow-scripts"`` (never
``allow-same-origin``), so it runs with an opaque origin; its own policy forbids every
request (``connect-src 'none'``), forms, ``<base>`` and framing by other sites.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from sharing.rendering.charts.collect import split_data

SANDBOX_CSP = {
    "default-src": [CSP.NONE],
    # Our frame script, and the library code the page hands over (run from a blob: URL).
    "script-src": [CSP.SELF, "blob:"],
    # Plotly and the widget manager add style elements and attributes from script.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": ["data:", "blob:"],
    "font-src": ["data:"],
    "connect-src": [CSP.NONE],
    "media-src": [CSP.NONE],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.NONE],
    "worker-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
}


@require_GET
@xframe_options_sameorigin
@csp_override(SANDBOX_CSP)
@cache_control(max_age=3600, public=True)
def chart_frame(request):
    return render(request, "sharing/sandbox_chart.html")


def notebook_page_parts(request, rendering) -> dict:
    """The notebook HTML of a ready rendering and, when interactive outputs are on and it has
    any, the chart data element the page script hands to the frames."""
    if rendering is None or rendering.status != rendering.Status.READY:
        return {"notebook_html": "", "chart_data": "", "has_charts": False}
    html, data = split_data(rendering.html)
    if not settings.INTERACTIVE_OUTPUTS:
        data = ""
    return {"notebook_html": html, "chart_data": data, "has_charts": bool(data)}


def allow_chart_frames(request, response, context: dict):
    """Open the page's ``frame-src`` to our chart frame document, and to nothing else."""
    if context.get("has_charts"):
        frame = request.build_absolute_uri(reverse("sharing:chart-sandbox"))
        response._csp_config = {**settings.SECURE_CSP, "frame-src": [frame]}
    return response
