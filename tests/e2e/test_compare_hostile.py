"""Hostile notebooks on either side of a comparison: in Chromium, no script runs, nothing is
requested from another host, nothing needs the CSP to stop it, and the page chrome stays on top.
Big pairs are compared by the worker while the page shows progress."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from playwright.sync_api import expect

from sharing.ingest import Upload
from sharing.notebooks import add_version
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_background_render import worker  # noqa: F401
from tests.e2e.test_rendering_browser import CONTAINMENT, WATCH_CSP, same_origin
from tests.hostile import hostile_notebooks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def all_hostile() -> nbformat.NotebookNode:
    """Every hostile case's cells (and notebook metadata) in one notebook."""
    nb = new_notebook()
    for _name, case in hostile_notebooks():
        nb.cells.extend(case.cells)
        nb.metadata.update(case.metadata)
    return nb


def edited(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Same cells and ids, every source one line longer, outputs reversed: all "modified"."""
    changed = copy.deepcopy(nb)
    for cell in changed.cells:
        cell.source = str(cell.source) + "\nedited"
        cell.metadata["tags"] = ["edited"]
        if cell.cell_type == "code":
            cell.outputs = list(reversed(cell.outputs))
    return changed


def test_hostile_notebooks_on_either_side_run_nothing_and_request_nothing(
    new_page, live_server, alice, make_notebook
):
    hostile = all_hostile()
    benign = new_notebook(cells=[new_markdown_cell("# Plain"), new_code_cell("x = 1")])
    notebook = make_notebook(alice, nbformat.writes(benign).encode(), title="Hostile diff")
    for nb in (hostile, edited(hostile)):
        add_version(notebook, alice, Upload.from_bytes("h.ipynb", nbformat.writes(nb).encode()))

    page = new_page()
    sign_in(page, "alice", PASSWORD)
    requests: list[tuple[str, str, str]] = []
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.resource_type)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)

    # Hostile on the newer side, on the older side, and on both (every cell modified).
    for spec, modified in (("1...2", None), ("2...1", None), ("2...3", len(hostile.cells))):
        response = page.goto(f"/n/{notebook.pk}/compare/{spec}/")
        assert response.ok, spec
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        expect(page.locator(".nd-diff .nd-row").first).to_be_attached()
        if modified is not None:
            assert page.locator(".nd-row.nd-modified").count() == modified, spec
        # Show everything there is: folded runs, metadata, rendered markdown, both layouts.
        page.get_by_label("Execution counts and metadata").check()
        page.get_by_label("Markdown rendered").check()
        for details in page.locator("details.nd-run").all():
            details.evaluate("d => { d.open = true; }")
        box = page.locator(".nd-diff").bounding_box()
        for fy in (0.1, 0.3, 0.5, 0.7, 0.9):
            page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * fy)
        page.get_by_label("Unified").check()
        page.get_by_label("Side by side").check()
        assert page.evaluate("() => [typeof window.__pwned, typeof window.__cookie]") == [
            "undefined",
            "undefined",
        ], spec
        assert page.evaluate(CONTAINMENT) == [], spec
        assert page.evaluate("() => window.__cspViolations") == [], spec
        page.get_by_label("Markdown rendered").uncheck()
        page.get_by_label("Execution counts and metadata").uncheck()
    screenshot(page, "compare-hostile-both-sides")

    assert not dialogs and not errors, (dialogs, errors)
    assert not [r for r in requests if r[0] not in {"GET", "HEAD"}]
    assert not [r for r in requests if not same_origin(r[1], live_server.url)]
    # Nothing fetched on the content's behalf: only our pages, static files and our own JSON.
    others = [r[1] for r in requests if r[2] not in {"document", "fetch", "xhr"}]
    assert all(url.startswith(live_server.url + "/static/") for url in others), others


def test_big_pair_is_compared_by_the_worker_with_progress(
    new_page,
    alice,
    make_notebook,
    settings,
    worker,  # noqa: F811
):
    settings.RENDER_ASYNC_CELLS = 100
    settings.MAX_NOTEBOOK_CELLS = 100_000
    old = new_notebook(cells=[new_code_cell(f"value_{i} = {i}") for i in range(1500)])
    new = copy.deepcopy(old)
    new.cells[700].source = "value_700 = 'changed'"
    notebook = make_notebook(alice, nbformat.writes(old).encode(), title="Big")
    add_version(notebook, alice, Upload.from_bytes("big.ipynb", nbformat.writes(new).encode()))

    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/n/{notebook.pk}/compare/1...2/")
    status = page.get_by_role("status").filter(has_text="Comparing…")
    expect(status).to_be_visible()
    expect(page.locator("[data-diff-progress]")).to_be_attached()
    screenshot(page, "compare-in-progress")
    # The page fills in by itself once the worker is done.
    summary = page.locator("[data-diff-summary]")
    summary.wait_for(timeout=120_000)
    assert "1 modified" in summary.inner_text()
    expect(page.locator(".nd-row.nd-modified")).to_contain_text("changed")
    assert worker.poll() is None
