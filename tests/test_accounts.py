"""Sign-up, sign-in and password pages."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SIGNUP = reverse("sharing:signup")


def signup(client, username, email=None):
    return client.post(
        SIGNUP,
        {
            "username": username,
            "email": email or f"{username}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_first_account_becomes_superuser_and_later_ones_do_not(client):
    assert signup(client, "founder").status_code == 302
    client.logout()
    assert signup(client, "second").status_code == 302
    users = {u.username: u for u in get_user_model().objects.all()}
    assert users["founder"].is_superuser and users["founder"].is_staff
    assert not users["second"].is_superuser and not users["second"].is_staff


def test_signup_signs_the_person_in(client):
    signup(client, "dana")
    response = client.get(reverse("sharing:dashboard"))
    assert response.status_code == 200
    assert response.context["user"].username == "dana"


def test_signup_refuses_a_taken_email(client, alice):
    response = signup(client, "alice2", email="ALICE@example.com")
    assert response.status_code == 200
    assert "An account with this e-mail address exists." in response.content.decode()


def test_signup_can_be_turned_off(client, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get(SIGNUP).status_code == 404
    assert signup(client, "eve").status_code == 404
    assert not get_user_model().objects.filter(username="eve").exists()


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
