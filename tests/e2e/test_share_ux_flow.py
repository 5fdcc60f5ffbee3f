"""Sharing in the browser, on a phone in dark mode and on a desktop: names suggested from the
owner's groups, roles applied on choice, an invitation by e-mail, a link copied again, a group
made and managed, and the sign-in page a signed-out recipient sees."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from sharing import groups, links
from sharing.grants import grants
from sharing.models import Invite
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def role_of(notebook, username: str) -> str | None:
    users, _ = grants(notebook)
    return next((g.role for g in users if g.holder.get_username() == username), None)


@pytest.fixture
def setting(settings, alice, bob, carol, make_notebook):
    settings.SIGNUP_ENABLED = True
    bob.first_name = "Roberta"
    bob.save()
    team = groups.create_group("Data team", alice)
    team.user_set.add(bob)
    return make_notebook(alice, title="Churn model")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sharing_on_a_phone(new_page, setting, scheme):
    notebook = setting
    page = new_page(color_scheme=scheme)
    page.set_viewport_size(PHONE)
    sign_in(page, "alice", PASSWORD)
    page.goto(notebook.get_absolute_url())
    page.get_by_role("link", name="Share", exact=True).click()
    page.wait_for_url("**/access/")
    page.wait_for_load_state()  # the page's script listens to the person field once loaded
    page.evaluate("window.__noReload = true")

    # The person field suggests bob (a member of alice's group), never carol.
    field = page.get_by_label("Person")
    field.press_sequentially("bo")
    expect(page.locator("#person-options option")).to_have_count(1)
    assert page.locator("#person-options option").get_attribute("value") == "bob"
    assert "Roberta" in page.locator("#person-options option").get_attribute("label")
    field.fill("")
    with page.expect_response(lambda response: "/share/people/?q=ca" in response.url) as asked:
        field.press_sequentially("ca")
    assert asked.value.json() == {"people": []}
    expect(page.locator("#person-options option")).to_have_count(0)

    # Share with bob, confirm, then change his role by choosing it: no button, no reload.
    field.fill("bob")
    page.get_by_role("button", name="Share", exact=True).click()
    page.get_by_role("button", name="Share with bob").click()
    page.get_by_text("bob now has the viewer role.").wait_for()
    page.evaluate("window.__noReload = true")
    # The page's script hides the Change button once it has run.
    expect(page.locator('[data-grant="bob"]').get_by_role("button", name="Change")).to_be_hidden()
    page.get_by_label("Role of bob").select_option("commenter")
    page.get_by_text("bob now has the commenter role.").wait_for()
    assert page.evaluate("window.__noReload") is True
    assert role_of(notebook, "bob") == "commenter"

    # An address nobody uses: the page offers an invitation, which is mailed.
    mail.outbox.clear()
    field = page.get_by_label("Person")
    field.fill("dora@elsewhere.example")
    page.get_by_label("Role", exact=True).first.select_option("editor")
    page.get_by_role("button", name="Share", exact=True).click()
    page.get_by_role("button", name="Invite dora@elsewhere.example").click()
    page.get_by_text("Invitation sent to dora@elsewhere.example.").wait_for()
    page.locator('[data-invite="dora@elsewhere.example"]').wait_for()
    assert [message.to for message in mail.outbox] == [["dora@elsewhere.example"]]
    assert Invite.objects.get().role == "editor"

    # A link, then the same link copied again later with a new address.
    links_section = page.locator("[data-share-links]")
    links_section.get_by_label("Label").fill("Board")
    links_section.get_by_role("button", name="Create link").click()
    first = page.get_by_label("Share link address").input_value()
    page.reload()
    assert page.get_by_label("Share link address").count() == 0
    page.get_by_role("button", name="New address for Board").click()
    page.get_by_text("has a new address: copy it below").wait_for()
    second = page.get_by_label("Share link address").input_value()
    assert second != first and "/l/" in second
    assert links.find(first.rstrip("/").rsplit("/", 1)[1]) is None
    page.wait_for_load_state("load")  # the page's script listens from DOMContentLoaded on
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Copied to the clipboard.").or_(page.get_by_text("Selected:")).wait_for()

    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1]
    screenshot(page, f"share-ux-share-page-390-{scheme}")


def test_a_group_made_and_managed_in_the_app(new_page, setting):
    page = new_page(color_scheme="dark")
    page.set_viewport_size(PHONE)
    sign_in(page, "alice", PASSWORD)
    page.locator("#user-menu-button").click()
    page.locator("#user-menu").get_by_role("link", name="My groups").click()
    page.get_by_role("link", name="New group").first.click()
    page.get_by_label("Name").fill("Forecasting")
    page.get_by_role("button", name="Create group").click()
    page.get_by_text("Group “Forecasting” created.").wait_for()
    page.get_by_label("Username or verified e-mail address").fill("carol")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("carol is now in Forecasting.").wait_for()
    group = Group.objects.get(name="Forecasting")
    assert set(group.user_set.values_list("username", flat=True)) == {"alice", "carol"}
    screenshot(page, "share-ux-group-390-dark")
    page.get_by_role("button", name="Remove carol").click()
    page.get_by_text("carol is no longer in Forecasting.").wait_for()
    assert set(group.user_set.values_list("username", flat=True)) == {"alice"}
    # carol, no longer a member, does not find the group.
    other = new_page()
    sign_in(other, "carol", PASSWORD)
    assert other.goto(f"/groups/{group.pk}/").status == 404


def test_a_signed_out_recipient_is_told_what_awaits(new_page, setting, bob):
    notebook = setting
    page = new_page(color_scheme="dark")
    page.set_viewport_size(PHONE)
    page.goto(notebook.get_absolute_url())
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Sign in to open a notebook shared with you")
    screenshot(page, "share-ux-sign-in-shared-390-dark")
