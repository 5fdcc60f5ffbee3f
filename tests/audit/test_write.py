"""Writing the audit log: one INSERT a page, never at the cost of the action, append-only, one
JSON line per event on its logger, tokens counted once an hour, and the purge."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sharing import links, tokens
from sharing.audit import record as audit
from sharing.audit.models import Action, ActorKind, AppendOnly, AuditEvent, Outcome
from sharing.models import ApiToken, Notebook
from tests.api.support import API, bearer
from tests.audit.support import events_since, last_id
from tests.conftest import commits_asynchronously


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def audit_lines():
    """What the ``notebookshare.audit`` loggers print (they do not propagate to the root)."""
    handler = Lines()
    names = ("notebookshare.audit", "notebookshare.audit.errors")
    for name in names:
        logging.getLogger(name).addHandler(handler)
    yield handler.records
    for name in names:
        logging.getLogger(name).removeHandler(handler)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def audit_sql(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "sharing_auditevent" in q["sql"]]


# One INSERT a page ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_viewed_page_costs_exactly_one_insert_and_no_savepoint(site):
    # Served as in production (autocommit, no surrounding transaction).
    bob = signed_in(site.bob)
    with CaptureQueriesContext(connection) as queries:
        assert bob.get(site.notebook.get_absolute_url()).status_code == 200
    written = audit_sql(queries)
    # (Django logs a statement already prepared on the connection as "QUERY = '...'".)
    assert len(written) == 1 and "INSERT INTO" in written[0]
    assert not any("SAVEPOINT" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_request_with_several_events_writes_them_in_one_insert(site):
    # The API replaces the whole access list: three changes, one page.
    token = tokens.create_token(site.alice, "ci", 30).raw
    tokens.authenticate(token)
    body = {
        "visibility": "org_view",
        "users": [{"username": "carol", "role": "viewer"}],
        "groups": [],
    }
    start = last_id()
    with CaptureQueriesContext(connection) as queries:
        response = Client().put(
            f"{API}/notebooks/{site.notebook.pk}/access",
            json.dumps(body),
            content_type="application/json",
            headers=bearer(token),
        )
    assert response.status_code == 200
    assert [(e.action, e.actor_kind) for e in events_since(start)] == [
        (Action.ACCESS_CHANGED, ActorKind.TOKEN),  # open to everyone signed in
        (Action.ACCESS_REMOVED, ActorKind.TOKEN),  # bob, not listed
        (Action.ACCESS_GRANTED, ActorKind.TOKEN),  # carol
    ]
    inserts = [sql for sql in audit_sql(queries) if sql.startswith("INSERT")]
    assert len(inserts) == 1


@pytest.mark.django_db
def test_admin_deleting_several_objects_records_each(site):
    groups = [Group.objects.create(name=name) for name in ("One", "Two")]
    root = signed_in(site.root)
    response = root.post(
        "/admin/auth/group/",
        {"action": "delete_selected", "_selected_action": [g.pk for g in groups], "post": "yes"},
    )
    assert response.status_code == 302
    changes = AuditEvent.objects.filter(action=Action.ADMIN_CHANGED).order_by("id")
    assert [(e.object_title, e.details["change"], e.actor_name) for e in changes] == [
        ("One", "deleted", "root"),
        ("Two", "deleted", "root"),
    ]


# Page views commit without waiting for the disk -------------------------------------------

# On PostgreSQL a page view's INSERT makes its own transaction commit asynchronously.
ASYNCHRONOUS = connection.vendor == "postgresql"


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_page_view_commits_asynchronously_and_only_its_own_transaction(site):
    bob = signed_in(site.bob)
    with CaptureQueriesContext(connection) as queries:
        assert bob.get(site.notebook.get_absolute_url()).status_code == 200
    (insert,) = audit_sql(queries)
    assert commits_asynchronously(insert) is ASYNCHRONOUS
    if ASYNCHRONOUS:  # the setting ended with the view's transaction
        assert synchronous_commit() == "on"
    assert AuditEvent.objects.filter(action=Action.NOTEBOOK_VIEWED, actor_name="bob").exists()


@pytest.mark.django_db(transaction=True)
def test_every_other_event_waits_for_the_disk(site):
    alice = signed_in(site.alice)
    url = reverse("sharing:notebook-rename", args=[site.notebook.pk])
    with CaptureQueriesContext(connection) as queries:
        assert alice.post(url, {"title": "Churn, renamed"}).status_code == 302
        download = reverse("sharing:version-download", args=[site.notebook.pk, 1])
        assert alice.get(download).status_code == 200
    written = audit_sql(queries)
    assert len(written) == 2 and not any(commits_asynchronously(sql) for sql in written)
    assert {e.action for e in AuditEvent.objects.all()} >= {
        Action.NOTEBOOK_RENAMED,
        Action.NOTEBOOK_DOWNLOADED,
    }


@pytest.mark.django_db(transaction=True)
def test_durable_views_wait_for_the_disk_too(site, settings):
    settings.AUDIT_DURABLE_VIEWS = True
    bob = signed_in(site.bob)
    with CaptureQueriesContext(connection) as queries:
        assert bob.get(site.notebook.get_absolute_url()).status_code == 200
    (insert,) = audit_sql(queries)
    assert not commits_asynchronously(insert)


@pytest.mark.django_db
def test_a_view_written_inside_a_transaction_leaves_the_transaction_synchronous(site):
    """Inside a transaction the setting would reach every write of it: not there."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        audit.record(Action.NOTEBOOK_VIEWED, obj=site.notebook, version=1)
        if ASYNCHRONOUS:
            assert synchronous_commit() == "on"
    assert not any(commits_asynchronously(sql) for sql in audit_sql(queries))


# A failing write never costs the action ----------------------------------------------------


@pytest.mark.django_db
def test_without_its_table_the_action_still_happens_and_the_failure_is_logged(site, audit_lines):
    owner = signed_in(site.alice)
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("DROP TABLE sharing_auditevent")
    response = owner.post(
        reverse("sharing:notebook-rename", args=[site.notebook.pk]), {"title": "Renamed"}
    )
    assert response.status_code == 302
    # The transaction is still usable (PostgreSQL would refuse every statement after an error
    # outside a savepoint) and the rename is there.
    assert Notebook.objects.get(pk=site.notebook.pk).title == "Renamed"
    assert owner.get(site.notebook.get_absolute_url()).status_code == 200
    errors = [r for r in audit_lines if r.levelno == logging.ERROR]
    assert errors and "Could not store 1 audit event" in errors[0].getMessage()
    # The event itself still reached the log.
    lines = [json.loads(r.getMessage()) for r in audit_lines if r.levelno == logging.INFO]
    renamed = [line for line in lines if line["action"] == "notebook.renamed"]
    assert [(line["actor"], line["details"]["to"]) for line in renamed] == [("alice", "Renamed")]


@pytest.mark.django_db
def test_a_row_the_database_refuses_is_logged_and_the_transaction_goes_on(site, audit_lines):
    with transaction.atomic():
        kept = Notebook.objects.create(owner=site.alice, title="Kept")
        # The CHECK constraint refuses an unknown outcome: a real DatabaseError.
        assert audit.write([AuditEvent(actor_kind="system", action="x", outcome="maybe")]) is False
        kept.title = "Kept, then changed"
        kept.save()
    assert Notebook.objects.get(pk=kept.pk).title == "Kept, then changed"
    assert any(r.levelno == logging.ERROR for r in audit_lines)
    assert not AuditEvent.objects.filter(action="x").exists()


@pytest.mark.django_db
def test_a_server_error_marks_the_requests_events_as_failed():
    request = RequestFactory().get("/")
    token = audit.start(request)
    event = audit.record(Action.NOTEBOOK_VIEWED)
    assert event.pk is None  # kept until the response is made
    audit.finish(token, failed=True)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.outcome, stored.actor_kind) == (Outcome.FAILURE, ActorKind.ANONYMOUS)


# Append-only -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted(site):
    event = AuditEvent.objects.first()
    event.action = Action.SIGN_OUT
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.SIGN_OUT)
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    # Below the application, the database refuses too.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE sharing_auditevent SET action = 'auth.sign_out'")
    assert AuditEvent.objects.get(pk=event.pk).action != Action.SIGN_OUT


@pytest.mark.django_db
def test_the_django_admin_offers_no_way_to_edit_events(site):
    root = signed_in(site.root)
    assert root.get("/admin/sharing/auditevent/").status_code == 404


# The logger --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_event_is_one_json_line_on_the_audit_logger(site, audit_lines):
    signed_in(site.bob).get(
        site.notebook.get_absolute_url(),
        headers={"User-Agent": "Firefox/140", "X-Request-ID": "trace-0123456789"},
    )
    lines = [r.getMessage() for r in audit_lines if r.name == "notebookshare.audit"]
    viewed = [json.loads(line) for line in lines if '"notebook.viewed"' in line]
    assert len(viewed) == 1 and "\n" not in lines[-1]
    assert {
        "actor": "bob",
        "actor_kind": "user",
        "object_title": "Quarterly churn",
        "notebook_id": site.notebook.pk,
        "version": 1,
        "ip_address": "127.0.0.1",
        "user_agent": "Firefox/140",
        "request_id": "trace-0123456789",
        "outcome": "success",
    }.items() <= viewed[0].items()


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["short", "has spaces in it", "x" * 65, "inject\nline"])
def test_an_unsafe_incoming_request_id_is_replaced(site, incoming):
    start = last_id()
    response = signed_in(site.bob).get(
        site.notebook.get_absolute_url(), headers={"X-Request-ID": incoming}
    )
    event = next(e for e in events_since(start) if e.action == Action.NOTEBOOK_VIEWED)
    assert event.request_id == response["X-Request-ID"] != incoming
    assert len(event.request_id) == 32


# Actors ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_api_token_is_recorded_as_used_at_most_once_an_hour(site):
    raw = tokens.create_token(site.alice, "ci", 30).raw
    api = Client()
    for _ in range(3):
        assert api.get(f"{API}/notebooks", headers=bearer(raw)).status_code == 200
    used = AuditEvent.objects.filter(action=Action.TOKEN_USED)
    assert used.count() == 1
    assert used.get().actor_ref == raw.split("_")[1]
    ApiToken.objects.update(last_audited_at=timezone.now() - timedelta(minutes=61))
    api.get(f"{API}/notebooks", headers=bearer(raw))
    assert used.count() == 2


@pytest.mark.django_db
def test_a_reader_without_an_account_acts_as_the_share_link(site, settings):
    settings.SHARE_LINKS_ALLOW_ANONYMOUS = True
    link, token = links.create_link(
        site.notebook, site.alice, expires_at=links.latest_expiry(), anonymous=True
    )
    visitor = Client()
    start = last_id()
    assert visitor.get(reverse("sharing:share-link-open", args=[token])).status_code == 302
    assert visitor.get(site.notebook.get_absolute_url()).status_code == 200
    events = events_since(start)
    assert [(e.action, e.actor_kind, e.actor_name, e.actor_ref) for e in events] == [
        (Action.LINK_USED, ActorKind.LINK, "", str(link.pk)),
        (Action.NOTEBOOK_VIEWED, ActorKind.LINK, "", str(link.pk)),
    ]
    assert events[1].actor_label == f"anonymous (share link #{link.pk})"


@pytest.mark.django_db
def test_work_outside_a_request_is_the_systems(site):
    event = AuditEvent.objects.filter(action=Action.NOTEBOOK_UPLOADED).get()
    assert (event.actor_kind, event.ip_address, event.request_id) == ("system", None, "")


# Retention ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_deletes_only_events_past_the_retention(site, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 30
    old = AuditEvent(actor_kind="system", action=Action.SIGN_IN)
    old.at = timezone.now() - timedelta(days=31)
    audit.write([old])
    recent = AuditEvent.objects.exclude(pk=old.pk).count()
    call_command("purge_audit")
    assert "Deleted 1 audit event older than 30 days." in capsys.readouterr().out
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    purged = AuditEvent.objects.get(action=Action.AUDIT_PURGED)
    assert purged.details["deleted"] == 1 and purged.actor_kind == "system"
    assert AuditEvent.objects.count() == recent + 1


@pytest.mark.django_db
def test_purge_keeps_everything_at_zero_and_refuses_negative_days(site, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 0
    before = AuditEvent.objects.count()
    call_command("purge_audit")
    assert "kept forever" in capsys.readouterr().out
    assert AuditEvent.objects.count() == before
    with pytest.raises(CommandError):
        call_command("purge_audit", "--days", "-1")
