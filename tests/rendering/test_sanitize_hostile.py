"""Adversarial URLs and classes: every URL the sanitiser keeps is rebuilt from validated parts,
and no class of our page's own CSS can be produced by notebook content."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sharing.comments.markdown import render_body
from sharing.rendering.sanitize import CLASS_PREFIX, CONTENT_CLASSES, sanitize_html

ROOT = Path(__file__).resolve().parents[2]
UI_CSS = [ROOT / "static/css/app.css", ROOT / "static/css/comments.css"]
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]*")
SPLITTERS = [" ", "\t", "\n", "\r", "\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f", "&#9;", "&#10;"]

HOSTILE_SRC = [
    *(f"d{s}ata:image/svg+xml,<svg onload=alert(1)>" for s in SPLITTERS),
    *(f"data{s}:image/png;base64,iVBORw0K" for s in SPLITTERS),
    *(f"{s}data:image/svg+xml,%3Csvg%3E" for s in SPLITTERS),
    "DATA:IMAGE/SVG+XML,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E",
    "data:image/png;base64,iVBOR w0K\n GgoA",
    "data:image/png;base64,<script>",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/svg+xml;charset=utf-8,%3Csvg%3E",
    "/accounts/logout/",
    "../../settings/tokens/",
    "//evil.example/pixel.png",
    "https://evil.example/pixel.png",
    "javascript:alert(1)",
    "attachment:missing.png",
    "&#100;ata:image/svg+xml,<svg>",
    "%64ata:image/png;base64,AAAA",
]
HOSTILE_HREF = [
    *(f"java{s}script:alert(1)" for s in SPLITTERS),
    *(f"{s}javascript:alert(1)" for s in SPLITTERS),
    *(f"ht{s}tp://example.org/" for s in SPLITTERS),
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    'https://example.org/a b?q=<x>&y="z"#frag ment',
    "mailto:someone@example.org?subject=<hi>",
    "#section one",
    "other notebook.ipynb",
    "/n/1/delete/",
    "//example.org/path",
    "http://[::1",
    "https:///nohost",
]


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found.extend((tag, name, value or "") for name, value in attrs)


def attributes(html: str, name: str) -> list[str]:
    parser = _Attributes()
    parser.feed(html)
    return [value for _, attr, value in parser.found if attr == name]


@pytest.mark.parametrize("src", HOSTILE_SRC)
def test_every_image_source_kept_is_a_rebuilt_data_uri(src):
    escaped = src.replace('"', "&quot;")
    html = sanitize_html(f'<p><img src="{escaped}"></p>') + render_body(f"![x]({src})").html
    for kept in attributes(html, "src"):
        assert DATA_IMAGE.fullmatch(kept), kept


def test_a_spaced_svg_data_uri_keeps_its_picture():
    html = sanitize_html('<img src=" data:image/svg+xml,%3Csvg xmlns=%22http://x%22/%3E">')
    (src,) = attributes(html, "src")
    assert src == "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3giLz4="


@pytest.mark.parametrize("href", HOSTILE_HREF)
def test_every_link_kept_is_rebuilt_from_checked_parts(href):
    escaped = href.replace('"', "&quot;")
    for html in (sanitize_html(f'<a href="{escaped}">x</a>'), render_body(f"[x](<{href}>)").html):
        for kept in attributes(html, "href"):
            assert not re.search(r"[\x00-\x20\x7f<>\"]", kept), kept
            parts = urlsplit(kept)
            assert parts.scheme in {"", "http", "https", "mailto"}, kept
            if parts.scheme in {"http", "https"}:
                assert parts.netloc, kept
            if kept.startswith("#"):
                assert kept.startswith("#nb-"), kept


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("other.ipynb?delete=1#x", "other.ipynb#x"),
        ("/n/1/delete/?confirm=1", "/n/1/delete/"),
        ("https://our.host@evil.example/x", "https://evil.example/x"),
        ("https://user:pw@example.org/?q=1", "https://example.org/?q=1"),
        ("https://@/", None),
    ],
)
def test_relative_links_keep_their_path_only_and_hosts_lose_credentials(href, kept):
    assert attributes(sanitize_html(f'<a href="{href}">x</a>'), "href") == ([kept] if kept else [])


def _ui_classes() -> set[str]:
    found = set()
    for path in UI_CSS:
        text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"url\([^)]*\)", "", text)
        for selectors in re.findall(r"([^{}]+)\{", text):
            found.update(re.findall(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)", selectors))
    return found


def test_no_class_of_the_page_interface_can_come_from_notebook_or_comment_content():
    ui = _ui_classes()
    assert {"cm-thread", "cm-state-resolved", "button", "button-primary", "muted"} <= ui
    assert not any(name.startswith(CLASS_PREFIX) for name in ui)
    markup = f'<div class="{" ".join(sorted(ui))}">x</div>'
    for html in (sanitize_html(markup), render_body(markup).html, render_body("<b>x</b>").html):
        for value in attributes(html, "class"):
            leaked = set(value.split()) & ui
            # the comment panel styles code blocks (.cm-body .highlight) and @mentions it makes
            assert not leaked - {"mention", "highlight"}, leaked


def test_content_keeps_the_classes_of_its_own_look():
    html = sanitize_html(
        '<span class="k highlight hl-python ansi-red-fg dataframe sidebar">x</span>'
    )
    assert attributes(html, "class") == [
        f"k highlight hl-python ansi-red-fg dataframe {CLASS_PREFIX}sidebar"
    ]
    assert "mention" not in CONTENT_CLASSES


def test_a_fake_thread_and_button_lose_the_page_styles():
    html = sanitize_html(
        '<article class="cm-thread cm-resolved"><span class="cm-state cm-state-resolved">'
        'Resolved</span> by admin <a class="button button-primary" href="/n/1/delete/">Delete</a>'
        "</article>"
    )
    assert "cm-thread" not in html.replace(f"{CLASS_PREFIX}cm-thread", "")
    assert f'class="{CLASS_PREFIX}button {CLASS_PREFIX}button-primary"' in html
