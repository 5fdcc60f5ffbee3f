"""Repeat views answered by the memo: one check, the kept answer, the audit event; and every
change a person could see, or a change of person, session or browser, takes the whole way."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sharing.accounts.models import UserSession
from sharing.audit.models import Action, AuditEvent
from sharing.grants import set_group_role, set_user_role
from sharing.ingest import Upload
from sharing.links import create_link
from sharing.models import Notebook, ShareLink
from sharing.notebooks import add_version
from sharing.notifications.activity import record_link_visit
from sharing.pages import generation, memo
from tests.conftest import commits_asynchronously, notebook_bytes
from tests.pages.support import GZIP, VIEW_RECORDED, comment_on, page

pytestmark = pytest.mark.django_db

# A hit: the session row and the generation checked and the view's audit event written in one
# statement on PostgreSQL (here in a savepoint: 3); a check, then the event, on SQLite.
HIT = 3 if connection.vendor == "postgresql" else 1 + VIEW_RECORDED
FAILED_CHECK = 3 if connection.vendor == "postgresql" else 1


@pytest.fixture
def as_bob(bob, shared):
    """Bob's browser, holding its CSRF secret, his page kept."""
    client = Client()
    client.force_login(bob)
    client.get(page(shared))  # the browser is given its CSRF secret
    client.get(page(shared))  # the page is kept
    return client


def test_a_repeat_view_is_one_check_and_the_audit_event(
    as_bob, bob, shared, django_assert_num_queries
):
    first = as_bob.get(page(shared), headers=GZIP)  # kept, gzip-compressed
    views = AuditEvent.objects.filter(action=Action.NOTEBOOK_VIEWED).count()
    with django_assert_num_queries(HIT):
        again = as_bob.get(
            page(shared), headers={**GZIP, "User-Agent": "probe/1", "X-Request-ID": "req-12345678"}
        )
    assert again.status_code == 200 and again.content == first.content
    for header in ("ETag", "Content-Encoding", "Vary", "Cache-Control", "Content-Security-Policy"):
        assert again[header] == first[header]
    assert again["X-Request-ID"] == "req-12345678"
    assert b"the <em>baseline</em> is off" in gzip.decompress(again.content)
    # The CSRF cookie is renewed as the full page renews it, with the browser's own secret.
    assert again.cookies["csrftoken"].value == as_bob.cookies["csrftoken"].value
    assert again.cookies["csrftoken"]["max-age"]
    # The view is recorded as the view records it, with this request's own details.
    assert AuditEvent.objects.filter(action=Action.NOTEBOOK_VIEWED).count() == views + 1
    event = AuditEvent.objects.latest("pk")
    assert (event.actor_user_id, event.actor_name, event.notebook_id, event.version) == (
        bob.pk,
        "bob",
        shared.pk,
        1,
    )
    assert (event.user_agent, event.request_id, event.ip_address) == (
        "probe/1",
        "req-12345678",
        "127.0.0.1",
    )


@pytest.mark.django_db(transaction=True)
def test_a_hit_records_the_view_without_waiting_for_the_disk(as_bob, shared, settings):
    """Served as in production (autocommit): the check and the view's event in one statement,
    its transaction committed asynchronously on PostgreSQL; durable views wait for the disk."""
    for durable in (False, True):
        settings.AUDIT_DURABLE_VIEWS = durable  # drops what was kept: the next view keeps
        as_bob.get(page(shared))
        with CaptureQueriesContext(connection) as queries:
            assert as_bob.get(page(shared)).status_code == 200
        # A hit: one statement on PostgreSQL (no transaction around it), a check and an insert
        # on SQLite.
        assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
        (recorded,) = [
            q["sql"] for q in queries.captured_queries if "sharing_auditevent" in q["sql"]
        ]
        asynchronous = connection.vendor == "postgresql" and not durable
        assert commits_asynchronously(recorded) is asynchronous
        if connection.vendor == "postgresql":  # the setting ended with that statement
            with connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()[0] == "on"


def test_a_held_etag_gets_a_304_after_the_same_check(as_bob, shared, django_assert_num_queries):
    etag = as_bob.get(page(shared))["ETag"]
    with django_assert_num_queries(HIT):
        response = as_bob.get(page(shared), headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag and "no-cache" in response["Cache-Control"]
    assert "Content-Length" not in response and "Content-Type" not in response


def test_a_304_seen_once_is_kept_and_a_full_view_is_rendered(
    bob, shared, django_assert_num_queries
):
    client = Client()
    client.force_login(bob)
    etag = client.get(page(shared))["ETag"]
    etag = client.get(page(shared), headers={"If-None-Match": etag})["ETag"]
    memo.clear()
    assert client.get(page(shared), headers={"If-None-Match": etag}).status_code == 304
    with django_assert_num_queries(HIT):  # the 304 kept
        assert client.get(page(shared), headers={"If-None-Match": etag}).status_code == 304
    with django_assert_num_queries(3 + VIEW_RECORDED):  # no body kept: the whole way
        full = client.get(page(shared))
    assert full.status_code == 200 and b"baseline" in full.content


def test_access_removed_is_404_at_the_next_request(as_bob, bob, shared):
    etag = as_bob.get(page(shared))["ETag"]
    set_user_role(shared, bob, None)
    assert as_bob.get(page(shared)).status_code == 404
    assert as_bob.get(page(shared), headers={"If-None-Match": etag}).status_code == 404


def test_access_through_a_group_removed_is_404_at_the_next_request(alice, bob, make_notebook):
    notebook = make_notebook(alice, notebook_bytes(cells=2))
    team = Group.objects.create(name="analysts")
    bob.groups.add(team)
    set_group_role(notebook, team, "viewer")
    client = Client()
    client.force_login(bob)
    client.get(page(notebook))
    assert client.get(page(notebook)).status_code == 200  # kept
    bob.groups.remove(team)
    assert client.get(page(notebook)).status_code == 404


def test_a_role_change_a_new_version_and_a_new_comment_show_at_the_next_request(
    as_bob, alice, bob, shared
):
    before = as_bob.get(page(shared))
    set_user_role(shared, bob, "editor")
    after = as_bob.get(page(shared))
    assert b"badge-editor" in after.content and after["ETag"] != before["ETag"]
    as_bob.get(page(shared))
    comment_on(shared, alice, "Second thoughts on cell two", cell_number=1)
    assert b"Second thoughts on cell two" in as_bob.get(page(shared)).content
    as_bob.get(page(shared))
    add_version(shared, alice, Upload.from_bytes("analysis.ipynb", notebook_bytes(cells=3)))
    assert b"data-version-number>2<" in as_bob.get(page(shared)).content
    as_bob.get(page(shared))
    Notebook.objects.filter(pk=shared.pk).update(title="Churn, revised")  # no signal sent
    assert b"Churn, revised" in as_bob.get(page(shared)).content


def test_a_kept_answer_is_never_sent_to_another_person_or_browser(
    as_bob, bob, carol, shared, django_assert_num_queries
):
    set_user_role(shared, carol, "viewer")
    bobs = as_bob.get(page(shared)).content
    as_carol, bob_elsewhere = Client(), Client()
    as_carol.force_login(carol)
    bob_elsewhere.force_login(bob)
    for client in (as_carol, bob_elsewhere):
        client.get(page(shared))
        client.get(page(shared))
        # Even with bob's ETag, each gets their own answer.
        etag = as_bob.get(page(shared))["ETag"]
        answer = client.get(page(shared), headers={"If-None-Match": etag})
        assert answer.status_code == 200 and answer.content != bobs
    assert b'aria-label="carol: account menu"' in as_carol.get(page(shared)).content
    assert b'aria-label="bob:' not in as_carol.get(page(shared)).content
    assert as_bob.get(page(shared)).content == bobs


def test_a_signed_out_or_expired_session_takes_the_whole_way(as_bob, bob, shared):
    UserSession.objects.filter(user=bob).update(expire_date=timezone.now() - timedelta(1))
    response = as_bob.get(page(shared))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_deactivated_account_is_signed_out_at_the_next_request(as_bob, bob, shared):
    bob.is_active = False
    bob.save()
    assert as_bob.get(page(shared)).status_code == 302


def test_a_changed_session_takes_the_whole_way(as_bob, shared, django_assert_num_queries):
    session = as_bob.session
    session["seen"] = "something"
    session.save()
    with django_assert_num_queries(FAILED_CHECK + 3 + VIEW_RECORDED):  # then the whole way
        assert as_bob.get(page(shared)).status_code == 200


def test_a_page_seen_through_a_share_link_is_never_kept(alice, carol, shared):
    """A link ends by the clock alone (no write): its holder's pages take the whole way, so
    the link's end shows at the next request."""
    link, token = create_link(shared, alice, expires_at=timezone.now() + timedelta(hours=1))
    client = Client()
    client.force_login(carol)
    assert client.get(reverse("sharing:share-link-open", args=[token])).status_code == 302
    for _ in range(3):
        assert client.get(page(shared)).status_code == 200
    assert not memo._entries._items
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
    assert client.get(page(shared)).status_code in (404, 410)


def test_a_page_with_a_message_is_not_kept(as_bob, alice, shared):
    client = Client()
    client.force_login(alice)
    client.get(page(shared))
    url = reverse("sharing:notebook-rename", args=[shared.pk])
    client.post(url, {"title": "Quarterly churn, renamed"})
    memo.clear()
    assert b"Notebook renamed." in client.get(page(shared)).content
    assert b"Notebook renamed." not in client.get(page(shared)).content


def test_an_api_token_or_another_host_is_never_answered_from_a_bobs_browser(as_bob, shared):
    response = as_bob.get(page(shared), headers={"Authorization": "Token nope"})
    assert response.status_code in (200, 401, 403)
    assert as_bob.get(page(shared), HTTP_HOST="evil.example").status_code == 400


def test_every_counted_table_carries_the_trigger_and_a_write_moves_the_generation(
    alice, bob, shared
):
    with connection.cursor() as cursor:
        triggered = generation._triggered(connection, cursor)
    assert set(generation.counted_tables()) <= triggered
    assert not (triggered & generation.UNCOUNTED)
    before = generation.current()
    Notebook.objects.filter(pk=shared.pk).update(title="moved")
    assert generation.current() > before
    before = generation.current()
    AuditEvent.objects.create(action=Action.NOTEBOOK_VIEWED, actor_kind="system")
    assert generation.current() == before  # what page views write is not counted


def test_triggers_are_installed_once(django_db_blocker):
    assert generation.install() == []


# Lists and the comments JSON ----------------------------------------------------------------

# A hit that records nothing: the session row and the generation checked (on PostgreSQL in a
# savepoint of its own, as each test runs in a transaction).
CHECK = 3 if connection.vendor == "postgresql" else 1
DASHBOARD = reverse("sharing:dashboard")


def kept(client, url: str, **headers):
    """The browser's CSRF secret given, then the answer kept; the kept answer."""
    client.get(url, headers=headers)
    client.get(url, headers=headers)
    return client.get(url, headers=headers)


def test_a_repeat_dashboard_is_one_check_and_its_bytes_give_a_304(
    bob, shared, django_assert_num_queries
):
    client = Client()
    client.force_login(bob)
    url = f"{DASHBOARD}?tab=shared"
    first = kept(client, url, **GZIP)
    assert first["ETag"] and "no-cache" in first["Cache-Control"]
    assert b"Quarterly churn" in gzip.decompress(first.content)
    with django_assert_num_queries(CHECK):  # nothing recorded: a list view is no event
        again = client.get(url, headers=GZIP)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    with django_assert_num_queries(CHECK):
        revalidated = client.get(url, headers={**GZIP, "If-None-Match": first["ETag"]})
    assert revalidated.status_code == 304 and revalidated.content == b""


def test_a_share_or_its_end_shows_on_the_dashboard_at_the_next_request(
    alice, bob, shared, make_notebook
):
    client = Client()
    client.force_login(bob)
    url = f"{DASHBOARD}?tab=shared"
    assert b"Weekly revenue" not in kept(client, url).content
    later = make_notebook(alice, notebook_bytes(cells=2), title="Weekly revenue")
    set_user_role(later, bob, "viewer")
    assert b"Weekly revenue" in client.get(url).content
    client.get(url)
    set_user_role(shared, bob, None)
    assert b"Quarterly churn" not in client.get(url).content


def test_a_dashboard_is_never_sent_to_another_person_or_browser(alice, bob, carol, shared):
    set_user_role(shared, carol, "viewer")
    as_bob, as_carol, bob_elsewhere = Client(), Client(), Client()
    for client, user in ((as_bob, bob), (as_carol, carol), (bob_elsewhere, bob)):
        client.force_login(user)
    bobs = kept(as_bob, DASHBOARD)
    for client in (as_carol, bob_elsewhere):
        answer = client.get(DASHBOARD, headers={"If-None-Match": bobs["ETag"]})
        assert answer.status_code == 200 and answer.content != bobs.content
    assert b'aria-label="carol: account menu"' in kept(as_carol, DASHBOARD).content


def test_a_listed_link_is_kept_on_the_dashboard_only_until_it_expires(
    alice, carol, shared, monkeypatch, django_assert_num_queries
):
    """A share link leaves "Opened through links" when it expires, with no write: the kept
    dashboard that lists it is not used from that second on."""
    expires = timezone.now() + timedelta(hours=1)
    link, _ = create_link(shared, alice, expires_at=expires)
    record_link_visit(carol, link)
    client = Client()
    client.force_login(carol)
    assert b"data-opened-links" in kept(client, DASHBOARD).content
    with django_assert_num_queries(CHECK):
        assert b"data-opened-links" in client.get(DASHBOARD).content
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=1, seconds=1))
    assert b"data-opened-links" not in client.get(DASHBOARD).content


def test_a_dashboard_with_a_message_is_not_kept(alice, shared, make_notebook):
    doomed = make_notebook(alice, notebook_bytes(cells=2), title="Scratch work")
    client = Client()
    client.force_login(alice)
    kept(client, DASHBOARD)
    client.post(reverse("sharing:notebook-delete", args=[doomed.pk]))
    assert "Deleted “Scratch work”".encode() in client.get(DASHBOARD).content
    assert "Deleted “Scratch work”".encode() not in client.get(DASHBOARD).content


def test_the_comments_json_is_kept_and_a_new_comment_shows_at_the_next_request(
    alice, bob, shared, django_assert_num_queries
):
    client = Client()
    client.force_login(bob)
    url = reverse("sharing:version-comments", args=[shared.pk, 1])
    first = kept(client, url)
    with django_assert_num_queries(CHECK):
        assert client.get(url).content == first.content
    comment_on(shared, alice, "Look at March again", cell_number=1)
    assert "Look at March again" in client.get(url).content.decode()
