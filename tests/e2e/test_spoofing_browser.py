"""A hostile notebook in a real browser: image sources whose data: scheme is split by spaces or
control characters make no request to our own paths, and markup that borrows our interface's
classes (a resolved thread, buttons) does not look like our interface."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SPLIT_SOURCES = [
    "d ata:image/svg+xml,%3Csvg%3E",
    "data\t:image/png;base64,AAAA",
    "\x01data:image/png;base64,AAAA",
    "/accounts/logout/?via=img",
    "../settings/tokens/?via=img",
    "da&#10;ta:image/gif;base64,R0lGOD",
]
FAKE_THREAD = (
    '<article class="cm-thread cm-resolved" id="fake-thread">'
    '<header class="cm-thread-head"><span class="cm-state cm-state-resolved">Resolved</span>'
    ' by admin</header><p class="muted">Approved for release.</p>'
    '<a class="button button-primary" href="/n/1/delete/" id="fake-button">Delete notebook</a>'
    "</article>"
)


def hostile_notebook() -> bytes:
    images = "".join(f'<img src="{src}" alt="x{i}">' for i, src in enumerate(SPLIT_SOURCES))
    cells = [
        new_markdown_cell(f"# Spoof\n\n{images}\n\n{FAKE_THREAD}"),
        new_code_cell(
            "show()",
            execution_count=1,
            outputs=[new_output("display_data", data={"text/html": FAKE_THREAD + images})],
        ),
    ]
    for cell, cell_id in zip(cells, ("spoof-md", "spoof-out"), strict=True):
        cell.id = cell_id
    return nbformat.writes(new_notebook(cells=cells)).encode()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_split_data_uris_request_nothing_and_fake_ui_looks_like_content(
    new_page, alice, make_notebook, scheme
):
    notebook = make_notebook(alice, data=hostile_notebook(), title="Spoofing")
    page = new_page(color_scheme=scheme)
    sign_in(page, "alice", PASSWORD)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(notebook.get_absolute_url())
    page.locator(".ns-notebook").wait_for()
    page.wait_for_load_state("networkidle")

    # No request from the content: only the page itself and our static files.
    content_requests = [
        url for url in requests if "/static/" not in url and not url.startswith("data:")
    ]
    assert content_requests == [page.url], content_requests
    sources = page.eval_on_selector_all(".ns-notebook img", "els => els.map(e => e.src)")
    assert sources, "the images are still there"
    assert all(src == "" or src.startswith("data:image/") for src in sources), sources

    # The fake thread and button are plain content: none of our interface's styles apply.
    fake = page.locator(".ns-notebook #nb-fake-thread").first
    fake.wait_for()
    classes = fake.get_attribute("class")
    assert "cm-thread" not in classes.split()
    real_button = page.locator("a.button, button.button").first
    fake_button = page.locator(".ns-notebook #nb-fake-button").first
    style = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderRadius]"
    assert fake_button.evaluate(style) != real_button.evaluate(style)
    badge = page.locator(".ns-notebook .cm-state-resolved")
    assert badge.count() == 0
    screenshot(page, f"spoofing-{scheme}")
