"""Trusted-header sign-in: honoured only on connections from the configured proxy."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
PROXY = "192.0.2.1"  # documentation addresses: only ever a value here, no traffic
HEADER = {"X-Forwarded-User": "bob"}


@pytest.fixture
def trusted(settings):
    settings.TRUSTED_HEADER = "X-Forwarded-User"
    settings.TRUSTED_HEADER_PROXIES = [PROXY, "198.51.100.0/24"]


def _dashboard(remote_addr: str, headers=HEADER, client=None):
    client = client or Client(REMOTE_ADDR=remote_addr)
    return client.get("/", headers=headers, REMOTE_ADDR=remote_addr)


def test_header_from_the_proxy_signs_in(trusted, bob):
    response = _dashboard(PROXY)
    assert response.status_code == 200
    assert response.context["user"] == bob
    assert _dashboard("198.51.100.7").context["user"] == bob  # a network may be listed


@pytest.mark.parametrize("address", ["192.0.2.2", "127.0.0.1", "::1", "", "not-an-address"])
def test_header_from_anywhere_else_is_ignored(trusted, bob, address):
    response = _dashboard(address)
    assert response.status_code == 302  # to the sign-in page


def test_forwarded_for_does_not_make_a_proxy(trusted, bob):
    response = _dashboard("192.0.2.10", headers={**HEADER, "X-Forwarded-For": PROXY})
    assert response.status_code == 302


def test_off_by_default(settings, bob):
    assert settings.TRUSTED_HEADER == ""
    settings.TRUSTED_HEADER_PROXIES = [PROXY]
    assert _dashboard(PROXY).status_code == 302


def test_unknown_names_get_an_account_without_password(trusted):
    response = _dashboard(PROXY, headers={"X-Forwarded-User": "newcomer"})
    assert response.status_code == 200
    user = get_user_model().objects.get(username="newcomer")
    assert not user.has_usable_password()


def test_no_accounts_made_when_told_not_to(trusted, settings):
    settings.TRUSTED_HEADER_CREATE_USERS = False
    assert _dashboard(PROXY, headers={"X-Forwarded-User": "newcomer"}).status_code == 302
    assert not get_user_model().objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("value", ["someone@example.com", "", " ", "x" * 151])
def test_values_that_are_no_username_are_refused(trusted, value):
    assert _dashboard(PROXY, headers={"X-Forwarded-User": value}).status_code == 302
    assert not get_user_model().objects.exclude(username="").exists()


def test_deactivated_people_are_refused(trusted, bob):
    bob.is_active = False
    bob.save()
    assert _dashboard(PROXY).status_code == 302


def test_the_session_ends_when_the_header_does(trusted, bob):
    client = Client()
    assert _dashboard(PROXY, client=client).status_code == 200
    assert _dashboard(PROXY, headers={}, client=client).status_code == 302
    # and a header-made session is not carried to another address either
    assert _dashboard(PROXY, client=client).status_code == 200
    assert _dashboard("192.0.2.10", client=client).status_code == 302


def test_another_name_from_the_proxy_replaces_the_person(trusted, bob, carol):
    client = Client()
    assert _dashboard(PROXY, client=client).context["user"] == bob
    response = _dashboard(PROXY, headers={"X-Forwarded-User": "carol"}, client=client)
    assert response.context["user"] == carol
