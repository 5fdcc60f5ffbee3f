"""The allowlist sanitiser on its own (sharing.sanitize)."""

from __future__ import annotations

import pytest

from sharing.rendering.sanitize import attachments_context, sanitize_final, sanitize_html

PNG = "data:image/png;base64,iVBORw0KGgo="


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<script>alert(1)</script><b>ok</b>", "<b>ok</b>"),
        ('<img src="x" onerror="alert(1)">', "<img>"),
        ('<p style="position:fixed;inset:0" onclick="x">p</p>', "<p>p</p>"),
        ('<a href="javascript:alert(1)">j</a>', '<a rel="noopener noreferrer nofollow">j</a>'),
        (
            '<a href="jav&#x09;ascript:alert(1)">j</a>',
            '<a rel="noopener noreferrer nofollow">j</a>',
        ),
        ('<a href="data:text/html,x">d</a>', '<a rel="noopener noreferrer nofollow">d</a>'),
        ('<a href="vbscript:x">v</a>', '<a rel="noopener noreferrer nofollow">v</a>'),
        (
            '<a href="https://example.org/" target="_blank" rel="opener">e</a>',
            '<a href="https://example.org/" rel="noopener noreferrer nofollow">e</a>',
        ),
        ("<iframe src='https://evil.example'></iframe>x", "x"),
        ("<form action='/'><input name=a><button>b</button></form>", "b"),
        ("<meta http-equiv=refresh content='0;url=https://evil.example'>", ""),
        ("<base href='https://evil.example/'>", ""),
        ("<link rel=stylesheet href='//evil.example/x.css'>", ""),
        ("<style>body{display:none}</style>", ""),
        ("<svg onload='alert(1)'><circle/></svg>", ""),
        ("<object data='https://evil.example/x'></object>", ""),
        ("<!-- <script>alert(1)</script> -->c", "c"),
    ],
)
def test_dangerous_markup_is_removed(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def test_remote_and_relative_image_sources_are_dropped() -> None:
    for src in ("https://evil.example/x.png", "//evil.example/x.png", "/logout", "x.png"):
        assert sanitize_html(f'<img src="{src}" alt="a">') == '<img alt="a">'


def test_data_images_of_allowed_types_are_kept() -> None:
    for mime in ("png", "jpeg", "gif", "webp", "svg+xml"):
        html = f'<img src="data:image/{mime};base64,AAAA">'
        assert sanitize_html(html) == html
    assert sanitize_html('<img src="data:text/html;base64,AAAA">') == "<img>"
    assert sanitize_html('<img src="data:image/png;base64,AA&quot;AA">') == "<img>"


def test_image_size_only_as_plain_integers() -> None:
    html = f'<img src="{PNG}" width="1&quot; onerror=&quot;alert(1)" height="20px">'
    assert sanitize_html(html) == f'<img src="{PNG}" height="20">'


def test_srcset_is_dropped() -> None:
    assert sanitize_html('<img srcset="https://evil.example/a.png 1x">') == "<img>"


def test_notebook_ids_and_fragment_links_are_prefixed() -> None:
    html = sanitize_html('<h2 id="Intro">I</h2><a href="#Intro">go</a>')
    assert html == (
        '<h2 id="nb-Intro">I</h2><a href="#nb-Intro" rel="noopener noreferrer nofollow">go</a>'
    )


def test_our_and_jupyterlab_ui_classes_are_dropped_from_content() -> None:
    html = sanitize_html('<div class="ns-placeholder jp-Dialog dataframe">x</div>')
    assert html == '<div class="dataframe">x</div>'


def test_structure_attributes_are_only_allowed_in_the_final_pass() -> None:
    html = '<div id="cell-a1" data-cell-id="a1" data-cell-index="0" data-cell-type="code">x</div>'
    assert sanitize_html(html) == '<div id="nb-cell-a1">x</div>'
    assert sanitize_final(html) == html
    assert sanitize_final('<div id="login" data-cell-type="evil" tabindex="5">x</div>') == (
        "<div>x</div>"
    )


def test_mathml_survives_without_links_styles_or_negative_space() -> None:
    html = (
        '<math display="block"><mrow href="javascript:alert(1)" style="color:red">'
        '<mspace width="-100em"></mspace><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
    )
    assert sanitize_html(html) == (
        '<math display="block"><mrow><mspace></mspace><msup><mi>x</mi><mn>2</mn></msup>'
        "</mrow></math>"
    )


def test_mathml_namespace_confusion_does_not_revive_html() -> None:
    dirty = "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
    assert "onerror" not in sanitize_html(dirty)
    dirty = '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)>'
    assert "img" not in sanitize_html(dirty)


def test_attachments_resolve_only_inside_their_context() -> None:
    attachments = {"a b.png": {"image/png": "iVBORw0KGgo="}}
    with attachments_context(attachments):
        assert sanitize_html('<img src="attachment:a%20b.png">') == f'<img src="{PNG}">'
        assert sanitize_html('<img src="attachment:missing.png">') == "<img>"
    assert sanitize_html('<img src="attachment:a%20b.png">') == "<img>"


def test_attachment_with_non_base64_data_is_dropped() -> None:
    with attachments_context({"x.png": {"image/png": 'AA" onerror="alert(1)'}}):
        assert sanitize_html('<img src="attachment:x.png">') == "<img>"
