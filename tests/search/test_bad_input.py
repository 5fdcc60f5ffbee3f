"""Hostile queries: a results page or a 400 with a message, never a 500; bounded work."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sharing.search.backends import SearchTimeout, backend
from tests.api.support import TokenClient, token_for
from tests.search.test_search import cells_bytes

pytestmark = pytest.mark.django_db

BAD = [
    "",
    "   ",
    "x" * 10_000,
    "the and of",
    "& | ! : * ( )",
    "a & b | !c",
    "'); DROP TABLE sharing_notebook; --",
    '"unbalanced quote',
    'owner: in: "',
    "nul\x00byte",
    "\x00",
    "日本語のノート",
    "текст نص 😀🐍",
    "*" * 500,
    "-only -excluded",
    "NEAR(a b) OR c",
    '"" "" ""',
    "::tsquery",
]


@pytest.fixture
def signed_in(alice, every_part):
    client = Client()
    client.force_login(alice)
    return client


@pytest.mark.parametrize("text", BAD, ids=range(len(BAD)))
def test_search_page_answers_every_bad_query(signed_in, text):
    response = signed_in.get("/search/", {"q": text, "owner": text[:150]})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    if response.status_code == 400:
        assert "at most 1,000 characters" in page
    else:
        assert "Search" in page


@pytest.mark.parametrize("text", BAD, ids=range(len(BAD)))
def test_search_api_answers_every_bad_query(alice, every_part, text):
    response = TokenClient(token_for(alice)).get("/search", q=text)
    assert response.status_code in (200, 400)
    body = response.json()
    if response.status_code == 400:
        assert body["code"] in ("empty_query", "too_long") and body["detail"]
    else:
        assert body["results"] == [] or body["notice"] == ""


def test_empty_state_says_what_was_searched(signed_in):
    page = signed_in.get("/search/", {"q": 'zzyzx "no such phrase"', "kind": "code"})
    html = page.content.decode()
    assert "No results" in html
    assert "“zzyzx”" in html and "the phrase “no such phrase”" in html and "in code" in html


def test_only_common_words_are_explained(signed_in):
    html = signed_in.get("/search/", {"q": "the of and"}).content.decode()
    assert "only very common words" in html


def test_non_latin_words_are_found(alice, make_notebook, signed_in):

    nb = make_notebook(alice, cells_bytes("print(1)", markdown="Анализ данных 日本語 ✨"))
    html = signed_in.get("/search/", {"q": "данных"}).content.decode()
    assert f"/n/{nb.pk}/#cell-md" in html
    assert f"/n/{nb.pk}/#cell-md" in signed_in.get("/search/", {"q": "日本語"}).content.decode()


def test_filters_out_of_range_are_400_not_500(signed_in):
    for params in ({"page": "0"}, {"page": "x"}, {"which": "everything"}, {"kind": "<b>"}):
        assert signed_in.get("/search/", {"q": "walrus", **params}).status_code == 400


def test_every_search_runs_within_the_time_bound(signed_in, settings):
    settings.SEARCH_TIMEOUT_MS = 750
    with CaptureQueriesContext(connection) as captured:
        assert signed_in.get("/search/", {"q": "walrus"}).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    match = next(i for i, sql in enumerate(statements) if "WITH scope" in sql)
    if connection.vendor == "postgresql":
        assert statements[match - 1].startswith(
            "SELECT set_config('statement_timeout', '750', true)"
        )


def test_the_bound_stops_a_slow_statement():
    """The bound the search runs under really stops work: a statement needing seconds is
    cancelled (statement_timeout on PostgreSQL, the progress handler on SQLite)."""
    slow = {
        "postgresql": "SELECT pg_sleep(5)",
        "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 1000000000) SELECT count(*) FROM n",
    }[connection.vendor]
    with pytest.raises(SearchTimeout), backend().bounded(200), connection.cursor() as cursor:
        cursor.execute(slow)
    with connection.cursor() as cursor:  # the connection is still usable
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
