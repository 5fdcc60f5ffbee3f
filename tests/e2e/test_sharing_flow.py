"""alice shares with bob as viewer, then editor, then removes him; carol never sees it."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, notebook_bytes
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_share_as_viewer_promote_to_editor_then_remove(
    new_page, alice, bob, carol, make_notebook, tmp_path
):
    notebook = make_notebook(alice, title="Churn model")
    url = notebook.get_absolute_url()
    owner, guest = new_page(), new_page()
    sign_in(owner, "alice", PASSWORD)
    sign_in(guest, "bob", PASSWORD)

    # alice shares with bob as a viewer from the Share page.
    owner.goto(url)
    owner.get_by_role("link", name="Share", exact=True).click()
    owner.get_by_label("Person").fill("bob")
    owner.get_by_label("Role", exact=True).select_option("viewer")
    owner.get_by_role("button", name="Share", exact=True).click()
    # The page shows who "bob" matched before anything changes.
    owner.locator('[data-matched="bob"]').wait_for()
    owner.get_by_role("button", name="Share with bob").click()
    owner.get_by_text("bob now has the viewer role.").wait_for()
    screenshot(owner, "share-page")

    # bob finds it under "Shared with me", reads it, and has no Share or upload buttons.
    guest.goto("/")
    guest.get_by_role("navigation", name="Notebook lists").get_by_role(
        "link", name="Shared with me"
    ).click()
    guest.get_by_role("link", name="Churn model").click()
    guest.locator(".ns-notebook").wait_for()
    assert guest.locator("[data-role]").inner_text() == "viewer"
    assert guest.get_by_role("link", name="Share", exact=True).count() == 0
    assert guest.get_by_role("link", name="Upload new version").count() == 0
    screenshot(guest, "shared-as-viewer")

    # alice makes bob an editor: choosing the role applies it (no button); bob uploads.
    assert owner.locator('[data-grant="bob"]').get_by_role("button", name="Change").count() == 0
    owner.get_by_label("Role of bob").select_option("editor")
    owner.get_by_text("bob now has the editor role.").wait_for()
    guest.goto(url)
    guest.get_by_role("link", name="Upload new version").click()
    version = tmp_path / "v2.ipynb"
    version.write_bytes(notebook_bytes(cells=5))
    guest.set_input_files("input[type=file]", str(version))
    guest.get_by_role("button", name="Upload new version").click()
    guest.get_by_text("Uploaded version 2.").wait_for()

    # carol, who has no grant, gets a 404 for the same address.
    stranger = new_page()
    sign_in(stranger, "carol", PASSWORD)
    assert stranger.goto(url).status == 404

    # alice removes bob; his next page load is a 404.
    owner.reload()
    owner.get_by_role("button", name="Remove bob").click()
    owner.get_by_text("bob no longer has access.").wait_for()
    assert guest.goto(url).status == 404
    screenshot(guest, "removed-404")
