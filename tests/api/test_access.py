"""The REST API's access endpoints: reading and replacing who may do what."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from sharing.grants import set_group_role, set_user_role
from tests.api.support import TokenClient, fresh_rate_limits, token_for  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_alice(alice, tmp_media) -> TokenClient:
    return TokenClient(token_for(alice))


# Access ----------------------------------------------------------------------------------


def test_reading_access_lists_people_and_groups(as_alice, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    set_user_role(notebook, bob, "editor")
    team = Group.objects.create(name="team")
    set_group_role(notebook, team, "viewer")
    assert as_alice.get(f"/notebooks/{notebook.pk}/access").json() == {
        "owner": "alice",
        "visibility": "private",
        "users": [{"username": "bob", "role": "editor"}],
        "groups": [{"id": team.pk, "name": "team", "role": "viewer"}],
    }


def test_replacing_access_grants_changes_and_removes(as_alice, alice, bob, carol, make_notebook):
    notebook = make_notebook(alice)
    set_user_role(notebook, bob, "editor")
    team = Group.objects.create(name="team")
    body = {
        "visibility": "org_view",
        "users": [{"username": "carol@example.com", "role": "commenter"}],
        "groups": [{"id": team.pk, "role": "editor"}],
    }
    response = as_alice.json("PUT", f"/notebooks/{notebook.pk}/access", body)
    assert response.status_code == 200
    assert response.json()["users"] == [{"username": "carol", "role": "commenter"}]
    assert response.json()["groups"] == [{"id": team.pk, "name": "team", "role": "editor"}]
    assert response.json()["visibility"] == "org_view"
    notebook.refresh_from_db()
    assert notebook.visibility == "org_view"
    bob_client = TokenClient(token_for(bob))
    assert bob_client.get(f"/notebooks/{notebook.pk}").json()["role"] == "viewer"  # org-wide


@pytest.mark.parametrize(
    ("users", "code"),
    [
        ([{"username": "nobody", "role": "viewer"}], "unknown_user"),
        ([{"username": "alice", "role": "viewer"}], "owner"),
        (
            [{"username": "bob", "role": "viewer"}, {"username": "bob", "role": "editor"}],
            "duplicate",
        ),
    ],
)
def test_a_refused_access_entry_changes_nothing(as_alice, alice, bob, make_notebook, users, code):
    notebook = make_notebook(alice)
    set_user_role(notebook, bob, "editor")
    body = {"visibility": "org_comment", "users": users}
    response = as_alice.json("PUT", f"/notebooks/{notebook.pk}/access", body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    after = as_alice.get(f"/notebooks/{notebook.pk}/access").json()
    assert after["visibility"] == "private"
    assert after["users"] == [{"username": "bob", "role": "editor"}]


def test_an_unknown_group_is_400(as_alice, alice, make_notebook):
    notebook = make_notebook(alice)
    body = {"visibility": "private", "groups": [{"id": 999, "role": "viewer"}]}
    response = as_alice.json("PUT", f"/notebooks/{notebook.pk}/access", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "groups.0"
