"""alice sends bob a one-day viewer link; bob signs in through it and reads; alice revokes it."""

from __future__ import annotations

import re

import pytest

from sharing.models import NotebookUserObjectPermission
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_viewer_link_sign_in_read_then_revoked(new_page, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Churn model")
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
    owner.get_by_role("button", name="Copy link").focus()
    owner.keyboard.press("Enter")
    owner.get_by_text("Copied to the clipboard.").wait_for()
    assert owner.evaluate("navigator.clipboard.readText()") == address
    screenshot(owner, "share-link-created")
    owner.reload()
    assert owner.get_by_label("Share link address").count() == 0  # never shown again

    # bob, who has no grant, opens it, is asked to sign in and lands on the notebook.
    guest = new_page()
    guest.goto(address)
    guest.get_by_label("Username").fill("bob")
    guest.get_by_label("Password").fill(PASSWORD)
    guest.get_by_role("button", name="Sign in").click()
    guest.wait_for_url(f"**{notebook.get_absolute_url()}")
    assert "/l/" not in guest.url  # the token has left the address bar
    guest.locator(".ns-notebook").wait_for()
    assert guest.locator("[data-role]").inner_text() == "viewer"
    assert guest.get_by_role("link", name="Upload new version").count() == 0
    assert guest.get_by_role("link", name="Share links").count() == 0
    assert not NotebookUserObjectPermission.objects.filter(user=bob).exists()
    screenshot(guest, "share-link-reader")

    # alice sees the use, then revokes the link with one click.
    owner.goto(f"/n/{notebook.pk}/links/")
    row = owner.locator("[data-link-list] tbody tr").first
    assert row.locator("td").nth(5).inner_text() == "1"
    owner.locator('[data-event="used"]').get_by_text("bob").wait_for()
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


def test_share_links_page_in_dark_mode_for_an_editor(new_page, alice, bob, make_notebook):
    from sharing.access import set_user_role

    notebook = make_notebook(alice, title="Churn model")
    set_user_role(notebook, bob, "editor")
    page = new_page(color_scheme="dark")
    sign_in(page, "bob", PASSWORD)
    page.goto(notebook.get_absolute_url())
    page.get_by_role("link", name="Share links").click()
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
