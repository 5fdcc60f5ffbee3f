"""Inviting someone without an account to a notebook by e-mail: a one-time link for that
address, which expires and, once the account exists, grants the role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing.accounts import invites, verification
from sharing.grants import grants, set_user_role
from sharing.models import Invite
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
DORA = "dora@elsewhere.example"


@pytest.fixture
def signup_on(settings):
    settings.SIGNUP_ENABLED = True
    settings.SIGNUP_EMAIL_DOMAINS = []
    return settings


@pytest.fixture
def notebook(alice, make_notebook):
    return make_notebook(alice, title="Churn model")


def share(client, notebook, who: str, role: str = "commenter"):
    return client.post(
        reverse("sharing:access-person", args=[notebook.pk]), {"who": who, "role": role}
    )


def invite(client, notebook, email: str = DORA, role: str = "commenter"):
    return client.post(
        reverse("sharing:access-invite", args=[notebook.pk]),
        {"email": email, "role": role},
        follow=True,
    )


def mailed_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/accounts/invite/[^/\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match[1]


def sign_up(url: str, username: str = "dora", email: str = DORA):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return Client().post(url, data)


def role_of(notebook, username: str) -> str | None:
    users, _ = grants(notebook)
    return next((g.role for g in users if g.holder.get_username() == username), None)


def test_an_unknown_address_is_offered_an_invitation(client, signup_on, alice, notebook):
    client.force_login(alice)
    page = share(client, notebook, DORA)
    assert page.status_code == 400
    assert "data-invite-offer" in page.text
    assert f"Invite {DORA}" in page.text
    assert Invite.objects.count() == 0  # nothing until the owner says so
    # A username that matches nobody is not offered an invitation.
    assert "data-invite-offer" not in share(client, notebook, "nobody").text


def test_the_invitation_is_mailed_and_grants_the_role_on_sign_up(
    client, signup_on, alice, notebook
):
    client.force_login(alice)
    page = invite(client, notebook)
    assert f"Invitation sent to {DORA}." in page.text
    assert f'data-invite="{DORA}"' in page.text  # listed on the Share page while pending
    message = mail.outbox[0]
    assert message.to == [DORA]
    assert "alice shared “Churn model” with you" in message.subject
    assert "as commenter" in message.body
    record = Invite.objects.get()
    assert (record.notebook, record.role, record.email) == (notebook, "commenter", DORA)
    assert record.expires_at > timezone.now() + timedelta(days=13)
    url = mailed_link()
    # The sign-up page says what awaits.
    assert "you can open “Churn model” as commenter" in Client().get(url).text
    assert sign_up(url).status_code == 302
    dora = User.objects.get(username="dora")
    assert role_of(notebook, "dora") == "commenter"
    record.refresh_from_db()
    assert record.used_by == dora
    # Once her address is verified she signs in and the notebook is hers to read.
    verification.verify(verification.make_token(dora))
    reader = Client()
    assert reader.login(username="dora", password=PASSWORD)
    assert reader.get(notebook.get_absolute_url()).status_code == 200
    # The link works once.
    assert sign_up(url, username="dora2").status_code == 410


def test_only_the_invited_address_may_use_it(client, signup_on, alice, notebook):
    client.force_login(alice)
    invite(client, notebook)
    response = sign_up(mailed_link(), username="mallory", email="mallory@elsewhere.example")
    assert response.status_code == 400
    assert "This invite is for another e-mail address." in response.text
    assert not User.objects.filter(username="mallory").exists()
    assert role_of(notebook, "mallory") is None


def test_an_expired_invitation_grants_nothing(client, signup_on, alice, notebook):
    client.force_login(alice)
    invite(client, notebook)
    Invite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = sign_up(mailed_link())
    assert response.status_code == 410
    assert not User.objects.filter(username="dora").exists()
    assert (
        f'data-invite="{DORA}"'
        not in client.get(reverse("sharing:notebook-access", args=[notebook.pk])).text
    )


def test_a_revoked_invitation_grants_nothing(client, signup_on, alice, notebook):
    client.force_login(alice)
    invite(client, notebook)
    record = Invite.objects.get()
    client.post(reverse("sharing:access-invite-revoke", args=[notebook.pk, record.pk]))
    assert sign_up(mailed_link()).status_code == 410


def test_if_the_sender_can_no_longer_share_the_role_is_not_granted(
    client, signup_on, alice, bob, make_notebook
):
    notebook = make_notebook(bob, title="Bob's")
    set_user_role(notebook, alice, "editor")
    new = invites.create_invite(alice, email=DORA, notebook=notebook, role="viewer")
    url = reverse("sharing:signup-invite", args=[new.raw])
    assert sign_up(url).status_code == 302  # the account is made...
    assert role_of(notebook, "dora") is None  # ...but alice may not share bob's notebook


def test_invitations_need_sign_up_on(client, settings, alice, notebook):
    settings.SIGNUP_ENABLED = False
    client.force_login(alice)
    page = invite(client, notebook)
    assert "Invitations are turned off on this site" in page.text
    assert not mail.outbox and not Invite.objects.exists()


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("not-an-address", "viewer", "Enter a valid e-mail address."),
        (DORA, "owner", "Choose a role."),
        ("bob@example.com", "viewer", "An account uses this address"),
    ],
)
def test_bad_invitations_are_refused(client, signup_on, alice, bob, notebook, email, role, message):
    client.force_login(alice)
    page = invite(client, notebook, email=email, role=role)
    assert message in page.text
    assert not mail.outbox and not Invite.objects.exists()


def test_one_pending_invitation_per_address(client, signup_on, alice, notebook):
    client.force_login(alice)
    invite(client, notebook)
    page = invite(client, notebook)
    assert "is already invited" in page.text
    assert Invite.objects.count() == 1 and len(mail.outbox) == 1


def test_only_the_owner_invites(client, signup_on, alice, bob, notebook):
    set_user_role(notebook, bob, "editor")
    client.force_login(bob)
    response = client.post(
        reverse("sharing:access-invite", args=[notebook.pk]), {"email": DORA, "role": "viewer"}
    )
    assert response.status_code == 403
    assert not Invite.objects.exists()


def test_invitations_are_rate_limited(client, signup_on, settings, alice, notebook):
    settings.RATE_LIMIT_INVITE = "2/d"
    client.force_login(alice)
    statuses = [
        client.post(
            reverse("sharing:access-invite", args=[notebook.pk]),
            {"email": f"person{i}@elsewhere.example", "role": "viewer"},
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Invite.objects.count() == 2
