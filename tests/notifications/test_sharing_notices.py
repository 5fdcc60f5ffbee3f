"""Sharing with a person or a group: a notice in the inbox and an e-mail from the worker."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from sharing.grants import set_user_role
from sharing.notifications import preferences
from sharing.notifications.models import Notification
from sharing.tokens import create_token
from tests.notifications.support import delivered, run_worker

pytestmark = pytest.mark.django_db


def _share(client, owner, notebook, who: str, role: str = "viewer"):
    client.force_login(owner)
    url = reverse("sharing:access-person", args=[notebook.pk])
    person_id = get_user_model().objects.get(username=who).pk
    response = client.post(url, {"who": who, "role": role, "confirm_user": person_id})
    assert response.status_code == 302


def _share_group(client, owner, notebook, group, role: str = "viewer"):
    client.force_login(owner)
    url = reverse("sharing:access-group", args=[notebook.pk])
    assert client.post(url, {"group": group.pk, "role": role}).status_code == 302


def test_sharing_with_a_person_puts_a_notice_in_their_inbox_and_mails_them(
    client, alice, bob, make_notebook
):
    notebook = make_notebook(alice, title="Churn")
    _share(client, alice, notebook, "bob", "commenter")
    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind, notice.notebook, notice.actor) == (
        bob,
        "shared",
        notebook,
        alice,
    )
    assert notice.is_unread
    # the request only queued the e-mail; the worker sends it
    assert mail.outbox == []
    assert delivered() == {"bob": "alice shared “Churn” with you"}
    message = mail.outbox[0]
    assert "Your role: commenter." in message.body
    assert f"http://testserver/n/{notebook.pk}/" in message.body
    assert "http://testserver/settings/notifications/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert Notification.objects.get().email == Notification.Email.SENT


def test_changing_a_role_is_not_news(client, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    _share(client, alice, notebook, "bob", "viewer")
    _share(client, alice, notebook, "bob", "editor")
    assert Notification.objects.count() == 1


def test_sharing_with_a_group_notifies_each_member_but_not_the_owner(
    client, alice, bob, carol, make_user, make_notebook
):
    team = Group.objects.create(name="Forecasting")
    team.user_set.add(alice, bob, carol)
    notebook = make_notebook(alice, title="Churn")
    _share_group(client, alice, notebook, team, "viewer")
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "bob",
        "carol",
    ]
    assert Notification.objects.first().detail == "viewer through Forecasting"
    assert delivered() == {
        "bob": "alice shared “Churn” with you",
        "carol": "alice shared “Churn” with you",
    }


def test_inactive_members_and_members_without_an_address_get_no_mail(
    client, alice, bob, carol, make_notebook
):
    team = Group.objects.create(name="Team")
    team.user_set.add(bob, carol)
    bob.is_active = False
    bob.save()
    carol.email = ""
    carol.save()
    notebook = make_notebook(alice)
    _share_group(client, alice, notebook, team)
    # carol still gets the inbox notice; bob (inactive) nothing
    assert list(Notification.objects.values_list("recipient__username", "email")) == [
        ("carol", "none")
    ]
    assert delivered() == {}


def test_someone_who_lost_access_before_the_worker_ran_gets_no_mail(
    client, alice, bob, make_notebook
):
    # GIVEN alice shared with bob, and took it back before the worker sent the mail
    notebook = make_notebook(alice)
    _share(client, alice, notebook, "bob")
    set_user_role(notebook, bob, None)
    # WHEN the worker runs THEN nothing is sent and the notice is marked skipped
    assert delivered() == {}
    assert Notification.objects.get().email == Notification.Email.SKIPPED


def test_turning_shared_mails_off_keeps_the_inbox_notice(client, alice, bob, make_notebook):
    choices = preferences.choices_of(bob)
    preferences.set_choices(bob, {**choices, "shared_email": False})
    notebook = make_notebook(alice)
    _share(client, alice, notebook, "bob")
    assert Notification.objects.get().in_inbox
    assert delivered() == {}


def test_turning_both_channels_off_stores_no_notice(client, alice, bob, make_notebook):
    choices = preferences.choices_of(bob)
    preferences.set_choices(bob, {**choices, "shared_email": False, "shared_inbox": False})
    _share(client, alice, make_notebook(alice), "bob")
    assert not Notification.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_a_failing_mail_server_marks_the_mail_failed_and_the_share_stands(
    client, alice, bob, make_notebook, settings
):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.support.BrokenMailer"}}
    notebook = make_notebook(alice)
    _share(client, alice, notebook, "bob")
    run_worker()
    assert Notification.objects.get().email == Notification.Email.FAILED
    assert notebook.pk in [n.pk for n in type(notebook).objects.shared_with(bob)]


def test_sharing_through_the_api_notifies_the_new_people_and_groups(
    alice, bob, carol, make_notebook
):
    team = Group.objects.create(name="Team")
    team.user_set.add(carol)
    notebook = make_notebook(alice, title="Churn")
    client = Client(headers={"Authorization": f"Bearer {create_token(alice, 'ci', 30).raw}"})
    body = {
        "visibility": "private",
        "users": [{"username": "bob", "role": "viewer"}],
        "groups": [{"id": team.pk, "role": "viewer"}],
    }
    url = f"/api/v1/notebooks/{notebook.pk}/access"
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 200
    assert delivered() == {
        "bob": "alice shared “Churn” with you",
        "carol": "alice shared “Churn” with you",
    }
    # the same state again is not news
    client.put(url, body, content_type="application/json")
    assert Notification.objects.count() == 2
