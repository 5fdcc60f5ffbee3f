"""Leavers: deactivating a person (the admin, ``manage.py deactivate``, the provider refusing
them, covered in tests/e2e/test_sso.py) ends their sessions, API tokens and share links at
their next request."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing import links, tokens
from sharing.grants import set_user_role
from sharing.links import State
from sharing.models import ShareLink, UserSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _sessions_of(user) -> int:
    return sum(
        1
        for session in UserSession.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    )


def _deactivate_in_admin(admin_client, user) -> None:
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("is_active", "groups", "user_permissions")
    }
    data.update(
        {
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def admin_client_(admin_user_):
    return _signed_in("root")


@pytest.mark.parametrize("how", ["command", "admin"])
def test_deactivation_ends_sessions_tokens_and_links(
    how, alice, bob, carol, admin_user_, make_notebook
):
    notebook = make_notebook(alice, title="Plans")
    set_user_role(notebook, bob, "editor")
    link, raw_link = links.create_link(notebook, bob, expires_at=timezone.now() + timedelta(days=1))
    raw_token = tokens.create_token(bob, "ci", expires_days=30).raw
    browser, laptop = _signed_in("bob"), _signed_in("bob")
    guest = _signed_in("carol")
    assert guest.get(f"/l/{raw_link}/").status_code == 302  # carol comes in through bob's link
    assert guest.get(notebook.get_absolute_url()).status_code == 200
    api = Client(headers={"Authorization": f"Bearer {raw_token}"})
    assert api.get("/api/v1/me").status_code == 200
    assert _sessions_of(bob) == 2

    if how == "command":
        call_command("deactivate", "bob", stdout=io.StringIO())
    else:
        _deactivate_in_admin(_signed_in("root"), bob)

    bob.refresh_from_db()
    assert not bob.is_active
    assert _sessions_of(bob) == 0
    for client in (browser, laptop):
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert api.get("/api/v1/me").status_code == 401
    assert bob.api_tokens.get().revoked_at is not None
    assert links.state(links.find_by_pk(link.pk)) == State.ORPHANED
    assert links.STATE_LABELS[State.ORPHANED] == "creator lost access"
    gone = guest.get(notebook.get_absolute_url())
    assert gone.status_code == 410
    assert "no longer works" in gone.content.decode()
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None  # ended, as "creator lost access"
    assert _sessions_of(carol) == 1 and _sessions_of(alice) == 0


def test_other_saves_of_a_deactivated_person_change_nothing(bob):
    bob.is_active = False
    bob.save()
    raw = tokens.create_token(bob, "later", expires_days=1).raw  # made by an admin script
    bob.first_name = "Bob"
    bob.save()
    assert tokens.authenticate(raw) is None  # refused: the person is inactive
    assert bob.api_tokens.get().revoked_at is None  # and not revoked by a mere save


def test_deactivate_command_names_every_account_first(alice, bob):
    with pytest.raises(CommandError, match="nobody"):
        call_command("deactivate", "alice", "nobody")
    alice.refresh_from_db()
    assert alice.is_active  # nothing was changed


def test_deactivate_command_says_when_already_done(bob, capsys):
    call_command("deactivate", "bob")
    call_command("deactivate", "bob")
    out = capsys.readouterr().out
    assert "Deactivated bob." in out and "bob was already deactivated." in out
