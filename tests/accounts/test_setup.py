"""The first administrator comes from `createsuperuser` or a one-time setup link, never from
being first to sign up; two people racing with one link cannot both win."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing.accounts import setup
from sharing.models import SetupToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def setup_url(raw: str) -> str:
    return reverse("sharing:setup", args=[raw])


def create_admin(client, raw, username="root"):
    data = {
        "username": username,
        "email": f"{username}@corp.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(setup_url(raw), data)


def test_the_command_prints_a_link_that_creates_the_administrator_once(client, capsys):
    call_command("setup_token", url="http://127.0.0.1:8123")
    out = capsys.readouterr().out
    raw = out.strip().rsplit("/setup/", 1)[1].rstrip("/")
    assert "http://127.0.0.1:8123/setup/" in out
    assert client.get(setup_url(raw)).status_code == 200
    response = create_admin(client, raw)
    assert response.status_code == 302
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff
    assert client.session["_auth_user_id"] == str(root.pk)
    # The link is spent, and the command says no link is needed any more
    assert create_admin(Client(), raw, "second").status_code == 410
    assert not User.objects.filter(username="second").exists()
    call_command("setup_token")
    assert "An administrator exists" in capsys.readouterr().out
    assert SetupToken.objects.filter(used_at__isnull=True).count() == 0


def test_a_new_token_replaces_the_old_one(client):
    old = setup.create_setup_token()
    new = setup.create_setup_token()
    assert create_admin(client, old).status_code == 410
    assert create_admin(client, new).status_code == 302


@pytest.mark.parametrize("mangle", [lambda r: r[:-1], lambda r: r.swapcase(), lambda r: "x" * 500])
def test_wrong_or_expired_tokens_create_nobody(client, mangle):
    raw = setup.create_setup_token()
    assert create_admin(client, mangle(raw)).status_code == 410
    SetupToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert create_admin(client, raw).status_code == 410
    assert not User.objects.exists()


def test_a_token_does_nothing_once_a_superuser_exists(client, admin_user_):
    raw = setup.create_setup_token()
    assert create_admin(client, raw, "intruder").status_code == 410
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_with_one_setup_link_make_one_administrator():
    raw = setup.create_setup_token()
    barrier = threading.Barrier(3)
    results = []

    def race(name):
        try:
            barrier.wait()
            results.append(create_admin(Client(), raw, name).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=race, args=(f"admin{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [302, 410, 410]
    assert User.objects.filter(is_superuser=True).count() == 1


def test_account_link_tokens_never_reach_the_request_log(client, caplog):
    raw = setup.create_setup_token()
    client.get(setup_url(raw[:-1] + "x"))  # refused (410), so Django logs the path
    client.get(reverse("sharing:signup-invite", args=[raw]))  # sign-up off: 404, logged
    assert "/setup/[redacted]/" in caplog.text
    assert raw[:-1] not in caplog.text
