"""Following a notebook: who hears of new versions, and the follow / unfollow control."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.grants import set_group_role, set_user_role
from sharing.models import Notebook
from sharing.notifications.following import followers, is_following
from sharing.notifications.models import Notification
from tests.conftest import notebook_bytes
from tests.notifications.support import delivered

pytestmark = pytest.mark.django_db


def _new_version(client, user, notebook, cells: int = 5, note: str = "", data: bytes = b""):
    client.force_login(user)
    url = reverse("sharing:notebook-upload-version", args=[notebook.pk])
    data = {"file": SimpleUploadedFile("v.ipynb", data or notebook_bytes(cells)), "note": note}
    assert client.post(url, data).status_code == 302


def _names(queryset) -> list[str]:
    return sorted(queryset.values_list("username", flat=True))


@pytest.fixture
def open_notebook(alice, bob, carol, make_user, make_notebook):
    """alice's notebook open to everyone: shared with bob, with carol through a group, and a
    thread by dave; erin and frank only may see it."""
    dave = make_user("dave")
    make_user("erin")
    make_user("frank")
    notebook = make_notebook(alice)
    set_user_role(notebook, bob, "viewer")
    team = Group.objects.create(name="Team")
    team.user_set.add(carol)
    set_group_role(notebook, team, "viewer")
    notebook.visibility = Notebook.Visibility.ORG_COMMENT
    notebook.save()
    version = notebook.latest_version
    cell = sorted(version_cells(version).values(), key=lambda c: c.index)[1]
    start_thread(notebook, version, cell, dave, "A question")
    return notebook


def _user(username: str):
    return get_user_model().objects.get(username=username)


def test_owner_people_shared_with_groups_and_commenters_follow_by_default(open_notebook):
    notebook = open_notebook
    # erin can see it (open to everyone) but has not taken part: she does not follow
    assert _names(followers(notebook)) == ["alice", "bob", "carol", "dave"]
    assert not is_following(_user("erin"), notebook)


def test_the_pages_follow_button_says_what_is_following_says(client, open_notebook):
    """The page reads the Follow state with the notebook in one query: the same answer as
    ``is_following`` for every kind of person, and for an explicit choice either way."""
    notebook = open_notebook
    follow_url = reverse("sharing:notebook-follow", args=[notebook.pk])
    client.force_login(_user("frank"))
    assert client.post(follow_url, {"following": "1"}).status_code == 302  # chose to follow
    client.force_login(_user("bob"))
    assert client.post(follow_url, {"following": "0"}).status_code == 302  # chose not to
    expected = {"alice": True, "bob": False, "carol": True, "dave": True, "erin": False}
    expected["frank"] = True
    for username, follows in expected.items():
        person = _user(username)
        client.force_login(person)
        page = client.get(notebook.get_absolute_url()).content.decode()
        shown = 'aria-pressed="true"' in page
        assert shown == is_following(person, notebook) == follows, username
        assert ('aria-pressed="false"' in page) is not shown


def test_a_new_version_notifies_followers_with_its_note_never_the_uploader(
    client, alice, bob, carol, make_notebook
):
    notebook = make_notebook(alice, title="Churn")
    set_user_role(notebook, bob, "editor")
    set_user_role(notebook, carol, "viewer")
    _new_version(client, bob, notebook, note="Retrained on March data")
    notices = Notification.objects.filter(kind="version")
    assert sorted(n.recipient.username for n in notices) == ["alice", "carol"]
    assert {n.excerpt for n in notices} == {"Retrained on March data"}
    assert delivered() == {
        "alice": "bob published version 2 of “Churn”",
        "carol": "bob published version 2 of “Churn”",
    }


def test_unfollowing_stops_version_notices_and_following_again_restarts_them(
    client, alice, bob, make_notebook
):
    notebook = make_notebook(alice)
    set_user_role(notebook, bob, "viewer")
    client.force_login(bob)
    follow_url = reverse("sharing:notebook-follow", args=[notebook.pk])
    page = client.get(notebook.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page and ">Following</button>" in page
    assert client.post(follow_url, {"following": "0"}).status_code == 302
    assert not is_following(bob, notebook)
    _new_version(client, alice, notebook, cells=5)
    assert not Notification.objects.filter(recipient=bob).exists()
    client.force_login(bob)
    client.post(follow_url, {"following": "1"})
    _new_version(client, alice, notebook, cells=6)
    assert Notification.objects.filter(recipient=bob, kind="version").count() == 1


def test_anyone_who_may_see_it_can_follow_it(client, alice, carol, make_notebook):
    notebook = make_notebook(alice)
    notebook.visibility = Notebook.Visibility.ORG_VIEW
    notebook.save()
    client.force_login(carol)
    client.post(reverse("sharing:notebook-follow", args=[notebook.pk]), {"following": "1"})
    _new_version(client, alice, notebook)
    assert Notification.objects.filter(recipient=carol, kind="version").exists()


def test_an_outsider_cannot_follow_and_gets_404(client, alice, carol, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(carol)
    url = reverse("sharing:notebook-follow", args=[notebook.pk])
    assert client.post(url, {"following": "1"}).status_code == 404


def test_a_follower_who_lost_access_hears_nothing(client, alice, carol, make_notebook):
    # GIVEN carol followed an open notebook, WHEN it turns private, THEN no notice reaches her
    notebook = make_notebook(alice)
    notebook.visibility = Notebook.Visibility.ORG_VIEW
    notebook.save()
    client.force_login(carol)
    client.post(reverse("sharing:notebook-follow", args=[notebook.pk]), {"following": "1"})
    notebook.visibility = Notebook.Visibility.PRIVATE
    notebook.save()
    _new_version(client, alice, notebook)
    assert not Notification.objects.filter(recipient=carol).exists()
    assert "carol" not in delivered()


def test_an_identical_upload_notifies_nobody(client, alice, bob, make_notebook):
    data = notebook_bytes(4)
    notebook = make_notebook(alice, data=data)
    set_user_role(notebook, bob, "editor")
    _new_version(client, bob, notebook, data=data)
    assert notebook.versions.count() == 1
    assert not Notification.objects.exists()
