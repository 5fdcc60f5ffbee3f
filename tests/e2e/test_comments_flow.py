"""Comment threads in the browser: post, reply, resolve without reloads; viewers only read;
hostile bodies stay inert; outdated and removed cells are shown as such."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from playwright.sync_api import expect

from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.notebooks import add_version
from tests.conftest import PASSWORD, notebook_bytes
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _mark_page(page) -> None:
    """Set a flag that a full page load would clear."""
    page.evaluate("window.__noReload = true")


def _not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload === true")


def _open_cell(page, index: int):
    """Reach a cell's comment control with the keyboard and open its threads."""
    cell = page.locator(f'.jp-Cell[data-cell-index="{index}"]')
    button = cell.locator("[data-cell-button]")
    button.focus()
    expect(button).to_have_css("opacity", "1")  # shown on keyboard focus
    page.keyboard.press("Enter")
    cell.locator(".cm-cell-threads").wait_for()
    return cell


def test_bob_comments_alice_replies_bob_resolves_carol_only_reads(
    new_page, alice, bob, carol, make_notebook
):
    notebook = make_notebook(alice, data=notebook_bytes(cells=4), title="Churn model")
    set_user_role(notebook, bob, "commenter")
    set_user_role(notebook, carol, "viewer")
    url = notebook.get_absolute_url()

    # bob (commenter) comments on In [2] (the third cell); badge and panel update without a reload.
    page = new_page()
    sign_in(page, "bob", PASSWORD)
    page.goto(url)
    page.get_by_text("No comments yet.", exact=False).wait_for()
    _mark_page(page)
    cell = page.locator('.jp-Cell[data-cell-index="2"]')
    cell.hover()
    assert cell.locator("[data-cell-button]").is_visible()
    cell = _open_cell(page, 2)
    cell.get_by_label("Comment on In [2]").fill("Why is the threshold **0.5**?")
    cell.get_by_role("button", name="Comment", exact=True).click()
    cell.locator(".cm-thread .cm-body strong").get_by_text("0.5").wait_for()
    assert cell.locator("[data-badge]").inner_text() == "1"
    panel = page.locator("#comments")
    assert panel.locator("[data-comment-count]").inner_text() == "(1 open)"
    assert panel.locator("[data-panel-thread]").count() == 1
    assert "In [2]" in panel.locator("[data-panel-thread]").inner_text()
    assert _not_reloaded(page)
    screenshot(page, "comments-bob-posted")

    # alice (owner) jumps from the side panel to the thread and replies.
    owner = new_page()
    sign_in(owner, "alice", PASSWORD)
    owner.goto(url)
    owner.locator("[data-panel-thread] a").click()
    thread = owner.locator(".jp-Cell[data-cell-index='2'] .cm-thread")
    thread.wait_for()
    assert thread.evaluate("t => document.activeElement === t")
    _mark_page(owner)
    thread.get_by_role("button", name="Reply", exact=True).click()
    thread.get_by_label("Reply").fill("Because recall matters more than precision here.")
    thread.get_by_role("button", name="Post reply").click()
    owner.get_by_text("Because recall matters").wait_for()
    assert owner.locator(".cm-thread .cm-comment").count() == 2
    assert "2 comments" in owner.locator("[data-panel-thread]").inner_text()
    assert _not_reloaded(owner)
    screenshot(owner, "comments-alice-replied")

    # bob sees the reply on his next visit and resolves the thread: badge and panel update.
    page.goto(url)
    cell = _open_cell(page, 2)
    page.get_by_text("Because recall matters").wait_for()
    _mark_page(page)
    cell.get_by_role("button", name="Resolve").click()
    cell.locator(".cm-thread.cm-resolved").wait_for()
    assert cell.locator("[data-badge]").is_hidden()
    assert panel.locator("[data-panel-thread]").count() == 0
    assert panel.get_by_text("No open threads.").is_visible()
    panel.get_by_label("Resolved").check()
    assert panel.locator("[data-panel-thread]").count() == 1
    assert _not_reloaded(page)
    screenshot(page, "comments-bob-resolved")

    # carol (viewer) sees the thread but has no reply box and no resolve button.
    reader = new_page()
    sign_in(reader, "carol", PASSWORD)
    reader.goto(url)
    reader.locator("#comments").get_by_label("All").check()
    reader.locator("[data-panel-thread] a").click()
    reader.get_by_text("Because recall matters").wait_for()
    threads = reader.locator(".cm-cell-threads")
    assert threads.locator(".cm-comment").count() == 2
    assert threads.locator("textarea").count() == 0
    assert threads.get_by_role("button", name="Reply").count() == 0
    assert threads.get_by_role("button", name="Reopen").count() == 0
    assert threads.get_by_role("button", name="Edit").count() == 0
    screenshot(reader, "comments-carol-reads")


HOSTILE = (
    "<script>window.__pwned = 1</script>\n\n"
    '<img src="x" onerror="window.__pwned = 2">\n\n'
    "[click me](javascript:window.__pwned=3)\n\n"
    "![tracker](https://evil.example/pixel.png)\n\n"
    '<b onmouseover="window.__pwned = 4">hover</b> and `code`'
)


def test_a_hostile_comment_renders_inert_in_the_browser(new_page, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Target")
    set_user_role(notebook, bob, "commenter")
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "bob", PASSWORD)
    page.goto(notebook.get_absolute_url())
    cell = _open_cell(page, 1)
    cell.get_by_label("Comment on In [1]").fill(HOSTILE)
    cell.get_by_role("button", name="Comment", exact=True).click()
    body = cell.locator(".cm-thread .cm-body")
    body.get_by_text("click me").wait_for()
    body.get_by_text("click me").click()
    body.get_by_text("hover").hover()
    page.reload()  # and once more as a fresh page load
    _open_cell(page, 1)
    body = page.locator(".cm-thread .cm-body")
    body.get_by_text("click me").wait_for()
    assert page.evaluate("window.__pwned") is None
    assert body.locator("script, img, [onerror], [onmouseover]").count() == 0
    hrefs = body.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not [href for href in hrefs if href.lower().startswith("javascript")]
    assert "https://evil.example/pixel.png" in hrefs  # the image became a link, never loaded
    assert "<script>window.__pwned = 1</script>" in body.inner_text()
    assert errors == []
    screenshot(page, "comments-hostile-inert")
    # new_page fails the test if the page asked evil.example for anything.


def test_outdated_and_removed_threads_after_a_reupload(new_page, alice, make_notebook):
    def nb(cells):
        notebook = new_notebook()
        notebook.cells = cells
        return notebook

    v1 = nb([new_markdown_cell("# Model"), new_code_cell("fit(X, y)"), new_code_cell("plot()")])
    notebook = make_notebook(alice, data=nbformat.writes(v1).encode(), title="Model")
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto(notebook.get_absolute_url())
    for index, text in ((1, "Check the fit"), (2, "Label the axes")):
        cell = _open_cell(page, index)
        cell.get_by_label(f"Comment on cell {index + 1}").fill(text)
        cell.get_by_role("button", name="Comment", exact=True).click()
        cell.get_by_text(text).wait_for()
    edited = new_code_cell("fit(X, y, weights)")
    edited.id = v1.cells[1].id
    v2 = nb([v1.cells[0], edited])
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", nbformat.writes(v2).encode()))

    page.goto(notebook.get_absolute_url())
    page.locator("[data-panel-thread]").first.wait_for()
    removed = page.locator("[data-removed-section]")
    assert removed.is_visible()
    assert "Label the axes" in removed.inner_text()
    assert "plot()" in removed.inner_text()
    cell = _open_cell(page, 1)
    outdated = cell.locator("[data-outdated]")
    assert "the cell changed since this comment" in outdated.inner_text()
    assert "fit(X, y)" in outdated.inner_text()
    screenshot(page, "comments-outdated-and-removed")

    # version 1 still shows both threads on their cells, with no new-thread form.
    page.goto(f"{notebook.get_absolute_url()}v/1/")
    page.locator("[data-panel-thread]").nth(1).wait_for()
    assert page.locator("[data-removed-section]").is_hidden()
    cell = _open_cell(page, 2)
    assert cell.locator("[data-outdated]").count() == 0
    assert "start new threads on the latest version" in cell.inner_text()


def test_edit_then_delete_own_comment_after_confirming(new_page, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Edits")
    set_user_role(notebook, bob, "commenter")
    page = new_page(color_scheme="dark")
    sign_in(page, "bob", PASSWORD)
    page.goto(notebook.get_absolute_url())
    cell = _open_cell(page, 1)
    cell.get_by_label("Comment on In [1]").fill("Typo hre")
    cell.get_by_role("button", name="Comment", exact=True).click()
    cell.get_by_text("Typo hre").wait_for()
    _mark_page(page)

    cell.get_by_role("button", name="Edit").click()
    editor = cell.get_by_label("Edit comment")
    editor.fill("Typo here, with `code`")
    page.keyboard.press("Control+Enter")
    cell.locator(".cm-body code").get_by_text("code").wait_for()
    assert "edited" in cell.locator(".cm-meta").inner_text()
    screenshot(page, "comments-dark-edited")

    # Dismissing the confirmation keeps the comment; accepting deletes it and its thread.
    page.once("dialog", lambda dialog: dialog.dismiss())
    cell.get_by_role("button", name="Delete the comment by bob").click()
    assert cell.locator(".cm-comment").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    cell.get_by_role("button", name="Delete the comment by bob").click()
    cell.locator(".cm-thread").wait_for(state="detached")
    assert cell.locator("[data-badge]").is_hidden()
    assert page.locator("#comments").get_by_text("No comments yet.").is_visible()
    assert _not_reloaded(page)
