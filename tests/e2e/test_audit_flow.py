"""The audit log in the browser: staff filter and export it; a notebook's owner reads its
activity on the Share page; nobody else finds the page. Light and dark, wide and phone."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sharing.grants import set_user_role
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"wide": 1400, "phone": 390}


@pytest.fixture
def shared(alice, bob, carol, make_user, make_notebook):
    make_user("root", is_staff=True, is_superuser=True)
    notebook = make_notebook(alice, title="Quarterly churn")
    set_user_role(notebook, bob, "viewer")
    return notebook


def _bob_reads(new_page, notebook) -> None:
    page = new_page()
    sign_in(page, "bob", PASSWORD)
    page.goto(notebook.get_absolute_url())
    page.locator(".ns-notebook").wait_for()


def _fits(page, width: int, selector: str) -> None:
    """Set the window's width: each element ``selector`` picks must fit in it, and scroll
    nothing sideways inside."""
    page.set_viewport_size({"width": width, "height": 900})
    sizes = page.evaluate(
        """selector => [...document.querySelectorAll(selector)].map(e => [
            e.getBoundingClientRect().right, e.scrollWidth, e.clientWidth])""",
        selector,
    )
    assert sizes, selector
    for right, scroll_width, client_width in sizes:
        assert right <= width and scroll_width <= client_width, (selector, width, sizes)


def test_staff_filter_the_audit_log_and_export_what_they_see(new_page, shared):
    _bob_reads(new_page, shared)
    page = new_page()
    sign_in(page, "root", PASSWORD)
    page.locator("summary", has_text="root").click()
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    events = page.locator("[data-audit-events]")
    expect(events.locator('[data-action="notebook.viewed"]')).to_have_count(1)

    filters = page.locator("[data-audit-filters]")
    filters.get_by_label("Actor").fill("bob")
    filters.get_by_label("Action").select_option(label="Viewed notebook")
    today = timezone.localdate().isoformat()
    filters.get_by_label("From (optional)", exact=True).fill(today)
    filters.get_by_label("To (optional)", exact=True).fill(today)
    filters.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/audit/?*actor=bob*")
    rows = events.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bob")
    expect(rows.first).to_contain_text("Quarterly churn · v1")
    expect(rows.first).to_contain_text("HeadlessChrome")  # the reader's browser
    expect(page.get_by_text("1 event matches.")).to_be_visible()

    with page.expect_download() as download:
        page.locator('[data-export="csv"]').click()
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(row["actor"], row["action"]) for row in exported] == [("bob", "notebook.viewed")]

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, width in WIDTHS.items():
            _fits(page, width, "main")
            _fits(page, width, ".table-scroll")
            screenshot(page, f"audit-log-{scheme}-{name}")

    filters.get_by_label("Actor").fill("nobody-at-all")
    filters.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No events match these filters")).to_be_visible()


def test_the_owner_reads_who_viewed_and_who_shared_on_the_share_page(new_page, shared, carol):
    _bob_reads(new_page, shared)
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto(shared.get_absolute_url())
    page.get_by_role("link", name="Share", exact=True).click()
    page.get_by_label("Person").fill("carol")
    page.get_by_role("button", name="Share", exact=True).click()
    page.get_by_role("button", name="Share with carol").click()  # the confirmation step
    page.wait_for_url(f"**/n/{shared.pk}/access/")
    activity = page.locator("[data-notebook-events]")
    feed = activity.locator("li")
    expect(feed.first).to_contain_text("alice granted access")
    expect(feed.first).to_contain_text("carol")
    expect(activity.locator("li", has_text="bob viewed notebook")).to_have_count(1)
    expect(activity).not_to_contain_text("127.0.0.1")
    activity.scroll_into_view_if_needed()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, width in WIDTHS.items():
            _fits(page, width, "[data-notebook-events]")
            screenshot(page, f"audit-share-page-{scheme}-{name}")


def test_people_without_staff_rights_find_no_audit_page(new_page, shared):
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    response = page.goto("/audit/")
    assert response.status == 404
    page.locator("summary", has_text="alice").click()
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
