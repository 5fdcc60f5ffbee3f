"""No username contains "@": refused everywhere one is made, and old ones renamed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserChangeForm
from django.core.management import CommandError, call_command
from django.urls import reverse

from sharing.accounts import invites
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
rename = importlib.import_module("sharing.migrations.0005_usernames_without_at").rename_usernames
ADDRESS_LIKE = [
    "dave@corp.example",
    "@dave",
    "dave@",
    "a@b@c",
    "\uff44ave@corp.example",  # a fullwidth d
    "dave\uff20corp.example",  # a fullwidth @, NFKC makes it "@"
]


@pytest.mark.parametrize("username", ADDRESS_LIKE)
def test_sign_up_refuses_an_address_like_username(client, settings, username):
    settings.SIGNUP_ENABLED = True
    url = reverse("sharing:signup-invite", args=[invites.create_invite(None).raw])
    data = {"username": username, "email": "x@example.com"}
    response = client.post(url, {**data, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 400
    assert "cannot contain “@”" in response.text
    assert not User.objects.filter(username=username).exists()


@pytest.mark.parametrize("username", ADDRESS_LIKE)
def test_the_admin_form_refuses_an_address_like_username(alice, username):
    form = UserChangeForm({"username": username, "date_joined": "2026-01-01 00:00"}, instance=alice)
    assert not form.is_valid()
    assert "username" in form.errors


def test_createsuperuser_refuses_an_address_like_username():
    with pytest.raises(CommandError, match="cannot contain"):
        call_command(
            "createsuperuser",
            interactive=False,
            username="root@corp.example",
            email="root@corp.example",
            verbosity=0,
        )
    assert not User.objects.exists()


def test_the_migration_renames_and_reports_address_like_usernames():
    # GIVEN accounts made before the rule (written straight to the table)
    User.objects.bulk_create(
        [
            User(username="dave@corp.example"),
            User(username="dave-at-corp.example"),  # the obvious new name is taken
            User(username="Erin@x"),
            User(username="plain"),
        ]
    )
    reported = []
    renamed = rename(apps, None, report=reported.append)
    assert renamed == [
        ("dave@corp.example", "dave-at-corp.example-2"),
        ("Erin@x", "Erin-at-x"),
    ]
    assert len(reported) == 2 and "dave@corp.example" in reported[0]
    names = set(User.objects.values_list("username", flat=True))
    assert names == {"dave-at-corp.example", "dave-at-corp.example-2", "Erin-at-x", "plain"}
    assert rename(apps, None, report=reported.append) == []  # nothing left to do
