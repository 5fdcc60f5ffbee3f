"""Sign-in and password pages (sign-up: tests/accounts/)."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_sign_out(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("sharing:dashboard")
    response = client.post(reverse("logout"))
    assert client.get(reverse("sharing:dashboard")).status_code == 302


def test_wrong_password_shows_an_error(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_password_reset_sends_a_mail(client, alice):
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["alice@example.com"]


def test_password_change(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much newer secret 42",
            "new_password2": "a much newer secret 42",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a much newer secret 42")
