"""An administrator invites someone, who signs up, verifies the address and is then shared
with by that address, after the owner saw and confirmed who it matched, in Chromium."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from sharing.models import VerifiedEmail
from sharing.permissions import Access
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
User = get_user_model()


def test_invite_sign_up_verify_and_be_shared_with_by_address(
    new_page, admin_user_, alice, make_notebook, settings, mailoutbox
):
    settings.SIGNUP_ENABLED = True  # by invite only: no allowed domains
    settings.SIGNUP_EMAIL_DOMAINS = []

    # The administrator makes an invite for one address and copies its link.
    admin = new_page()
    sign_in(admin, "root", PASSWORD)
    admin.locator("summary", has_text="root").click()
    admin.get_by_role("link", name="Invites").click()
    admin.get_by_label("Email").fill("nina@corp.example")
    admin.locator("#id_note").fill("Nina, new analyst")
    admin.get_by_role("button", name="Create invite link").click()
    link = admin.locator("[data-invite-link]").input_value()
    assert "/accounts/invite/" in link
    screenshot(admin, "invites-new-link")
    admin.reload()
    assert admin.locator("[data-invite-link]").count() == 0  # shown once

    # A stranger without the link finds sign-up closed.
    stranger = new_page()
    stranger.goto("/accounts/signup/")
    stranger.get_by_role("heading", name="Sign-up needs an invite").wait_for()

    # Nina opens the link; an address-like username is refused.
    nina = new_page()
    nina.goto(link)
    nina.get_by_text("You were invited by root").wait_for()
    nina.get_by_label("Username").fill("nina@corp.example")
    nina.get_by_label("Password", exact=True).fill(PASSWORD)
    nina.get_by_label("Password confirmation").fill(PASSWORD)
    nina.get_by_role("button", name="Create account").click()
    nina.get_by_text("cannot contain “@”").first.wait_for()
    screenshot(nina, "signup-invite-refused-username")
    nina.get_by_label("Username").fill("nina")
    nina.get_by_label("Password", exact=True).fill(PASSWORD)
    nina.get_by_label("Password confirmation").fill(PASSWORD)
    nina.get_by_role("button", name="Create account").click()
    nina.get_by_role("heading", name="Check your e-mail").wait_for()
    screenshot(nina, "signup-check-email")
    assert not User.objects.get(username="nina").is_active

    # Until she verifies, she cannot sign in, and the invite link is spent.
    nina.goto("/accounts/login/")
    nina.get_by_label("Username").fill("nina")
    nina.get_by_label("Password").fill(PASSWORD)
    nina.get_by_role("button", name="Sign in").click()
    nina.get_by_text("do not match").wait_for()
    assert new_page().goto(link).status == 410

    # She opens the e-mailed link and confirms; then she signs in.
    verify = re.search(r"https?://\S+/accounts/verify/\S+/", mailoutbox[-1].body).group(0)
    assert mailoutbox[-1].to == ["nina@corp.example"]
    nina.goto(verify)
    screenshot(nina, "verify-confirm")
    nina.get_by_role("button", name="Confirm my address").click()
    nina.get_by_text("nina@corp.example is verified").wait_for()
    sign_in(nina, "nina", PASSWORD)
    assert VerifiedEmail.objects.filter(user__username="nina").exists()

    # alice shares by address: first an address nobody verified, then Nina's.
    notebook = make_notebook(alice, title="Retention")
    owner = new_page()
    sign_in(owner, "alice", PASSWORD)
    owner.goto(f"/n/{notebook.pk}/access/")
    owner.get_by_label("Person").fill("nobody@corp.example")
    owner.get_by_role("button", name="Share", exact=True).click()
    owner.get_by_text("No active account has verified the e-mail address").first.wait_for()
    owner.get_by_label("Person").fill("NINA@corp.example")
    owner.get_by_label("Role", exact=True).select_option("commenter")
    owner.get_by_role("button", name="Share", exact=True).click()
    matched = owner.locator('[data-matched="nina"]')
    matched.wait_for()
    assert "nina@corp.example" in matched.inner_text() and "verified" in matched.inner_text()
    assert Access(User.objects.get(username="nina")).role(notebook) is None
    screenshot(owner, "share-confirm")
    for scheme, width, name in (("dark", 1280, "share-confirm-dark"), ("light", 390, "phone")):
        other = new_page(color_scheme=scheme)
        other.set_viewport_size({"width": width, "height": 844})
        sign_in(other, "alice", PASSWORD)
        other.goto(f"/n/{notebook.pk}/access/")
        other.get_by_label("Person").fill("nina")
        other.get_by_role("button", name="Share", exact=True).click()
        other.locator('[data-matched="nina"]').wait_for()
        screenshot(other, f"share-confirm-{name}" if name == "phone" else name)
    owner.get_by_role("button", name="Share with nina").click()
    owner.get_by_text("nina now has the commenter role.").wait_for()
    assert Access(User.objects.get(username="nina")).role(notebook) == "commenter"
    nina.goto(f"/n/{notebook.pk}/")
    nina.get_by_role("heading", name="Retention").wait_for()
