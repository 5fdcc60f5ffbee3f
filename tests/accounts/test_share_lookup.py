"""Sharing names people unambiguously: an address matches only the account that verified it,
never a username; the Share page shows who was matched before it grants anything."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from sharing.models import VerifiedEmail
from sharing.permissions import Access
from tests.api.support import TokenClient, fresh_rate_limits, token_for  # noqa: F401
from tests.conftest import grant_rows

pytestmark = pytest.mark.django_db
User = get_user_model()
ADDRESS = "dave@corp.example"


@pytest.fixture
def squatter():
    """An account named like an address, as could exist before the rule (bypassing forms)."""
    return User.objects.create_user(ADDRESS, "squatter@evil.example", "x")


@pytest.fixture
def dave(make_user):
    """The real dave, who owns and verified the address."""
    user = make_user("dave", verified=False)
    user.email = ADDRESS
    user.save()
    VerifiedEmail.objects.create(user=user, email=ADDRESS)
    return user


def share(client, notebook, who, role="viewer", **extra):
    url = reverse("sharing:access-person", args=[notebook.pk])
    return client.post(url, {"who": who, "role": role, **extra})


@pytest.mark.parametrize("who", [ADDRESS, ADDRESS.upper(), f"  {ADDRESS}  ", "Dave@Corp.Example"])
def test_an_address_matches_the_account_that_verified_it_not_a_lookalike_username(
    client, alice, make_notebook, squatter, dave, who
):
    notebook = make_notebook(alice)
    client.force_login(alice)
    response = share(client, notebook, who)
    assert response.status_code == 200
    assert 'data-matched="dave"' in response.text
    assert Access(squatter).role(notebook) is None and Access(dave).role(notebook) is None
    response = share(client, notebook, who, confirm_user=dave.pk)
    assert response.status_code == 302
    assert Access(dave).role(notebook) == "viewer"
    assert Access(squatter).role(notebook) is None


def test_an_unverified_address_matches_nobody(client, alice, make_notebook, squatter, make_user):
    # GIVEN the address's real holder has not verified it, and a squatter typed it as theirs
    real = make_user("real", verified=False)
    real.email = ADDRESS
    real.save()
    squatter.email = ADDRESS
    squatter.save()
    notebook = make_notebook(alice)
    client.force_login(alice)
    before = grant_rows(notebook)
    for who in (ADDRESS, ADDRESS.upper()):
        response = share(client, notebook, who)
        assert response.status_code == 400
        assert "No active account has verified the e-mail address" in response.text
        for person in (real, squatter):
            assert share(client, notebook, who, confirm_user=person.pk).status_code == 400
    assert grant_rows(notebook) == before


def test_a_verified_address_the_account_no_longer_has_matches_nobody(
    client, alice, make_notebook, dave
):
    dave.email = "dave@new.example"
    dave.save()
    notebook = make_notebook(alice)
    client.force_login(alice)
    assert share(client, notebook, ADDRESS).status_code == 400


def test_the_confirm_page_shows_name_username_and_address(client, alice, make_notebook, dave):
    dave.first_name, dave.last_name = "Dave", "Lister"
    dave.save()
    notebook = make_notebook(alice)
    client.force_login(alice)
    page = share(client, notebook, ADDRESS, role="editor").text
    for shown in ("Dave Lister", "<dd>dave</dd>", ADDRESS, "verified", "editor"):
        assert shown in page


def test_a_confirmation_for_another_account_grants_nothing(client, alice, bob, make_notebook, dave):
    # GIVEN alice saw "dave" matched, but the form comes back naming bob's id
    notebook = make_notebook(alice)
    client.force_login(alice)
    response = share(client, notebook, ADDRESS, confirm_user=bob.pk)
    assert response.status_code == 400
    assert "has changed since you confirmed" in response.text
    assert Access(bob).role(notebook) is None and Access(dave).role(notebook) is None


@pytest.mark.parametrize("confirm", ["x", "1e3", "-1", "99999999999999999999999"])
def test_a_malformed_confirmation_is_refused(client, alice, bob, make_notebook, confirm):
    notebook = make_notebook(alice)
    client.force_login(alice)
    assert share(client, notebook, "bob", confirm_user=confirm).status_code == 400
    assert Access(bob).role(notebook) is None


def test_usernames_match_whatever_their_case_but_exact_wins(
    client, alice, make_notebook, make_user
):
    upper, lower = make_user("Zed", verified=False), make_user("zed")
    notebook = make_notebook(alice)
    client.force_login(alice)
    assert 'data-matched="Zed"' in share(client, notebook, "Zed").text
    assert 'data-matched="zed"' in share(client, notebook, "zed").text
    response = share(client, notebook, "ZED")
    assert response.status_code == 400
    assert "More than one account matches" in response.text
    assert Access(upper).role(notebook) is None and Access(lower).role(notebook) is None


def test_transfer_to_an_unverified_address_is_refused(client, alice, make_notebook, make_user):
    real = make_user("real", verified=False)
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:notebook-transfer", args=[notebook.pk])
    assert client.post(url, {"who": real.email, "confirm": "on"}).status_code == 400
    notebook.refresh_from_db()
    assert notebook.owner == alice


def test_the_api_follows_the_same_rule(alice, make_notebook, squatter, make_user):
    real = make_user("real", verified=False)
    real.email = ADDRESS
    real.save()
    notebook = make_notebook(alice)
    api = TokenClient(token_for(alice))
    body = {"visibility": "private", "users": [{"username": ADDRESS, "role": "editor"}]}
    response = api.json("PUT", f"/notebooks/{notebook.pk}/access", body)
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_user"
    assert Access(squatter).role(notebook) is None and Access(real).role(notebook) is None
    # Once the real holder verifies, the same request reaches them and only them
    VerifiedEmail.objects.create(user=real, email=ADDRESS)
    response = api.json("PUT", f"/notebooks/{notebook.pk}/access", body)
    assert response.status_code == 200
    assert response.json()["users"] == [{"username": "real", "role": "editor"}]
    assert Access(squatter).role(notebook) is None
