"""Share links in the browser: alice sends bob a one-day viewer or commenter link; bob signs
in through it, reads (and, with a commenter link, comments); alice revokes it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.grants import set_user_role
from sharing.models import Comment, NotebookUserObjectPermission
from tests.conftest import PASSWORD, notebook_bytes
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _create_link(owner, notebook, role: str, label: str) -> str:
    """On the Share page, create a one-day link with ``role``; return its address."""
    owner.goto(notebook.get_absolute_url())
    owner.get_by_role("link", name="Share", exact=True).click()
    links = owner.locator("[data-share-links]")
    links.get_by_label(role).check()
    links.get_by_label("Expires after").select_option("1d")
    links.get_by_label("Label").fill(label)
    links.get_by_role("button", name="Create link").click()
    owner.get_by_text("Copy it now: it is shown only this once").wait_for()
    return owner.get_by_label("Share link address").input_value()


def _open_link_and_sign_in(guest, address: str, notebook) -> None:
    """bob, signed out, opens the link, signs in when asked and lands on the notebook."""
    guest.goto(address)
    guest.get_by_label("Username").fill("bob")
    guest.get_by_label("Password").fill(PASSWORD)
    guest.get_by_role("button", name="Sign in").click()
    guest.wait_for_url(f"**{notebook.get_absolute_url()}")
    assert "/l/" not in guest.url  # the token has left the address bar
    guest.locator(".ns-notebook").wait_for()


def _revoke(owner, notebook, label: str) -> None:
    owner.goto(f"/n/{notebook.pk}/links/")
    owner.get_by_role("button", name=f"Revoke {label}").click()
    owner.get_by_text("Nobody can use it any more.").wait_for()


def _open_cell(page, index: int):
    """Open a cell's threads with its comment control, from the keyboard."""
    cell = page.locator(f'.jp-Cell[data-cell-index="{index}"]')
    button = cell.locator("[data-cell-button]")
    button.focus()
    expect(button).to_have_css("opacity", "1")
    page.keyboard.press("Enter")
    cell.locator(".cm-cell-threads").wait_for()
    return cell


def _cell_id(page, index: int) -> str:
    return page.locator(f'.jp-Cell[data-cell-index="{index}"]').get_attribute("data-cell-id")


def _csrf(page) -> str:
    """The CSRF token comments.js sends, from the comments panel's hidden input."""
    return page.locator("#comments input[name=csrfmiddlewaretoken]").input_value()


def _post(page, url: str, fields: dict[str, str], token: str):
    """POST as the page's browser context does (same session cookies), bypassing the UI."""
    return page.request.post(url, form=fields, headers={"X-CSRFToken": token})


def _mark_page(page) -> None:
    """Set a flag that a full page load would clear."""
    page.evaluate("window.__noReload = true")


def test_viewer_link_sign_in_read_then_revoked(new_page, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Churn model")
    version = notebook.latest_version
    cell = next(c for c in version_cells(version).values() if c.index == 1)
    thread = start_thread(notebook, version, cell, alice, "Is *x* right here?")[0].thread
    owner = new_page()
    owner.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(owner, "alice", PASSWORD)

    # alice creates a one-day viewer link from the Share page.
    owner.goto(notebook.get_absolute_url())
    owner.get_by_role("link", name="Share", exact=True).click()
    links = owner.locator("[data-share-links]")
    links.get_by_text("No share links yet.").wait_for()
    screenshot(owner, "share-page-with-links")
    links.get_by_label("Viewer: can read and download").check()
    links.get_by_label("Expires after").select_option("1d")
    links.get_by_label("Label").fill("for the Friday review")
    links.get_by_role("button", name="Create link").click()

    # The link is shown once, with a copy button that works from the keyboard.
    owner.get_by_text("Copy it now: it is shown only this once").wait_for()
    address = owner.get_by_label("Share link address").input_value()
    assert re.fullmatch(r"http://[^/]+/l/[A-Za-z0-9_-]{43}/", address)
    owner.wait_for_load_state()  # the copy button's script runs once the page has loaded
    owner.get_by_role("button", name="Copy link").focus()
    owner.keyboard.press("Enter")
    owner.get_by_text("Copied to the clipboard.").wait_for()
    assert owner.evaluate("navigator.clipboard.readText()") == address
    screenshot(owner, "share-link-created")
    owner.reload()
    assert owner.get_by_label("Share link address").count() == 0  # never shown again

    # bob, who has no grant, opens it, is asked to sign in and lands on the notebook.
    guest = new_page()
    _open_link_and_sign_in(guest, address, notebook)
    assert guest.locator("[data-role]").inner_text() == "viewer"
    assert guest.get_by_role("link", name="Upload new version").count() == 0
    assert guest.get_by_role("link", name="Share", exact=True).count() == 0
    assert not NotebookUserObjectPermission.objects.filter(user=bob).exists()

    # He reads alice's thread, but there is nothing to start a thread or reply with.
    panel = guest.locator("#comments")
    panel.locator("[data-panel-thread]").get_by_text("Is x right here?").wait_for()
    assert "choose Comment to start a thread" not in panel.inner_text()
    cell = _open_cell(guest, 1)
    cell.locator(".cm-thread .cm-body em").get_by_text("x").wait_for()
    assert cell.locator("textarea, form").count() == 0
    for name in ("Reply", "Resolve", "New thread", "Edit", "Delete"):
        assert cell.get_by_role("button", name=name).count() == 0, name
    empty = _open_cell(guest, 2)
    empty.get_by_text("No comments on this cell.").wait_for()
    assert empty.locator("textarea, form").count() == 0
    assert guest.locator("#comments textarea, .cm-cell-threads textarea").count() == 0
    screenshot(guest, "share-link-reader")

    # Asking the server directly, with the page's session and CSRF token, is refused.
    comments_url = reverse("sharing:version-comments", args=[notebook.pk, version.number])
    token = _csrf(guest)
    fields = {"cell_id": _cell_id(guest, 2), "body": "Sneaky"}
    started = _post(guest, comments_url, fields, token)
    assert started.status == 403
    assert "You cannot do that" in started.text()  # the role refused it, not the CSRF check
    reply_url = reverse("sharing:comment-reply", args=[notebook.pk, thread.pk])
    replied = _post(guest, reply_url, {"body": "Me too"}, token)
    assert replied.status == 403
    assert "You cannot do that" in replied.text()
    assert list(Comment.objects.values_list("body", flat=True)) == ["Is *x* right here?"]

    # alice sees the use, then revokes the link with one click.
    owner.goto(f"/n/{notebook.pk}/links/")
    row = owner.locator("[data-link-list] tbody tr").first
    assert row.locator("td").nth(5).inner_text() == "1"
    # The owner's activity feed names who used it.
    owner.locator('[data-action="link.used"]').get_by_text("bob").wait_for()
    owner.get_by_role("button", name="Revoke for the Friday review").click()
    owner.get_by_text("Nobody can use it any more.").wait_for()
    assert row.get_attribute("data-link-state") == "revoked"
    screenshot(owner, "share-link-revoked-owner")

    # bob's next page load gets the revoked page, which does not name the notebook.
    response = guest.reload()
    assert response.status == 410
    guest.get_by_role("heading", name="This link was revoked").wait_for()
    assert "Churn model" not in guest.content()
    screenshot(guest, "share-link-revoked-guest")

    # Opening the address again says the same.
    assert guest.goto(address).status == 410


def test_commenter_link_comment_then_revoked_and_the_comment_stays(
    new_page, alice, bob, make_notebook
):
    notebook = make_notebook(alice, data=notebook_bytes(cells=4), title="Churn model")
    url = notebook.get_absolute_url()
    owner = new_page()
    sign_in(owner, "alice", PASSWORD)
    address = _create_link(owner, notebook, "Commenter: can also comment", "for the design review")

    # bob, who has no grant, signs in through the link and lands on the notebook as commenter.
    guest = new_page()
    _open_link_and_sign_in(guest, address, notebook)
    assert guest.locator("[data-role]").inner_text() == "commenter"
    assert not NotebookUserObjectPermission.objects.filter(user=bob).exists()

    # He starts a thread on In [2] (the third cell): badge and panel update without a reload.
    panel = guest.locator("#comments")
    panel.get_by_text("choose Comment to start a thread", exact=False).wait_for()
    _mark_page(guest)
    cell = _open_cell(guest, 2)
    cell.get_by_label("Comment on In [2]").fill("Should `x` start at **zero**?")
    cell.get_by_role("button", name="Comment", exact=True).click()
    cell.locator(".cm-thread .cm-body strong").get_by_text("zero").wait_for()
    assert cell.locator("[data-badge]").inner_text() == "1"
    assert panel.locator("[data-comment-count]").inner_text() == "(1 open)"
    assert "In [2]" in panel.locator("[data-panel-thread]").inner_text()
    assert "bob" in cell.locator(".cm-thread .cm-author").inner_text()
    assert cell.get_by_role("button", name="Reply", exact=True).is_visible()
    assert guest.evaluate("window.__noReload === true")
    screenshot(guest, "share-link-commenter-posted")

    # The direct request a viewer link is refused (see above) is accepted with this one.
    thread_id = Comment.objects.get(author=bob).thread_id
    reply_url = reverse("sharing:comment-reply", args=[notebook.pk, thread_id])
    token = _csrf(guest)
    assert _post(guest, reply_url, {"body": "Or at one?"}, token).status == 201

    # alice sees bob's comment on her page.
    owner.goto(url)
    owner.locator("[data-panel-thread] a").click()
    thread = owner.locator(".jp-Cell[data-cell-index='2'] .cm-thread")
    thread.get_by_text("Should x start at zero?").wait_for()
    assert thread.locator(".cm-author").all_inner_texts() == ["bob", "bob"]
    assert thread.get_by_text("Or at one?").is_visible()
    screenshot(owner, "share-link-commenter-owner-sees")

    # alice revokes the link; bob's next page load gets the revoked page.
    _revoke(owner, notebook, "for the design review")
    response = guest.reload()
    assert response.status == 410
    guest.get_by_role("heading", name="This link was revoked").wait_for()
    assert "Churn model" not in guest.content()
    assert guest.locator(".ns-notebook, #comments").count() == 0
    screenshot(guest, "share-link-commenter-revoked-guest")
    assert guest.goto(url).status == 410
    assert _post(guest, reply_url, {"body": "Still here?"}, token).status == 410

    # bob's comments stay, and alice still sees them.
    owner.goto(url)
    item = owner.locator("[data-panel-thread]")
    item.get_by_text("Should x start at zero?").wait_for()
    assert "bob" in item.inner_text()
    assert owner.locator(".jp-Cell[data-cell-index='2'] [data-badge]").inner_text() == "1"
    assert "2 comments" in item.inner_text()
    assert Comment.objects.filter(author=bob, thread__notebook=notebook).count() == 2
    screenshot(owner, "share-link-commenter-owner-after-revoke")


def test_share_links_page_in_dark_mode_for_an_editor(new_page, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Churn model")
    set_user_role(notebook, bob, "editor")
    page = new_page(color_scheme="dark")
    sign_in(page, "bob", PASSWORD)
    page.goto(notebook.get_absolute_url())
    page.get_by_role("link", name="Share", exact=True).click()
    # An editor's Share page has the links sections only.
    assert page.locator("#people").count() == 0
    page.get_by_label("Expires after").select_option("date")
    page.get_by_role("button", name="Create link").click()
    assert page.get_by_text("Choose the expiry date.").is_visible()
    screenshot(page, "share-links-editor-dark-error")
    # The date field refuses past dates in the browser too (its min is today).
    assert page.get_by_label("Expiry date").get_attribute("min")
    page.get_by_label("Expires after").select_option("7d")
    page.get_by_label("Only the current version (1)").check()
    page.get_by_role("button", name="Create link").click()
    page.locator("[data-new-link]").wait_for()
    page.locator("[data-link-list]").get_by_text("version 1 only").wait_for()
    screenshot(page, "share-links-editor-dark")
