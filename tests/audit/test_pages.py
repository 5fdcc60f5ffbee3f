"""Reading the audit log: staff only, filters, pages, exports that parse back, and a notebook's
own activity on its Share page for the people who manage it."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sharing.audit import record as audit
from sharing.audit.models import Action, AuditEvent, Outcome
from sharing.grants import set_user_role

pytestmark = pytest.mark.django_db

LOG = reverse("sharing:audit-log")


def export_url(fmt: str) -> str:
    return reverse("sharing:audit-export", args=[fmt])


def access_url(notebook) -> str:
    return reverse("sharing:notebook-access", args=[notebook.pk])


def staff_client(site) -> Client:
    client = Client()
    client.force_login(site.root)
    return client


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def _event(action, actor: str = "", at=None, **fields) -> AuditEvent:
    kind = "user" if actor else "system"
    event = AuditEvent(actor_kind=kind, actor_name=actor, action=action, **fields)
    if at is not None:
        event.at = at
    audit.write([event])
    return event


# Who may read it --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob", "inactive staff"])
@pytest.mark.parametrize("url", [LOG, export_url("csv"), export_url("jsonl")])
def test_people_without_staff_rights_get_404(site, who, url, make_user):
    client = Client()
    if who == "inactive staff":
        client.force_login(make_user("former", is_staff=True))
        type(site.root).objects.filter(username="former").update(is_active=False)
    elif who != "anonymous":
        client.force_login(getattr(site, who))
    response = client.get(url)
    assert response.status_code == 404
    assert b"Quarterly churn" not in response.content


def test_staff_see_every_event_newest_first(site):
    client = staff_client(site)
    Client().get(site.notebook.get_absolute_url())  # anonymous: sent to sign in, no event
    bob = Client()
    bob.force_login(site.bob)
    bob.get(site.notebook.get_absolute_url())
    page = client.get(LOG)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(row.event.action, row.actor) for row in rows[:3]] == [
        (Action.NOTEBOOK_VIEWED, "bob"),
        (Action.SIGN_IN, "bob"),
        (Action.SIGN_IN, "root"),
    ]
    assert rows[0].subject == "Quarterly churn · v1"
    html = page.content.decode()
    assert "Viewed notebook" in html and "127.0.0.1" in html


# Filters ----------------------------------------------------------------------------------


def test_filters_narrow_by_actor_notebook_action_outcome_and_dates(site, make_notebook):
    other = make_notebook(site.carol, title="Carol's notes")
    now = timezone.now()
    _event(
        Action.NOTEBOOK_VIEWED, "bob", notebook_id=site.notebook.pk, object_title="Quarterly churn"
    )
    _event(Action.NOTEBOOK_VIEWED, "carol", notebook_id=other.pk, object_title="Carol's notes")
    _event(
        Action.LINK_REFUSED,
        "carol",
        at=now - timedelta(days=10),
        notebook_id=site.notebook.pk,
        object_title="Board",
        outcome=Outcome.DENIED,
    )
    client = staff_client(site)

    def actions(**filters) -> list[tuple[str, str]]:
        response = client.get(LOG, filters)
        assert response.status_code == 200
        return [(row.event.action, row.event.actor_name) for row in response.context["rows"]]

    assert actions(actor="CAROL") == [
        (Action.NOTEBOOK_VIEWED, "carol"),
        (Action.LINK_REFUSED, "carol"),
    ]
    assert set(actions(notebook=str(site.notebook.pk))) == {
        (Action.NOTEBOOK_VIEWED, "bob"),
        (Action.LINK_REFUSED, "carol"),
        *[(a, "") for a in (Action.NOTEBOOK_UPLOADED, Action.ACCESS_GRANTED)],  # the fixture's
    }
    # By title: the link's event names the link, but belongs to the notebook titled so.
    assert actions(notebook="QUARTERLY", outcome=Outcome.DENIED) == [(Action.LINK_REFUSED, "carol")]
    assert actions(notebook="carol's", action=Action.NOTEBOOK_VIEWED) == [
        (Action.NOTEBOOK_VIEWED, "carol")
    ]
    assert actions(outcome=Outcome.DENIED) == [(Action.LINK_REFUSED, "carol")]
    old = (now - timedelta(days=10)).date().isoformat()
    assert actions(since=old, until=old) == [(Action.LINK_REFUSED, "carol")]
    assert (Action.LINK_REFUSED, "carol") not in actions(since=now.date().isoformat())


def test_a_backwards_date_range_is_a_clear_400(site):
    response = staff_client(site).get(LOG, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "“From” must be on or before “To”." in response.content.decode()
    assert response.context["rows"] == []


@pytest.mark.parametrize(
    "filters", [{"since": "yesterday"}, {"action": "notebook.hacked"}, {"actor": "x" * 151}]
)
def test_bad_filters_are_refused_not_crashed(site, filters):
    assert staff_client(site).get(LOG, filters).status_code == 400
    assert staff_client(site).get(export_url("csv"), filters).status_code == 400


def test_the_log_is_paginated_and_pages_keep_the_filters(site, settings):
    settings.AUDIT_PAGE_SIZE = 2
    for index in range(5):
        _event(Action.NOTEBOOK_VIEWED, "bob", object_title=f"n{index}")
    client = staff_client(site)
    first = client.get(LOG, {"actor": "bob"})
    assert [row.subject for row in first.context["rows"]] == ["n4", "n3"]
    assert "Page 1 of 3" in first.content.decode()
    assert "actor=bob&amp;page=2" in first.content.decode()
    last = client.get(LOG, {"actor": "bob", "page": 3})
    assert [row.subject for row in last.context["rows"]] == ["n0"]
    assert client.get(LOG, {"actor": "bob", "page": "999"}).context["rows"][0].subject == "n0"


def test_empty_results_say_so(site):
    response = staff_client(site).get(LOG, {"actor": "nobody-at-all"})
    assert "No events match these filters" in response.content.decode()


# Exports ----------------------------------------------------------------------------------


def test_the_csv_export_parses_back_with_the_filters_applied(site):
    _event(
        Action.NOTEBOOK_RENAMED,
        "bob",
        object_title='=HYPERLINK("x") "quoted", with comma',
        details={"from": "a", "to": "b"},
    )
    _event(Action.NOTEBOOK_VIEWED, "carol")
    response = staff_client(site).get(export_url("csv"), {"actor": "bob"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert [row["actor"] for row in rows] == ["bob"]
    row = rows[0]
    assert row["action"] == Action.NOTEBOOK_RENAMED
    # A spreadsheet would run a cell starting with "=": it gets a quote in front.
    assert row["object_title"] == '\'=HYPERLINK("x") "quoted", with comma'
    assert json.loads(row["details"]) == {"from": "a", "to": "b"}
    assert row["outcome"] == "success"


def test_the_json_lines_export_parses_back(site):
    for index in range(3):
        _event(Action.NOTEBOOK_VIEWED, "bob", version=index + 1, details={"n": index})
    response = staff_client(site).get(export_url("jsonl"), {"actor": "bob"})
    assert response["Content-Type"].startswith("application/jsonl")
    lines = body(response).splitlines()
    events = [json.loads(line) for line in lines]
    assert [event["version"] for event in events] == [3, 2, 1]
    assert events[0]["details"] == {"n": 2}
    assert set(events[0]) >= {"at", "actor", "action", "object_title", "ip_address", "outcome"}
    assert AuditEvent.objects.filter(actor_name="bob").count() == 3


def test_exporting_is_itself_recorded(site):
    staff_client(site).get(export_url("jsonl"), {"action": Action.SIGN_IN})
    event = AuditEvent.objects.filter(action=Action.AUDIT_EXPORTED).get()
    assert event.actor_name == "root"
    assert event.details == {"format": "jsonl", "filters": {"action": Action.SIGN_IN}}


def test_an_unknown_export_format_is_404(site):
    assert staff_client(site).get(export_url("xlsx")).status_code == 404


# A notebook's own activity, on its Share page -------------------------------------------------


def test_owners_see_their_notebooks_events_and_nothing_else(site, make_notebook):
    theirs = make_notebook(site.carol, title="Carol's notes")
    set_user_role(theirs, site.bob, "viewer")
    bob = Client()
    bob.force_login(site.bob)
    bob.get(site.notebook.get_absolute_url())
    bob.get(theirs.get_absolute_url())
    owner = Client()
    owner.force_login(site.alice)
    page = owner.get(access_url(site.notebook))
    rows = page.context["audit_rows"]
    assert {row.event.notebook_id for row in rows} == {site.notebook.pk}
    assert rows[0].event.action == Action.NOTEBOOK_VIEWED and rows[0].actor == "bob"
    html = page.content.decode()
    assert "Activity" in html and "viewed notebook" in html
    assert "Carol&#x27;s notes" not in html
    assert "127.0.0.1" not in html  # addresses are for staff only
    # The notebook's other readers and outsiders never see it.
    assert bob.get(access_url(site.notebook)).status_code == 403
    assert owner.get(access_url(theirs)).status_code == 404


def test_the_activity_is_paginated_on_the_share_page(site):
    for index in range(12):
        _event(Action.NOTEBOOK_VIEWED, "bob", notebook_id=site.notebook.pk, version=index + 1)
    owner = Client()
    owner.force_login(site.alice)
    first = owner.get(access_url(site.notebook))
    assert [row.event.version for row in first.context["audit_rows"]][:3] == [12, 11, 10]
    assert len(first.context["audit_rows"]) == 10
    assert "events=2#activity" in first.content.decode()
    second = owner.get(access_url(site.notebook), {"events": 2})
    assert len(second.context["audit_rows"]) == 4  # 12 views, the upload and the grant


def test_the_share_page_reads_the_activity_in_constant_queries(site, django_assert_num_queries):
    owner = Client()
    owner.force_login(site.alice)
    owner.get(access_url(site.notebook))
    url = access_url(site.notebook)
    with CaptureQueriesContext(connection) as few:
        owner.get(url)
    for index in range(30):
        _event(Action.NOTEBOOK_VIEWED, "bob", notebook_id=site.notebook.pk, version=index + 1)
    with django_assert_num_queries(len(few.captured_queries)):
        owner.get(url)
    audit_queries = [q["sql"] for q in few.captured_queries if "sharing_auditevent" in q["sql"]]
    assert len(audit_queries) == 2  # the count and the page
