"""Replies, mentions and resolved threads in the inbox (their e-mails: tests/comments)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sharing.comments.cells import version_cells
from sharing.grants import set_user_role
from sharing.models import CommentThread
from sharing.notifications.models import Notification
from tests.notifications.support import delivered

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(alice, bob, carol, make_notebook):
    notebook = make_notebook(alice, title="Churn")
    set_user_role(notebook, bob, "commenter")
    set_user_role(notebook, carol, "commenter")
    return notebook


def _start(client, user, notebook, body: str) -> CommentThread:
    client.force_login(user)
    cell = sorted(version_cells(notebook.latest_version).values(), key=lambda c: c.index)[1]
    url = reverse("sharing:version-comments", args=[notebook.pk, 1])
    response = client.post(url, {"cell_id": cell.id, "body": body})
    assert response.status_code == 201
    return CommentThread.objects.get(pk=response.json()["thread"])


def _kinds() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("recipient__username", "kind"))


def test_a_thread_a_reply_and_a_mention_reach_the_inbox(client, shared, alice, bob, carol):
    thread = _start(client, bob, shared, "Why this threshold?")
    assert _kinds() == [("alice", "comment")]
    client.force_login(carol)
    reply = reverse("sharing:comment-reply", args=[shared.pk, thread.pk])
    assert client.post(reply, {"body": "Good point, @alice"}).status_code == 201
    assert _kinds() == [("alice", "comment"), ("alice", "mention"), ("bob", "comment")]
    notice = Notification.objects.get(recipient=alice, kind="mention")
    assert notice.excerpt == "Good point, @alice"
    assert notice.thread == thread


def test_resolving_a_thread_tells_its_participants_and_the_owner_once(
    client, shared, alice, bob, carol
):
    thread = _start(client, bob, shared, "Why?")
    delivered()
    Notification.objects.all().delete()
    client.force_login(carol)
    url = reverse("sharing:comment-resolve", args=[shared.pk, thread.pk])
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200  # resolving again is not news
    assert _kinds() == [("alice", "resolved"), ("bob", "resolved")]
    subjects = delivered()
    assert subjects["bob"] == "carol resolved a thread on “Churn”"


def test_a_mention_of_someone_who_cannot_see_the_notebook_makes_no_notice(
    client, shared, bob, make_user
):
    make_user("dave")
    _start(client, bob, shared, "Ask @dave")
    assert "dave" not in [name for name, _ in _kinds()]
