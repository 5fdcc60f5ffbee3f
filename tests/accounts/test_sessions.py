"""Sessions stored with their person: one query for both, and every check Django makes on a
session still made."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharing.accounts.leavers import end_sessions
from sharing.models import UserSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKENS_PAGE = reverse("sharing:api-tokens")


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def row_of(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def test_signing_in_stores_the_person_beside_the_session(alice):
    client = signed_in("alice")
    row = row_of(client)
    assert row.user_id == alice.pk
    assert row.get_decoded()[SESSION_KEY] == str(alice.pk)


def test_the_session_and_its_person_are_read_in_one_query(alice):
    client = signed_in("alice")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(TOKENS_PAGE)
    assert response.status_code == 200 and response.context["user"] == alice
    reading_person = [q["sql"] for q in queries if '"auth_user"' in q["sql"]]
    assert len(reading_person) == 1, reading_person
    assert '"sharing_usersession"' in reading_person[0]


def test_an_anonymous_session_names_nobody():
    client = Client()
    session = client.session
    session["seen"] = True
    session.save()
    assert row_of(client).user_id is None
    assert client.get(TOKENS_PAGE).status_code == 302  # sign-in first


def test_signing_in_as_someone_else_in_the_same_browser_moves_the_row(alice, bob):
    client = signed_in("alice")
    first_key = client.session.session_key
    client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert client.session.session_key != first_key
    assert row_of(client).user_id == bob.pk
    assert client.get(TOKENS_PAGE).context["user"] == bob


def test_a_deactivated_person_is_signed_out_at_the_next_request(alice):
    client = signed_in("alice")
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)  # no signal: the read itself
    response = client.get(TOKENS_PAGE)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_password_changed_elsewhere_ends_the_session(alice):
    client = signed_in("alice")
    alice.set_password("another long passphrase entirely")
    alice.save()
    response = client.get(TOKENS_PAGE)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_signed_data_decides_who_is_signed_in_not_the_column(alice, bob):
    client = signed_in("bob")
    UserSession.objects.filter(session_key=client.session.session_key).update(user=alice)
    assert client.get(TOKENS_PAGE).context["user"] == bob


def test_a_persons_sessions_end_together_and_with_their_account(alice, bob):
    first, second, other = signed_in("alice"), signed_in("alice"), signed_in("bob")
    assert end_sessions(alice) == 2
    assert client_is_signed_out(first) and client_is_signed_out(second)
    assert not client_is_signed_out(other)
    bob.delete()
    assert not UserSession.objects.exists()


def client_is_signed_out(client: Client) -> bool:
    return client.get(TOKENS_PAGE).status_code == 302
