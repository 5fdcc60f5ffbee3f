"""Comment threads with JavaScript turned off: the page lists them and plain forms post them."""

from __future__ import annotations

import pytest

from sharing.grants import set_user_role
from sharing.models import CommentThread
from tests.conftest import PASSWORD, notebook_bytes
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bob_starts_a_thread_and_alice_replies_without_javascript(
    new_page, alice, bob, make_notebook
):
    notebook = make_notebook(alice, data=notebook_bytes(cells=4), title="Churn model")
    set_user_role(notebook, bob, "commenter")
    url = notebook.get_absolute_url()

    # bob (commenter) starts a thread on cell 3 with the plain form.
    page = new_page(java_script_enabled=False)
    sign_in(page, "bob", PASSWORD)
    page.goto(url)
    panel = page.locator("#comments")
    assert panel.get_by_text("No comments yet.").is_visible()
    assert not panel.locator("[data-comments-status]").is_visible()  # no endless "Loading…"
    # Cells are named as the page shows them: the third cell's prompt is "In [2]".
    third = page.locator('.jp-Cell[data-cell-index="2"]')
    assert third.locator(".jp-InputPrompt").inner_text().replace("\xa0", " ") == "In [2]:"
    panel.get_by_label("Cell", exact=True).select_option(label=_cell_label(panel, "In [2]"))
    panel.get_by_label("Comment", exact=True).fill("Why is the threshold **0.5**?")
    panel.get_by_role("button", name="Start thread").click()
    page.wait_for_url(f"**{url}#cell-*")
    thread = CommentThread.objects.get()
    assert page.url.endswith(f"{url}#cell-{thread.cell_id}")
    assert thread.anchors.get().cell_index == 2
    page.get_by_text("Thread started on In [2].").wait_for()
    assert panel.locator(".cm-body strong").inner_text() == "0.5"
    assert panel.get_by_role("link", name="In [2]").get_attribute("href") == (
        f"#cell-{thread.cell_id}"
    )

    # alice (owner) reads it on her page, also without JavaScript, and replies.
    owner = new_page(java_script_enabled=False)
    sign_in(owner, "alice", PASSWORD)
    owner.goto(url)
    owner_panel = owner.locator("#comments")
    owner_panel.get_by_label("Reply").fill("Because recall matters more here.")
    owner_panel.get_by_role("button", name="Post reply").click()
    owner.get_by_text("Reply posted.").wait_for()
    assert owner.url.endswith(f"{url}#cell-{thread.cell_id}")
    bodies = owner_panel.locator(".cm-comment .cm-body").all_inner_texts()
    assert bodies == ["Why is the threshold 0.5?", "Because recall matters more here."]
    assert list(thread.comments.values_list("author_name", flat=True)) == ["bob", "alice"]
    screenshot(owner, "comments-no-js-alice-replied")

    # bob resolves it, still without JavaScript.
    page.goto(url)
    panel.get_by_role("button", name="Resolve").click()
    page.get_by_text("Thread resolved.").wait_for()
    state = panel.locator(".cm-state")
    assert state.text_content() == "Resolved"
    assert "cm-state-resolved" in state.get_attribute("class")
    assert panel.get_by_role("button", name="Reopen").is_visible()
    thread.refresh_from_db()
    assert thread.is_resolved
    screenshot(page, "comments-no-js-bob-resolved")


def _cell_label(panel, name: str) -> str:
    options = panel.locator("select[name=cell_id] option").all_inner_texts()
    return next(label for label in options if label.startswith(f"{name} "))


def test_with_javascript_on_the_script_replaces_the_plain_forms(new_page, alice, make_notebook):
    notebook = make_notebook(alice, data=notebook_bytes(cells=2), title="Scripted")
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto(notebook.get_absolute_url())
    page.locator("#comments").get_by_text("No comments yet.").wait_for()
    assert page.locator("[data-comments-fallback]").count() == 0
    assert page.locator("#comments fieldset.cm-filter").is_visible()
