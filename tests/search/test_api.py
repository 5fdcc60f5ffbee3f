"""GET /api/v1/search: the page's search as JSON, documented, paginated."""

from __future__ import annotations

import pytest

from tests.api.support import TokenClient, token_for

pytestmark = pytest.mark.django_db


def test_search_api_returns_cells_with_highlights_and_links(alice, every_part):
    response = TokenClient(token_for(alice)).get("/search", q="pd.read_csv", part="code")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20
    hit = body["results"][0]
    assert hit["notebook_id"] == every_part.pk and hit["cell_id"] == "code-cell"
    assert hit["part"] == "code" and hit["version"] == 1 and hit["owner"] == "alice"
    assert hit["html_url"].endswith(f"/n/{every_part.pk}/#cell-code-cell")
    start, end = hit["highlights"][0]["start"], hit["highlights"][0]["end"]
    assert hit["excerpt"][start:end] == "pd.read_csv"


def test_search_api_filters_and_pages(alice, bob, make_notebook):
    for i in range(3):
        make_notebook(alice, title=f"walrus {i}")
    make_notebook(bob, title="walrus of bob")
    client = TokenClient(token_for(alice))
    first = client.get("/search", q="walrus", page_size=2).json()
    second = client.get("/search", q="walrus", page_size=2, page=2).json()
    assert first["count"] == second["count"] == 3  # bob's is not shared with alice
    titles = {h["title"] for h in first["results"] + second["results"]}
    assert titles == {"walrus 0", "walrus 1", "walrus 2"}
    assert client.get("/search", q="walrus", filter="shared").json()["results"] == []
    assert client.get("/search", q="walrus", owner="bob").json()["results"] == []


def test_search_api_refuses_empty_and_long_queries_with_messages(alice):
    client = TokenClient(token_for(alice))
    empty = client.get("/search", q="  ")
    assert empty.status_code == 400 and empty.json()["code"] == "empty_query"
    long = client.get("/search", q="x" * 10_000)
    assert long.status_code == 400 and "1,000 characters" in long.json()["detail"]
    assert client.get("/search", q="x", page_size=500).status_code == 422


def test_search_api_needs_credentials():
    assert TokenClient(None).get("/search", q="walrus").status_code == 401


def test_search_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "owner", "filter", "part", "has_comments", "versions", "page"} <= names
    assert {"200", "400", "401"} <= set(operation["responses"])
