"""A share reaches its recipient: the unread badge, the inbox, and a first page that opens on
what was shared (Chromium at 1400 and 390 px, light and dark)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from sharing.grants import set_user_role
from sharing.notifications import send
from sharing.notifications.models import Notification
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"wide": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_share_shows_as_a_badge_in_the_inbox_and_on_the_first_page(
    new_page, alice, make_user, make_notebook
):
    newcomer = make_user("nina")
    team = Group.objects.create(name="Forecasting")
    team.user_set.add(newcomer)
    notebook = make_notebook(alice, title="Quarterly forecast")
    owner, guest = new_page(), new_page()
    sign_in(owner, "alice", PASSWORD)

    # alice shares with the group from the Share page
    owner.goto(notebook.get_absolute_url())
    owner.get_by_role("link", name="Share", exact=True).click()
    owner.locator("select[name=group]").select_option(label="Forecasting")
    owner.locator("form.stack[action$='/access/groups/'] button[type=submit]").click()
    owner.get_by_text("The group Forecasting now has the viewer role.").wait_for()
    assert Notification.objects.filter(recipient=newcomer, kind="shared").count() == 1

    # nina, new, signs in: her first page shows it, and the header counts one unread notice
    sign_in(guest, "nina", PASSWORD)
    badge = guest.locator("[data-unread-count]")
    assert badge.inner_text().startswith("1")
    assert guest.get_by_text("No notebooks yet").count() == 0
    guest.locator("[data-shared-recent]").get_by_role("link", name="Quarterly forecast").wait_for()
    guest.locator("[data-recent-activity]").get_by_text("shared").first.wait_for()
    for name, size in SIZES.items():
        guest.set_viewport_size(size)
        assert fits(guest), name
        screenshot(guest, f"dashboard-new-colleague-{name}")

    # the inbox lists it; opening it goes to the notebook and marks it read
    guest.set_viewport_size(SIZES["wide"])
    guest.locator("[data-inbox-link]").click()
    guest.get_by_role("heading", name="Inbox").wait_for()
    assert guest.locator(".notice.unread").count() == 1
    screenshot(guest, "inbox-unread-wide")
    guest.set_viewport_size(SIZES["phone"])
    assert fits(guest)
    screenshot(guest, "inbox-unread-phone")
    guest.locator(".notice-link").first.click()
    guest.get_by_role("heading", name="Quarterly forecast").wait_for()
    assert guest.locator("[data-unread-count]").count() == 0
    # the notebook page offers to stop following it
    assert guest.get_by_role("button", name="Following").is_visible()


def test_mark_all_read_and_the_empty_inbox_in_dark_mode(new_page, alice, bob, make_notebook):
    for title in ("Churn", "Pricing"):
        notebook = make_notebook(alice, title=title)
        set_user_role(notebook, bob, "viewer")
        send.shared_with_person(notebook, alice, bob, "viewer")
    page = new_page(color_scheme="dark")
    sign_in(page, "bob", PASSWORD)
    page.goto("/inbox/")
    assert page.locator("[data-unread-count]").inner_text().startswith("2")
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        assert fits(page), name
        screenshot(page, f"inbox-dark-{name}")
    page.get_by_role("button", name="Mark all read").click()
    page.get_by_text("Marked 2 notices read.").wait_for()
    assert page.locator("[data-unread-count]").count() == 0
    assert page.locator(".notice.unread").count() == 0
    screenshot(page, "inbox-read-dark-phone")

    empty = new_page(color_scheme="dark")
    sign_in(empty, "alice", PASSWORD)
    empty.goto("/inbox/")
    empty.get_by_role("heading", name="Nothing new").wait_for()
    for name, size in SIZES.items():
        empty.set_viewport_size(size)
        assert fits(empty), name
        screenshot(empty, f"inbox-empty-dark-{name}")
    # the settings page: one box per kind and channel
    empty.get_by_role("link", name="Choose what you hear about").click()
    boxes = empty.locator("table.notification-choices input[type=checkbox]")
    assert boxes.count() == 10
    screenshot(empty, "notification-settings-dark-phone")
