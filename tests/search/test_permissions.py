"""Who finds a notebook: the search matrix (pages and API), on both databases.

GIVEN a private notebook with a unique word, shared with every kind of actor
WHEN each actor searches for the word
THEN exactly those who may read it now find it: nothing is remembered from before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from sharing import links
from sharing.grants import set_group_role, set_user_role
from sharing.ingest import Upload
from sharing.models import Notebook
from sharing.notebooks import add_version
from tests.api.support import TokenClient, token_for
from tests.conftest import notebook_bytes
from tests.matrix import make_people
from tests.search.conftest import comment_on, every_part_bytes

pytestmark = pytest.mark.django_db

ACTORS = (
    "owner",
    "viewer",
    "group_viewer",
    "link_holder",
    "outsider",
    "removed",
    "group_removed",
    "deactivated",
    "superuser",
)
FINDS = {
    "owner": True,
    "viewer": True,
    "group_viewer": True,
    "link_holder": True,
    "outsider": False,
    "removed": False,
    "group_removed": False,
    "deactivated": False,
    "superuser": True,
}


@pytest.fixture
def world(make_user, make_notebook):
    people = make_people(make_user, ACTORS)
    notebook = make_notebook(people["owner"], every_part_bytes(), title="Armadillo analysis")
    set_user_role(notebook, people["viewer"], "viewer")
    team = Group.objects.create(name="team")
    team.user_set.add(people["group_viewer"])
    set_group_role(notebook, team, "viewer")
    # Access granted, then taken away just before the search.
    set_user_role(notebook, people["removed"], "viewer")
    leavers = Group.objects.create(name="leavers")
    leavers.user_set.add(people["group_removed"])
    set_group_role(notebook, leavers, "viewer")
    set_user_role(notebook, people["deactivated"], "viewer")
    _, token = links.create_link(
        notebook, people["owner"], expires_at=timezone.now() + timedelta(days=1)
    )
    return people, notebook, token


def _revoke_and_deactivate(people, notebook) -> None:
    set_user_role(notebook, people["removed"], None)
    leavers = Group.objects.get(name="leavers")
    leavers.user_set.remove(people["group_removed"])
    people["deactivated"].is_active = False
    people["deactivated"].save()


def _page_client(people, actor, token) -> Client:
    client = Client()
    client.force_login(people[actor])
    if actor == "link_holder":
        assert client.get(f"/l/{token}/").status_code in (200, 302)
    return client


@pytest.mark.parametrize("actor", ACTORS)
def test_search_page_shows_the_notebook_only_to_those_who_may_read_it(world, actor):
    people, notebook, token = world
    client = _page_client(people, actor, token)
    # Each actor could find it before access changed (except the outsiders).
    before = client.get("/search/", {"q": "marmalade"})
    _revoke_and_deactivate(people, notebook)
    after = client.get("/search/", {"q": "marmalade"})
    if actor == "deactivated":
        assert after.status_code in (302, 200)
    else:
        assert after.status_code == 200
    shown = notebook.get_absolute_url() + "#cell-md-cell" in after.content.decode()
    assert shown is FINDS[actor]
    if actor in ("removed", "group_removed"):  # it really was found a moment ago
        assert notebook.get_absolute_url() + "#cell-md-cell" in before.content.decode()


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "link_holder"])
def test_search_api_returns_the_notebook_only_to_those_who_may_read_it(world, actor):
    people, notebook, _token = world
    raw = token_for(people[actor])
    _revoke_and_deactivate(people, notebook)
    response = TokenClient(raw).get("/search", q="marmalade")
    if actor == "deactivated":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = [hit["notebook_id"] for hit in response.json()["results"]]
    assert (notebook.pk in ids) is FINDS[actor]


def test_an_org_wide_notebook_is_found_by_everyone_signed_in(world):
    people, notebook, _token = world
    Notebook.objects.filter(pk=notebook.pk).update(visibility=Notebook.Visibility.ORG_VIEW)
    client = Client()
    client.force_login(people["outsider"])
    assert notebook.get_absolute_url() in client.get("/search/", {"q": "walrus"}).content.decode()


def test_a_revoked_share_link_stops_finding_at_the_next_search(world):
    people, notebook, token = world
    client = _page_client(people, "link_holder", token)
    url = notebook.get_absolute_url() + "#cell-md-cell"
    assert url in client.get("/search/", {"q": "marmalade"}).content.decode()
    links.revoke(notebook.share_links.get(), people["owner"])
    assert url not in client.get("/search/", {"q": "marmalade"}).content.decode()


def test_a_link_pinned_to_an_old_version_finds_only_that_version(alice, carol, every_part):
    first = every_part.latest_version
    comment_on(every_part, alice, "the pangolin question")
    add_version(every_part, alice, Upload.from_bytes("b.ipynb", notebook_bytes(title="later")))
    _, token = links.create_link(
        every_part, alice, expires_at=timezone.now() + timedelta(days=1), pinned_version=first
    )
    client = Client()
    client.force_login(carol)
    client.get(f"/l/{token}/")
    # The pinned version's cell is found, though it is no longer the latest.
    assert "#cell-md-cell" in client.get("/search/", {"q": "marmalade"}).content.decode()
    assert every_part.get_absolute_url() in search_html(client, "armadillo")
    # Comments belong to the notebook's threads, which a pinned link does not show.
    assert every_part.get_absolute_url() not in search_html(client, "pangolin")
    assert every_part.get_absolute_url() in search_html(Client(), "pangolin", alice)


def search_html(client, text, user=None) -> str:
    if user is not None:
        client.force_login(user)
    return client.get("/search/", {"q": text}).content.decode()
