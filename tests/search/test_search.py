"""Searching: phrases, exclusions, filters, versions, comments, titles (both databases)."""

from __future__ import annotations

import nbformat
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sharing.comments.threads import delete_comment, edit_comment
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.notebooks import add_version
from sharing.search.models import SearchEntry
from sharing.search.service import Filters, search
from tests.search.conftest import as_user, comment_on, found

pytestmark = pytest.mark.django_db


def cells_bytes(*sources: str, markdown: str = "") -> bytes:
    nb = new_notebook()
    if markdown:
        nb.cells.append(new_markdown_cell(markdown, id="md"))
    nb.cells += [new_code_cell(s, id=f"c{i}") for i, s in enumerate(sources)]
    return nbformat.writes(nb).encode()


@pytest.fixture
def two(alice, make_notebook):
    one = make_notebook(alice, cells_bytes("x = 1", markdown="import the data then clean it"))
    other = make_notebook(alice, cells_bytes("y = 2", markdown="clean the data then import it"))
    return one, other


def ids(user, text, **filters) -> set[int]:
    return {pk for pk, _kind, _cell in found(user, text, **filters)}


def test_all_words_must_match(two, alice):
    one, other = two
    assert ids(alice, "import clean") == {one.pk, other.pk}
    assert ids(alice, "import zebra") == set()


def test_a_phrase_matches_words_in_order(two, alice):
    one, other = two
    assert ids(alice, '"import the data"') == {one.pk}
    assert ids(alice, '"clean the data"') == {other.pk}


def test_excluded_words_and_phrases(two, alice):
    one, other = two
    assert ids(alice, 'data -"import the data"') == {other.pk}
    assert ids(alice, "data -x") == {one.pk, other.pk}  # x is in code, not the markdown cell
    assert ids(alice, "data -x in:markdown") == {one.pk, other.pk}


def test_in_code_and_the_part_filter(alice, make_notebook):
    nb = make_notebook(alice, cells_bytes("walrus = 1", markdown="walrus notes"))
    assert found(alice, "walrus in:code") == [(nb.pk, "code", "c0")]
    assert found(alice, "walrus", kind="markdown") == [(nb.pk, "markdown", "md")]
    assert found(alice, "walrus", kind="outputs") == []


def test_owner_filters(alice, bob, make_notebook):
    mine = make_notebook(alice, cells_bytes("walrus = 1"))
    theirs = make_notebook(bob, cells_bytes("walrus = 2"))
    set_user_role(theirs, alice, "viewer")
    assert ids(alice, "walrus") == {mine.pk, theirs.pk}
    assert ids(alice, "walrus owner:bob") == {theirs.pk}
    assert ids(alice, "walrus", owner="alice") == {mine.pk}
    assert ids(alice, "walrus", which="mine") == {mine.pk}
    assert ids(alice, "walrus", which="shared") == {theirs.pk}


def test_latest_version_by_default_every_version_on_request(alice, make_notebook):
    nb = make_notebook(alice, cells_bytes("old_name = 1"))
    add_version(nb, alice, Upload.from_bytes("a.ipynb", cells_bytes("new_name = 1")))
    assert ids(alice, "old_name") == set()
    assert ids(alice, "new_name") == {nb.pk}
    page = search(as_user(alice), "old_name", Filters(all_versions=True))
    assert [(r.notebook_id, r.version_number) for r in page.results] == [(nb.pk, 1)]
    assert page.results[0].url == f"/n/{nb.pk}/v/1/#cell-c0"


def test_comments_are_found_and_follow_edits_and_deletions(
    alice, make_notebook, django_capture_on_commit_callbacks
):
    nb = make_notebook(alice, cells_bytes("x = 1", markdown="notes"))
    comment = comment_on(nb, alice, "Is the capybara sample biased?", cell_id="md")
    assert found(alice, "capybara") == [(nb.pk, "comment", "md")]
    assert ids(alice, "capybara", has_comments=True) == {nb.pk}
    assert ids(alice, "notes", has_comments=True) == {nb.pk}
    edit_comment(comment, "Is the tapir sample biased?")
    assert ids(alice, "capybara") == set()
    assert ids(alice, "tapir") == {nb.pk}
    with django_capture_on_commit_callbacks(execute=True):
        delete_comment(comment)
    assert ids(alice, "tapir") == set()


def test_has_comments_leaves_out_notebooks_without_threads(alice, make_notebook):
    make_notebook(alice, cells_bytes("x = 1", markdown="quiet notes"))
    assert ids(alice, "quiet", has_comments=True) == set()


def test_a_renamed_title_is_found_by_its_new_name(client, alice, make_notebook):
    nb = make_notebook(alice, cells_bytes("x = 1"), title="Old heading")
    client.force_login(alice)
    client.post(f"/n/{nb.pk}/rename/", {"title": "Fresh heading"})
    assert ids(alice, "fresh") == {nb.pk}
    assert ids(alice, "old") == set()


def test_a_deleted_notebook_leaves_no_rows(client, alice, make_notebook):
    nb = make_notebook(alice, cells_bytes("walrus = 1"))
    client.force_login(alice)
    assert ids(alice, "walrus") == {nb.pk}
    assert client.post(f"/n/{nb.pk}/delete/").status_code == 302
    assert not SearchEntry.objects.filter(notebook_id=nb.pk).exists()
    assert ids(alice, "walrus") == set()


def test_results_page_links_to_the_cell_with_highlights(client, alice, make_notebook):
    nb = make_notebook(alice, cells_bytes("df = pd.read_csv('x.csv')"), title="Loader")
    client.force_login(alice)
    page = client.get("/search/", {"q": "read_csv"}).content.decode()
    assert f'href="/n/{nb.pk}/#cell-c0"' in page
    assert "<mark>pd.read_csv</mark>" in page
    assert "Loader" in page and "alice" in page and "version 1" in page


def test_pagination_pages_through_notebooks(client, alice, make_notebook):
    made = {make_notebook(alice, cells_bytes(f"walrus_{i} = {i}")).pk for i in range(3)}
    seen = set()
    for page in (1, 2, 3):
        page_of = search(as_user(alice), "walrus", Filters(), page=page, page_size=1)
        assert len(page_of.results) == 1 and page_of.total == 3
        assert page_of.has_next is (page < 3)
        seen.add(page_of.results[0].notebook_id)
    assert seen == made
    client.force_login(alice)
    html = client.get("/search/", {"q": "walrus"}).content.decode()
    assert "3 notebooks match" in html


def test_query_count_does_not_grow_with_notebooks_or_results(alice, make_notebook):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = search(as_user(alice), "walrus", Filters())
            assert page.results
        return len(captured)

    make_notebook(alice, cells_bytes("walrus = 1"))
    few = queries()
    for i in range(5):
        make_notebook(alice, cells_bytes(f"walrus = {i}", markdown="walrus"))
    # The match with its permissions, then the page's rows with their notebooks and owners
    # (PostgreSQL adds the SET LOCAL of the time bound and its savepoint).
    assert queries() == few
    assert few <= 5
