"""Groups in the app: anyone signed in creates one and owns it; owners (and staff) add and
remove members; members only look; everyone else gets 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from sharing import groups
from sharing.accounts.models import GroupOwner

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(alice, bob):
    group = groups.create_group("Data team", alice)
    group.user_set.add(bob)
    return group


def detail(group) -> str:
    return reverse("sharing:group-detail", args=[group.pk])


def add(group) -> str:
    return reverse("sharing:group-add-member", args=[group.pk])


def remove(group, person) -> str:
    return reverse("sharing:group-remove-member", args=[group.pk, person.pk])


def owner(group, person) -> str:
    return reverse("sharing:group-make-owner", args=[group.pk, person.pk])


def members(group) -> set[str]:
    return set(group.user_set.values_list("username", flat=True))


def test_creating_a_group_makes_its_creator_owner_and_member(client, alice):
    client.force_login(alice)
    response = client.post(reverse("sharing:group-create"), {"name": "  Forecasting   team "})
    group = Group.objects.get(name="Forecasting team")
    assert response.status_code == 302
    assert response.url == detail(group)
    assert members(group) == {"alice"}
    assert list(groups.owners(group)) == [alice]
    page = client.get(detail(group))
    assert "Owned by <strong>alice</strong>" in page.text
    listing = client.get(reverse("sharing:groups"))
    assert 'data-group="Forecasting team"' in listing.text
    assert "badge-owner" in listing.text


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Give the group a name."), ("   ", "Give the group a name."), ("x" * 151, "At most")],
)
def test_a_group_needs_a_name(client, alice, name, message):
    client.force_login(alice)
    response = client.post(reverse("sharing:group-create"), {"name": name})
    assert response.status_code == 400
    assert message in response.text
    assert not Group.objects.exists()


def test_a_taken_name_is_refused_and_nothing_changes(client, alice, bob, team):
    client.force_login(bob)
    response = client.post(reverse("sharing:group-create"), {"name": "Data team"})
    assert response.status_code == 400
    assert "exists already" in response.text
    assert Group.objects.count() == 1
    assert not GroupOwner.objects.filter(user=bob).exists()


def test_the_owner_adds_a_member_by_name(client, alice, carol, team):
    client.force_login(alice)
    response = client.post(add(team), {"who": "carol"})
    assert response.status_code == 302
    assert members(team) == {"alice", "bob", "carol"}
    again = client.post(add(team), {"who": "carol"}, follow=True)
    assert "was already in Data team" in again.text


def test_an_unknown_name_is_a_clear_error(client, alice, team):
    client.force_login(alice)
    response = client.post(add(team), {"who": "nobody-here"})
    assert response.status_code == 400
    assert "No active account has the username" in response.text
    assert members(team) == {"alice", "bob"}


def test_the_owner_removes_a_member(client, alice, bob, team):
    client.force_login(alice)
    response = client.post(remove(team, bob))
    assert response.status_code == 302
    assert members(team) == {"alice"}


def test_the_last_owner_cannot_leave(client, alice, bob, team):
    client.force_login(alice)
    response = client.post(remove(team, alice))
    assert response.status_code == 400
    assert "A group needs an owner" in response.text
    assert members(team) == {"alice", "bob"}
    # With a second owner, the first may go.
    assert client.post(owner(team, bob)).status_code == 302
    assert client.post(remove(team, alice)).status_code == 302
    assert members(team) == {"bob"}
    assert list(groups.owners(team)) == [groups.owners(team).get(username="bob")]


def test_a_member_sees_the_group_but_cannot_change_it(client, bob, carol, team):
    client.force_login(bob)
    page = client.get(detail(team))
    assert page.status_code == 200
    assert "Only its owners change its members." in page.text
    assert "Add a member" not in page.text
    assert client.post(add(team), {"who": "carol"}).status_code == 403
    assert client.post(remove(team, team.user_set.get(username="alice"))).status_code == 403
    assert client.post(owner(team, bob)).status_code == 403
    assert members(team) == {"alice", "bob"}


def test_an_outsider_gets_not_found_for_everything(client, alice, carol, team):
    client.force_login(carol)
    assert client.get(detail(team)).status_code == 404
    assert client.post(add(team), {"who": "carol"}).status_code == 404
    assert client.post(remove(team, alice)).status_code == 404
    assert members(team) == {"alice", "bob"}
    assert "Data team" not in client.get(reverse("sharing:groups")).text


def test_signed_out_people_are_sent_to_sign_in(client, team):
    response = client.get(detail(team))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_manage_any_group(client, make_user, carol, team):
    staff = make_user("sam", is_staff=True)
    client.force_login(staff)
    assert client.get(detail(team)).status_code == 200
    assert client.post(add(team), {"who": "carol"}).status_code == 302
    assert "carol" in members(team)


def test_a_deactivated_owner_no_longer_manages(client, alice, team):
    alice.is_active = False
    alice.save()
    assert not groups.is_owner(alice, team)


def test_removing_someone_not_in_the_group_is_not_found(client, alice, carol, team):
    client.force_login(alice)
    assert client.post(remove(team, carol)).status_code == 404


def test_create_group_refuses_blank_names_directly(alice):
    with pytest.raises(ValidationError):
        groups.create_group(" ", alice)
