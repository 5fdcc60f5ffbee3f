"""Sign up, upload with progress, read, download, re-upload, and a bad file, in Chromium."""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.models import Notebook
from tests.conftest import PASSWORD, notebook_bytes
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def big_notebook(megabytes: int) -> bytes:
    """A valid notebook padded with a long stream output, to watch upload progress."""
    nb = new_notebook()
    nb.cells.append(new_markdown_cell("# Big one\nLots of output below."))
    chunk = "0123456789abcdef" * 64
    text = "\n".join(chunk for _ in range(megabytes * 1024))
    nb.cells.append(new_code_cell("print(data)", outputs=[new_output("stream", text=text)]))
    return nbformat.writes(nb).encode()


def test_newcomer_signs_up_uploads_reads_downloads_and_reuploads(new_page, tmp_path, tmp_media):
    page = new_page()
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_role("link", name="Create account").first.click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("No notebooks yet").wait_for()
    screenshot(page, "dashboard-empty")

    # Upload through the file picker, with the network slowed so the progress bar is seen.
    page.get_by_role("link", name="Upload your first notebook").click()
    source = tmp_path / "big.ipynb"
    source.write_bytes(big_notebook(4))
    page.set_input_files("input[type=file]", str(source))
    page.get_by_label("Title").fill("Quarterly numbers")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": 3 * 1024 * 1024,
        },
    )
    page.get_by_role("button", name="Upload").click()
    bar = page.locator("[data-progress-bar]")
    bar.wait_for(state="visible")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-progress-bar]').value;"
        " return v > 0 && v < 100; }"
    )
    screenshot(page, "upload-progress")
    page.wait_for_url("**/n/*/", timeout=60_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    page.get_by_role("heading", name="Quarterly numbers").wait_for()
    page.locator(".ns-notebook").get_by_text("Big one").wait_for()
    screenshot(page, "notebook-page")

    # Download gives back the identical bytes.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download .ipynb").click()
    downloaded = info.value.path().read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()

    # A second version, dropped onto the drop zone.
    page.get_by_role("link", name="Upload new version").click()
    page.wait_for_url("**/upload/")
    page.wait_for_load_state("load")
    second = notebook_bytes(cells=4, title="ignored")
    page.evaluate(
        """(content) => {
            const dt = new DataTransfer();
            dt.items.add(new File([content], 'v2.ipynb', {type: 'application/json'}));
            const zone = document.querySelector('[data-dropzone]');
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true}));
        }""",
        second.decode(),
    )
    page.get_by_text("v2.ipynb").wait_for()
    page.get_by_role("button", name="Upload new version").click()
    page.get_by_text("Uploaded version 2.").wait_for()
    assert page.locator("[data-version-number]").inner_text() == "2"
    assert Notebook.objects.get().title == "Quarterly numbers"

    # The first version stays viewable.
    page.get_by_role("link", name="Version 1", exact=True).click()
    page.get_by_text("You are looking at version 1").wait_for()
    screenshot(page, "old-version")


def test_invalid_file_shows_its_error_and_stores_nothing(new_page, alice, tmp_path, tmp_media):
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto("/upload/")
    broken = tmp_path / "broken.ipynb"
    broken.write_text(json.dumps({"nbformat": 4})[:-1])
    page.set_input_files("input[type=file]", str(broken))
    page.get_by_role("button", name="Upload").click()
    error = page.locator("[data-upload-errors] .field-error")
    error.wait_for()
    assert error.inner_text() == "This file is not a notebook: invalid JSON at line 1, column 15."
    screenshot(page, "upload-error")
    assert Notebook.objects.count() == 0


def test_no_page_loads_anything_from_another_host_and_dark_theme_works(
    new_page, alice, make_notebook
):
    notebook = make_notebook(alice, title="Dark mode check")
    page = new_page(color_scheme="dark")
    sign_in(page, "alice", PASSWORD)
    page.goto(notebook.get_absolute_url())
    page.locator(".ns-notebook").wait_for()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    screenshot(page, "notebook-dark")
