"""Queries compiled once per process: the same rows as the ORM, counted like any query, and on
PostgreSQL run as server-side prepared statements (planned once per connection)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.test.utils import CaptureQueriesContext
from psycopg import RawCursor

from sharing.models import Notebook
from sharing.pages import prepared
from sharing.pages.prepared import PreparedQuery
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db


def _titled(**values):
    return Notebook.objects.select_related("owner").filter(owner_id=values["owner"]).order_by("pk")


TITLED = PreparedQuery(_titled, "owner")


def test_rows_are_the_orms_for_each_value(alice, bob, make_notebook):
    for user, title in ((alice, "Churn"), (alice, "Revenue"), (bob, "Bob's")):
        make_notebook(user, notebook_bytes(cells=2), title=title)
    for user in (alice, bob):
        found = TITLED.fetch(owner=user.pk)
        expected = list(_titled(owner=user.pk))
        assert [(n.pk, n.title, n.owner.username) for n in found] == [
            (n.pk, n.title, n.owner.username) for n in expected
        ]
        assert all(n._state.adding is False for n in found)  # loaded, as the ORM's are


def test_a_fetch_is_one_query_seen_by_query_counts(alice, make_notebook):
    make_notebook(alice, notebook_bytes(cells=2), title="Churn")
    with CaptureQueriesContext(connection) as queries:
        TITLED.fetch(owner=alice.pk)
    assert len(queries) == 1
    assert "sharing_notebook" in queries[0]["sql"]


def test_postgresql_prepares_the_statement_and_sqlite_keeps_its_cursor(alice, make_notebook):
    make_notebook(alice, notebook_bytes(cells=2), title="Churn")
    for _ in range(3):
        TITLED.fetch(owner=alice.pk)
    chosen, numbered = prepared._cursor(connection)
    with chosen, connection.cursor() as usual:
        usual_class = type(usual.cursor)
        chosen_class = type(chosen.cursor)
    if connection.vendor == "postgresql":
        # Unlogged, psycopg takes the statement with $1 placeholders as it is.
        assert numbered and issubclass(chosen_class, RawCursor)
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            statements = [row[0] for row in cursor.fetchall()]
        assert any('FROM "sharing_notebook"' in s and "$1" in s for s in statements), statements
        with CaptureQueriesContext(connection):  # logged: the %s form Django can print
            logged, numbered = prepared._cursor(connection)
            with logged:
                assert not numbered and isinstance(logged.cursor, ServerBindingCursor)
    else:  # nothing to prepare on: the backend's own cursor
        assert not numbered
        assert chosen_class is usual_class


def test_placeholders_are_numbered_and_literal_percent_signs_kept():
    sql = "SELECT %s, 'a%%b' LIKE %s, %s"
    assert prepared.numbered(sql) == "SELECT $1, 'a%b' LIKE $2, $3"


def test_text_values_take_their_own_sentinels(alice, bob, make_notebook):
    make_notebook(alice, notebook_bytes(cells=2), title="Churn")
    make_notebook(bob, notebook_bytes(cells=2), title="Bob's 100% sure")
    by_title = PreparedQuery(
        lambda title: Notebook.objects.filter(title=title, title__contains="%"),
        "title",
        text=("title",),
    )
    assert [n.title for n in by_title.fetch(title="Bob's 100% sure")] == ["Bob's 100% sure"]
    assert by_title.fetch(title="Churn") == []
