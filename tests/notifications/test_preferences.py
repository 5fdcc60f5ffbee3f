"""Choices per kind and channel, and the move from the single comment e-mail choice."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from sharing.comments.notifications import set_comment_emails
from sharing.notifications import preferences
from sharing.notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db
STEP = "mention_emails_follow_comment_emails"


def test_everything_is_on_until_turned_off(alice):
    choices = preferences.choices_of(alice)
    assert len(choices) == 10
    assert all(choices.values())


def test_the_comment_switch_covers_comments_and_mentions_by_mail_only(alice):
    set_comment_emails(alice, False)
    choices = preferences.choices_of(alice)
    assert choices["comment_email"] is False and choices["mention_email"] is False
    assert choices["comment_inbox"] is True and choices["shared_email"] is True


def _data_step():
    loader = MigrationLoader(connection)
    for (app, _), migration in loader.disk_migrations.items():
        for operation in migration.operations:
            name = getattr(getattr(operation, "code", None), "__name__", "")
            if app == "sharing" and isinstance(operation, RunPython) and name == STEP:
                return operation.code
    raise AssertionError("the data migration of the comment e-mail choice is missing")


def test_whoever_had_comment_mails_off_gets_mention_mails_off_too(alice, bob):
    NotificationPreference.objects.create(user=alice, comment_email=False)  # as migrated
    NotificationPreference.objects.create(user=bob, comment_email=True)
    _data_step()(apps, None)
    assert preferences.choices_of(alice)["mention_email"] is False
    assert preferences.choices_of(bob)["mention_email"] is True
