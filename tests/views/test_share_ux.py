"""The Share page: one page for people, groups and links; roles that apply on choice; the
person search; copying a link again; the sign-in page of a shared notebook."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing import groups, links
from sharing.grants import grants, set_group_role, set_user_role
from sharing.models import ShareLink, ShareLinkEvent

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def notebook(alice, make_notebook):
    return make_notebook(alice, title="Churn model")


def share_url(notebook) -> str:
    return reverse("sharing:notebook-access", args=[notebook.pk])


def search(client, query: str):
    return client.get(reverse("sharing:people-search"), {"q": query}, **JSON)


def found(client, query: str) -> list[str]:
    response = search(client, query)
    assert response.status_code == 200
    return [person["username"] for person in response.json()["people"]]


def role_of(notebook, username: str) -> str | None:
    users, _ = grants(notebook)
    return next((g.role for g in users if g.holder.get_username() == username), None)


# One page ------------------------------------------------------------------------------------


def test_the_owner_sees_people_groups_and_links_on_one_page(client, alice, notebook):
    client.force_login(alice)
    page = client.get(share_url(notebook))
    assert page.status_code == 200
    for section in ['id="people"', 'id="groups"', 'id="everyone"', 'id="links"', 'id="activity"']:
        assert section in page.text
    assert "Create a link" in page.text


def test_an_editor_sees_only_the_links_sections(client, alice, bob, notebook):
    set_user_role(notebook, bob, "editor")
    client.force_login(bob)
    page = client.get(share_url(notebook))
    assert page.status_code == 200
    assert 'id="links"' in page.text and 'id="activity"' in page.text
    assert 'id="people"' not in page.text and "Add a person" not in page.text
    # ...and cannot change people even by posting.
    post = client.post(
        reverse("sharing:access-person", args=[notebook.pk]), {"who": "bob", "role": "viewer"}
    )
    assert post.status_code == 403


def test_a_viewer_gets_forbidden(client, bob, notebook):
    set_user_role(notebook, bob, "viewer")
    client.force_login(bob)
    assert client.get(share_url(notebook)).status_code == 403


def test_the_old_links_page_leads_to_the_links_section(client, alice, notebook):
    client.force_login(alice)
    response = client.get(reverse("sharing:notebook-links", args=[notebook.pk]))
    assert response.status_code == 302
    assert response.url == share_url(notebook) + "#links"


def test_the_notebook_page_has_one_share_button(client, alice, notebook):
    client.force_login(alice)
    page = client.get(notebook.get_absolute_url())
    assert page.text.count(f'href="{share_url(notebook)}"') == 1
    assert ">Share links<" not in page.text


# Roles apply on choice -----------------------------------------------------------------------


def test_a_role_change_applies_from_the_select_alone(client, alice, bob, notebook):
    set_user_role(notebook, bob, "viewer")
    client.force_login(alice)
    response = client.post(
        reverse("sharing:access-person", args=[notebook.pk]),
        {"who": "bob", "confirm_user": bob.pk, "role": "commenter"},
        **JSON,
    )
    assert response.status_code == 200
    assert response.json() == {"message": "bob now has the commenter role."}
    assert role_of(notebook, "bob") == "commenter"


def test_a_role_change_without_the_row_account_changes_nothing(client, alice, bob, notebook):
    set_user_role(notebook, bob, "viewer")
    client.force_login(alice)
    url = reverse("sharing:access-person", args=[notebook.pk])
    unconfirmed = client.post(url, {"who": "bob", "role": "editor"}, **JSON)
    assert unconfirmed.status_code == 400
    wrong_account = client.post(
        url, {"who": "bob", "confirm_user": alice.pk, "role": "editor"}, **JSON
    )
    assert wrong_account.status_code == 400
    assert "changed since you confirmed" in wrong_account.text
    bad_role = client.post(url, {"who": "bob", "confirm_user": bob.pk, "role": "owner"}, **JSON)
    assert bad_role.status_code == 400
    assert role_of(notebook, "bob") == "viewer"


def test_a_group_role_change_applies_on_choice(client, alice, notebook):
    team = groups.create_group("Data team", alice)
    set_group_role(notebook, team, "viewer")
    client.force_login(alice)
    response = client.post(
        reverse("sharing:access-group", args=[notebook.pk]),
        {"group": team.pk, "role": "editor"},
        **JSON,
    )
    assert response.status_code == 200
    assert grants(notebook)[1][0].role == "editor"


def test_without_javascript_the_change_button_still_posts(client, alice, bob, notebook):
    set_user_role(notebook, bob, "viewer")
    client.force_login(alice)
    page = client.get(share_url(notebook))
    assert "data-role-form" in page.text and "data-no-js-only>Change</button>" in page.text
    response = client.post(
        reverse("sharing:access-person", args=[notebook.pk]),
        {"who": "bob", "confirm_user": bob.pk, "role": "editor"},
    )
    assert response.status_code == 302
    assert role_of(notebook, "bob") == "editor"


# Person search -------------------------------------------------------------------------------


@pytest.fixture
def team(alice, bob):
    group = groups.create_group("Data team", alice)
    group.user_set.add(bob)
    return group


def test_the_search_finds_members_of_my_groups_only(client, alice, bob, carol, team):
    bob.first_name = "Roberta"
    bob.save()
    client.force_login(alice)
    assert found(client, "bo") == ["bob"]
    assert found(client, "Rob") == ["bob"]  # by first name too
    assert found(client, "ca") == []  # carol shares no group with alice
    assert found(client, "al") == []  # never oneself
    body = search(client, "bo").json()
    assert body == {"people": [{"username": "bob", "name": "Roberta"}]}
    assert "@" not in search(client, "bo").text  # no e-mail addresses


def test_an_outsider_finds_nobody(client, alice, bob, carol, team):
    client.force_login(carol)
    assert found(client, "al") == []
    assert found(client, "bo") == []


def test_everyone_is_found_when_the_site_says_so(client, settings, alice, carol, team):
    settings.PEOPLE_DIRECTORY = "everyone"
    client.force_login(carol)
    assert found(client, "al") == ["alice"]


def test_inactive_people_and_short_queries_find_nothing(client, alice, bob, team):
    client.force_login(alice)
    assert found(client, "b") == []
    bob.is_active = False
    bob.save()
    assert found(client, "bo") == []


def test_the_search_needs_a_signed_in_person(team):
    response = search(Client(), "bo")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_search_is_rate_limited(client, settings, alice, team):
    settings.RATE_LIMIT_PEOPLE = "3/m"
    client.force_login(alice)
    assert [search(client, "bo").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_person_field_asks_the_search(client, alice, notebook):
    client.force_login(alice)
    page = client.get(share_url(notebook))
    assert f'data-people-search="{reverse("sharing:people-search")}"' in page.text
    assert 'list="person-options"' in page.text


# Copying a link again ------------------------------------------------------------------------


def shown_token(response) -> str:
    match = re.search(r'id="new-link-url" value="[^"]*/l/([A-Za-z0-9_-]{43})/"', response.text)
    assert match, "no link address on the page"
    return match[1]


def test_a_live_link_can_be_copied_again_with_a_new_address(client, alice, bob, notebook):
    client.force_login(alice)
    created = client.post(
        reverse("sharing:share-link-create", args=[notebook.pk]),
        {"role": "viewer", "expires": "1d", "label": "Board", "follow": "latest"},
        follow=True,
    )
    first = shown_token(created)
    link = ShareLink.objects.get()
    # bob opens it before the address changes.
    guest = Client()
    guest.force_login(bob)
    assert guest.get(reverse("sharing:share-link-open", args=[first])).status_code == 302
    # The page no longer shows the address...
    assert 'id="new-link-url"' not in client.get(share_url(notebook)).text
    # ...until the owner asks for it again.
    again = client.post(
        reverse("sharing:share-link-reissue", args=[notebook.pk, link.pk]), follow=True
    )
    second = shown_token(again)
    assert second != first
    assert links.find(first) is None
    assert links.find(second).pk == link.pk
    assert ShareLinkEvent.objects.filter(link=link, kind="reissued", actor=alice).exists()
    # bob, who came through the old address, still reads the notebook.
    assert guest.get(notebook.get_absolute_url()).status_code == 200
    # Settings and counts are kept.
    link.refresh_from_db()
    assert (link.label, link.role, link.use_count) == ("Board", "viewer", 1)


def test_an_ended_link_cannot_be_copied_again(client, alice, notebook):
    link, _token = links.create_link(notebook, alice, expires_at=timezone.now() + timedelta(days=1))
    links.revoke(link, alice)
    client.force_login(alice)
    response = client.post(
        reverse("sharing:share-link-reissue", args=[notebook.pk, link.pk]), follow=True
    )
    assert "has ended: create a new link instead" in response.text
    assert 'id="new-link-url"' not in response.text
    assert not ShareLinkEvent.objects.filter(kind="reissued").exists()


def test_only_editors_copy_links_again(client, alice, bob, notebook):
    link, token = links.create_link(notebook, alice, expires_at=timezone.now() + timedelta(days=1))
    set_user_role(notebook, bob, "viewer")
    client.force_login(bob)
    url = reverse("sharing:share-link-reissue", args=[notebook.pk, link.pk])
    assert client.post(url).status_code == 403
    assert links.find(token).pk == link.pk


# Signing in to a shared notebook -------------------------------------------------------------


@pytest.mark.parametrize("next_url", ["/n/12/", "/l/abc/"])
def test_sign_in_says_a_notebook_is_waiting(client, next_url):
    page = client.get(reverse("login"), {"next": next_url})
    assert "Sign in to open a notebook shared with you" in page.text


def test_a_plain_sign_in_page_says_only_sign_in(client):
    page = client.get(reverse("login"), {"next": "/settings/tokens/"})
    assert "shared with you" not in page.text
    assert "<h1>Sign in</h1>" in page.text


def test_a_signed_out_recipient_is_sent_to_the_shared_sign_in(client, alice, notebook):
    response = client.get(notebook.get_absolute_url(), follow=True)
    assert "Sign in to open a notebook shared with you" in response.text
