"""@mentions and comment e-mails, checked in Django's mail outbox."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from sharing.comments.cells import version_cells
from sharing.comments.notifications import set_comment_emails
from sharing.grants import set_user_role
from sharing.models import Comment, CommentThread
from tests.notifications.support import delivered, run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(alice, bob, carol, make_notebook):
    """alice owns it; bob comments; carol views."""
    notebook = make_notebook(alice, title="Churn")
    set_user_role(notebook, bob, "commenter")
    set_user_role(notebook, carol, "viewer")
    return notebook


def _first_code_cell(notebook) -> str:
    cells = sorted(version_cells(notebook.latest_version).values(), key=lambda c: c.index)
    return cells[1].id


def _start(client, user, notebook, body: str):
    client.force_login(user)
    response = client.post(
        reverse("sharing:version-comments", args=[notebook.pk, 1]),
        {"cell_id": _first_code_cell(notebook), "body": body},
    )
    assert response.status_code == 201
    return CommentThread.objects.get(pk=response.json()["thread"])


def _reply(client, user, notebook, thread, body: str):
    client.force_login(user)
    url = reverse("sharing:comment-reply", args=[notebook.pk, thread.pk])
    assert client.post(url, {"body": body}).status_code == 201


def _inbox() -> dict[str, str]:
    return delivered()


def test_a_new_thread_notifies_the_owner_but_not_the_author(client, shared, bob):
    _start(client, bob, shared, "Why this threshold?")
    assert mail.outbox == []  # the request only queues it: the background worker sends it
    assert _inbox() == {"alice": "bob commented on “Churn”"}
    message = mail.outbox[0]
    assert "Why this threshold?" in message.body
    assert f"/n/{shared.pk}/#cell-" in message.body
    assert "/settings/notifications/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "<p>Why this threshold?</p>" in html


def test_a_reply_notifies_the_owner_and_the_participants_never_the_author(
    client, shared, alice, bob, make_user
):
    dave = make_user("dave")
    set_user_role(shared, dave, "commenter")
    thread = _start(client, bob, shared, "Why?")
    _reply(client, dave, shared, thread, "Good question.")
    run_worker()
    mail.outbox.clear()
    _reply(client, alice, shared, thread, "Because of recall.")
    assert _inbox() == {"bob": "alice replied on “Churn”", "dave": "alice replied on “Churn”"}


def test_a_mention_links_the_person_and_sends_them_a_mail(client, shared, bob, carol):
    _start(client, bob, shared, "What do you think, @carol?")
    body_html = Comment.objects.get().body_html
    assert f'<a class="mention" href="{reverse("sharing:person", args=["carol"])}"' in body_html
    assert _inbox() == {
        "alice": "bob commented on “Churn”",
        "carol": "bob mentioned you on “Churn”",
    }


def test_no_mail_and_no_link_for_a_mentioned_person_without_access(client, shared, bob, make_user):
    # GIVEN dave, who cannot see the notebook
    make_user("dave")
    # WHEN bob mentions him
    _start(client, bob, shared, "Ask @dave about it.")
    # THEN dave gets no mail and the mention is plain text
    assert "dave" not in _inbox()
    assert Comment.objects.get().body_html == "<p>Ask @dave about it.</p>\n"


def test_a_participant_who_lost_access_gets_no_more_mail(client, shared, alice, bob, carol):
    thread = _start(client, bob, shared, "Why?")
    # GIVEN bob took part, then lost access
    set_user_role(shared, bob, None)
    run_worker()
    mail.outbox.clear()
    # WHEN alice replies and even mentions him
    _reply(client, alice, shared, thread, "Answered, @bob.")
    # THEN bob gets nothing
    assert _inbox() == {}
    assert "mention" not in Comment.objects.last().body_html


def test_a_mention_inside_code_is_not_a_mention(client, shared, bob, carol):
    _start(client, bob, shared, "Use `@carol` as the decorator name.")
    assert "carol" not in _inbox()


def test_mentioning_someone_already_notified_sends_one_mail(client, shared, bob):
    _start(client, bob, shared, "@alice @alice please look")
    run_worker()
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject == "bob mentioned you on “Churn”"


def test_people_who_turned_comment_mails_off_get_none(client, shared, alice, bob, carol):
    set_comment_emails(alice, False)
    set_comment_emails(carol, False)
    _start(client, bob, shared, "Thoughts, @carol?")
    assert _inbox() == {}
    # the mention is still a link: only the mail is off
    assert "mention" in Comment.objects.get().body_html


def test_inactive_people_and_people_without_an_address_get_no_mail(client, shared, alice, bob):
    alice.email = ""
    alice.save()
    _start(client, bob, shared, "Why?")
    assert _inbox() == {}


def test_editing_a_comment_sends_no_mail(client, shared, bob):
    _start(client, bob, shared, "Why?")
    run_worker()
    mail.outbox.clear()
    comment = Comment.objects.get()
    url = reverse("sharing:comment-edit", args=[shared.pk, comment.pk])
    assert client.post(url, {"body": "Why, @carol?"}).status_code == 200
    run_worker()
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_fail_the_comment(client, shared, bob, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_comment_notifications.BrokenBackend"}}
    _start(client, bob, shared, "Why?")
    assert Comment.objects.count() == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise OSError("mail server down")


# --- settings page and people ------------------------------------------------------------


def test_turning_comment_mails_off_and_on_again(client, alice):
    client.force_login(alice)
    url = reverse("sharing:notification-settings")
    assert client.get(url).context["form"].initial["comment_email"] is True
    everything_but_comment_mail = {
        name: "on" for name in client.get(url).context["form"].fields if name != "comment_email"
    }
    response = client.post(url, everything_but_comment_mail, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Your notification choices are saved." in response.content.decode()
    initial = client.get(url).context["form"].initial
    assert initial["comment_email"] is False
    assert initial["comment_inbox"] is True
    client.post(url, {**everything_but_comment_mail, "comment_email": "on"})
    assert client.get(url).context["form"].initial["comment_email"] is True


def test_a_person_page_lists_only_their_notebooks_you_can_see(
    client, shared, alice, carol, make_notebook
):
    make_notebook(alice, title="Private draft")
    client.force_login(carol)
    response = client.get(reverse("sharing:person", args=["alice"]))
    assert response.status_code == 200
    assert [n.title for n in response.context["notebooks"]] == ["Churn"]
    assert client.get(reverse("sharing:person", args=["nobody"])).status_code == 404
