"""Comment threads on cells: the JSON endpoints, who may do what, bodies, and query counts."""

from __future__ import annotations

from html.parser import HTMLParser

import nbformat
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_notebook

from sharing.comments.cells import version_cells
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import Comment, CommentThread, ThreadAnchor
from sharing.notebooks import add_version
from sharing.pages import memo
from sharing.rendering.sanitize import LINK_REL

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<script>window.__pwned = 1</script>\n\n"
    '<img src="x" onerror="window.__pwned = 2">\n\n'
    "[click me](javascript:window.__pwned=3)\n\n"
    "![tracker](https://evil.example/pixel.png)\n\n"
    '<a href="javascript:alert(1)" onclick="alert(2)">raw link</a>'
)


@pytest.fixture
def shared(alice, bob, carol, make_notebook):
    """alice owns a 4-cell notebook; bob may comment, carol may only view."""
    notebook = make_notebook(alice, data=_notebook(4), title="Churn")
    set_user_role(notebook, bob, "commenter")
    set_user_role(notebook, carol, "viewer")
    return notebook


def _notebook(cells: int) -> bytes:
    nb = new_notebook()
    for i in range(cells):
        cell = new_code_cell(f"threshold = {i}\nprint(threshold)")
        cell.id = f"c{i}"
        nb.cells.append(cell)
    return nbformat.writes(nb).encode()


def _list_url(notebook, number: int = 1) -> str:
    return reverse("sharing:version-comments", args=[notebook.pk, number])


def _start(client, notebook, cell_id="c2", body="Why this threshold?", number=1):
    return client.post(
        _list_url(notebook, number),
        {"cell_id": cell_id, "body": body},
        HTTP_ACCEPT="application/json",
    )


def _threads(client, notebook, number=1) -> list[dict]:
    response = client.get(_list_url(notebook, number))
    assert response.status_code == 200
    return response.json()["threads"]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def _snapshot() -> tuple:
    return (
        list(CommentThread.objects.values_list("pk", "resolved_at")),
        list(Comment.objects.values_list("pk", "body", "edited_at")),
    )


# --- starting threads and reading them ---------------------------------------------------


def test_commenter_starts_a_thread_on_a_cell_and_everyone_with_access_sees_it(
    client, shared, bob, carol
):
    client.force_login(bob)
    response = _start(client, shared, body="Why **this** threshold?")
    assert response.status_code == 201
    client.force_login(carol)
    [thread] = _threads(client, shared)
    assert thread["cell_id"] == "c2"
    assert thread["cell_index"] == 2
    assert thread["state"] == "current"
    assert thread["excerpt"] == "threshold = 2\nprint(threshold)"
    assert thread["resolved"] is False
    assert thread["comments"][0]["author"] == "bob"
    assert thread["comments"][0]["html"] == "<p>Why <strong>this</strong> threshold?</p>\n"


def test_viewer_reads_threads_but_cannot_post_or_resolve(client, shared, bob, carol):
    client.force_login(bob)
    _start(client, shared)
    thread = CommentThread.objects.get()
    # GIVEN carol, a viewer
    client.force_login(carol)
    before = _snapshot()
    # WHEN she reads the threads
    data = client.get(_list_url(shared)).json()
    # THEN she sees them, without reply or edit addresses
    assert data["can_comment"] is False
    assert data["threads"][0]["can_reply"] is False
    assert data["threads"][0]["urls"] == {}
    assert data["threads"][0]["comments"][0]["urls"] == {}
    # WHEN she tries to post, reply or resolve THEN each is 403 and nothing changes
    assert _start(client, shared).status_code == 403
    reply_url = reverse("sharing:comment-reply", args=[shared.pk, thread.pk])
    assert client.post(reply_url, {"body": "me too"}).status_code == 403
    resolve_url = reverse("sharing:comment-resolve", args=[shared.pk, thread.pk])
    assert client.post(resolve_url).status_code == 403
    assert _snapshot() == before


def test_someone_without_access_gets_404_for_reading_and_posting(client, shared, make_user):
    # GIVEN dave, who has no access
    client.force_login(make_user("dave"))
    # WHEN he reads or posts THEN 404, as if the notebook did not exist
    assert client.get(_list_url(shared)).status_code == 404
    assert _start(client, shared).status_code == 404
    assert not CommentThread.objects.exists()


def test_a_comment_on_a_cell_that_does_not_exist_is_refused(client, shared, bob):
    client.force_login(bob)
    response = _start(client, shared, cell_id="nope")
    assert response.status_code == 400
    assert response.json()["errors"]["cell_id"][0]["code"] == "no_such_cell"
    response = _start(client, shared, cell_id="")
    assert response.status_code == 400
    assert response.json()["errors"]["cell_id"][0]["code"] == "required"
    assert not CommentThread.objects.exists()


def test_an_empty_comment_is_refused(client, shared, bob):
    client.force_login(bob)
    response = _start(client, shared, body="   \n  ")
    assert response.status_code == 400
    assert response.json()["errors"]["body"][0]["code"] == "required"
    assert not CommentThread.objects.exists()


def test_a_comment_over_the_length_limit_is_refused_with_a_clear_error(
    client, shared, bob, settings
):
    settings.COMMENT_MAX_LENGTH = 50
    client.force_login(bob)
    response = _start(client, shared, body="x" * 51)
    assert response.status_code == 400
    error = response.json()["errors"]["body"][0]
    assert error["code"] == "too_long"
    assert error["message"] == "A comment can be at most 50 characters long; this one has 51."
    assert not CommentThread.objects.exists()
    assert _start(client, shared, body="x" * 50).status_code == 201


def test_a_null_character_is_refused(client, shared, bob):
    client.force_login(bob)
    response = _start(client, shared, body="a\x00b")
    assert response.status_code == 400
    assert not CommentThread.objects.exists()


def test_new_threads_on_an_older_version_are_refused_with_409(client, shared, alice, bob):
    add_version(shared, alice, Upload.from_bytes("v2.ipynb", _notebook(4)))
    client.force_login(bob)
    response = _start(client, shared, number=1)
    assert response.status_code == 409
    assert response.json()["errors"]["__all__"][0]["code"] == "old_version"
    assert _start(client, shared, number=2).status_code == 201


def test_a_version_that_does_not_exist_is_404(client, shared, bob):
    client.force_login(bob)
    assert client.get(_list_url(shared, 9)).status_code == 404
    assert _start(client, shared, number=9).status_code == 404


def test_a_thread_of_another_notebook_is_404(client, shared, alice, bob, make_notebook):
    other = make_notebook(alice, data=_notebook(2), title="Other")
    set_user_role(other, bob, "commenter")
    client.force_login(bob)
    _start(client, other, cell_id="c1")
    thread = CommentThread.objects.get()
    url = reverse("sharing:comment-reply", args=[shared.pk, thread.pk])
    assert client.post(url, {"body": "wrong notebook"}).status_code == 404
    assert Comment.objects.count() == 1


# --- replies, edits, deletion, resolving -------------------------------------------------


def test_reply_edit_and_resolve_then_reopen(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared)
    thread = CommentThread.objects.get()
    client.force_login(alice)
    url = reverse("sharing:comment-reply", args=[shared.pk, thread.pk])
    assert client.post(url, {"body": "Because of the *ROC* curve."}).status_code == 201
    reply = Comment.objects.get(author=alice)
    edit_url = reverse("sharing:comment-edit", args=[shared.pk, reply.pk])
    assert client.post(edit_url, {"body": "Because of the PR curve."}).status_code == 200
    client.force_login(bob)
    resolve = reverse("sharing:comment-resolve", args=[shared.pk, thread.pk])
    assert client.post(resolve).json() == {"thread": thread.pk, "resolved": True}
    [data] = _threads(client, shared)
    assert [c["html"] for c in data["comments"]] == [
        "<p>Why this threshold?</p>\n",
        "<p>Because of the PR curve.</p>\n",
    ]
    assert data["comments"][1]["edited_at"] is not None
    assert data["resolved"] is True
    assert data["resolved_by"] == "bob"
    reopen = reverse("sharing:comment-reopen", args=[shared.pk, thread.pk])
    assert client.post(reopen).json() == {"thread": thread.pk, "resolved": False}
    assert _threads(client, shared)[0]["resolved"] is False


def test_only_the_author_edits_a_comment(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared)
    comment = Comment.objects.get()
    # GIVEN alice, the owner, who did not write it
    client.force_login(alice)
    before = _snapshot()
    # WHEN she edits it THEN 403 and the body is unchanged
    url = reverse("sharing:comment-edit", args=[shared.pk, comment.pk])
    assert client.post(url, {"body": "rewritten"}).status_code == 403
    assert _snapshot() == before
    # and the list does not offer her the edit
    assert "edit" not in _threads(client, shared)[0]["comments"][0]["urls"]


def test_author_who_lost_comment_rights_cannot_edit_or_delete(client, shared, bob):
    client.force_login(bob)
    _start(client, shared)
    comment = Comment.objects.get()
    # GIVEN bob, demoted to viewer
    set_user_role(shared, bob, "viewer")
    before = _snapshot()
    # WHEN he edits or deletes his comment THEN 403 and nothing changes
    edit = reverse("sharing:comment-edit", args=[shared.pk, comment.pk])
    delete = reverse("sharing:comment-delete", args=[shared.pk, comment.pk])
    assert client.post(edit, {"body": "x"}).status_code == 403
    assert client.post(delete).status_code == 403
    assert _snapshot() == before


def test_commenters_cannot_delete_each_others_comments_but_the_owner_can(
    client, shared, alice, bob, make_user
):
    dave = make_user("dave")
    set_user_role(shared, dave, "commenter")
    client.force_login(bob)
    _start(client, shared)
    comment = Comment.objects.get()
    url = reverse("sharing:comment-delete", args=[shared.pk, comment.pk])
    # GIVEN dave, another commenter WHEN he deletes bob's comment THEN 403
    client.force_login(dave)
    assert client.post(url).status_code == 403
    assert Comment.objects.exists()
    # GIVEN alice, the owner WHEN she deletes it THEN it is gone (moderation)
    client.force_login(alice)
    assert client.post(url).json() == {"thread": comment.thread_id, "thread_deleted": True}
    assert not Comment.objects.exists()
    assert not CommentThread.objects.exists()


def test_deleting_the_first_comment_keeps_a_thread_that_has_replies(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared)
    thread = CommentThread.objects.get()
    client.force_login(alice)
    client.post(reverse("sharing:comment-reply", args=[shared.pk, thread.pk]), {"body": "ok"})
    first = Comment.objects.get(author=bob)
    client.force_login(bob)
    response = client.post(reverse("sharing:comment-delete", args=[shared.pk, first.pk]))
    assert response.json()["thread_deleted"] is False
    [data] = _threads(client, shared)
    assert [c["author"] for c in data["comments"]] == ["alice"]


def test_comments_are_deleted_with_their_notebook(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared)
    client.force_login(alice)
    response = client.post(reverse("sharing:notebook-delete", args=[shared.pk]))
    assert response.status_code == 302
    assert not CommentThread.objects.exists()
    assert not Comment.objects.exists()
    assert not ThreadAnchor.objects.exists()


def test_a_deleted_account_leaves_its_comments_with_its_name(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared)
    bob.delete()
    client.force_login(alice)
    [thread] = _threads(client, shared)
    assert thread["comments"][0]["author"] == "bob"
    assert thread["comments"][0]["author_removed"] is True
    assert thread["comments"][0]["urls"] == {
        "delete": reverse("sharing:comment-delete", args=[shared.pk, Comment.objects.get().pk])
    }


# --- bodies ------------------------------------------------------------------------------


def test_a_hostile_body_is_stored_as_written_and_rendered_inert(client, shared, bob):
    client.force_login(bob)
    assert _start(client, shared, body=HOSTILE).status_code == 201
    comment = Comment.objects.get()
    assert comment.body == HOSTILE
    html = comment.body_html
    elements = _elements(html)
    assert {tag for tag, _ in elements} <= {"p", "a"}
    for _tag, attrs in elements:
        assert not [name for name in attrs if name.startswith("on")]
        assert not attrs.get("href", "").lower().startswith("javascript")
    # the remote image became a plain link; the raw HTML is shown as text
    assert ("a", {"href": "https://evil.example/pixel.png", "rel": LINK_REL}) in elements
    assert "&lt;script&gt;" in html


def test_fenced_code_is_highlighted_with_the_notebook_pygments_classes(client, shared, bob):
    client.force_login(bob)
    _start(client, shared, body="Try:\n\n```python\ndef f(x):\n    return x\n```")
    html = Comment.objects.get().body_html
    assert '<div class="highlight hl-python">' in html
    assert '<span class="k">def</span>' in html


def test_the_notebook_page_links_the_comment_panel_script_and_styles(client, shared, carol):
    client.force_login(carol)
    response = client.get(shared.get_absolute_url())
    page = response.content.decode()
    assert f'data-comments-url="{_list_url(shared)}"' in page
    assert "js/comments" in page and "css/comments" in page
    assert 'name="csrfmiddlewaretoken"' in page


# --- performance (acceptance 4) ----------------------------------------------------------


@pytest.fixture
def busy(alice, bob, make_notebook):
    """A 200-cell notebook with 1,000 comments in 200 threads."""
    notebook = make_notebook(alice, data=_notebook(200), title="Busy")
    set_user_role(notebook, bob, "commenter")
    version = notebook.latest_version
    cells = list(version_cells(version).values())
    threads = CommentThread.objects.bulk_create(
        CommentThread(
            notebook=notebook,
            version=version,
            cell_id=cell.id,
            cell_type=cell.cell_type,
            source_sha256=cell.source_sha256,
            excerpt=cell.excerpt,
            created_by=bob,
        )
        for cell in cells
    )
    ThreadAnchor.objects.bulk_create(
        ThreadAnchor(thread=t, version=version, cell_id=c.id, cell_index=c.index)
        for t, c in zip(threads, cells, strict=True)
    )
    Comment.objects.bulk_create(
        Comment(
            thread=thread,
            author=bob if i % 2 else alice,
            author_name="bob" if i % 2 else "alice",
            body=f"comment {i}",
            body_html=f"<p>comment {i}</p>",
        )
        for thread in threads
        for i in range(5)
    )
    return notebook


def test_the_comment_data_of_a_busy_notebook_loads_in_one_request_with_constant_queries(
    client, busy, bob, django_assert_num_queries
):
    client.force_login(bob)
    # session + person, the version with its notebook and bob's grants (direct and through
    # groups), the comments with their anchors, threads and the versions they started on
    with django_assert_num_queries(3):
        response = client.get(_list_url(busy))
    threads = response.json()["threads"]
    assert len(threads) == 200
    assert sum(len(t["comments"]) for t in threads) == 1000


def test_the_page_of_a_busy_notebook_renders_with_the_same_queries_as_an_empty_one(
    client, busy, alice, bob, make_notebook, django_assert_num_queries
):
    quiet = make_notebook(alice, data=_notebook(200), title="Quiet")
    set_user_role(quiet, bob, "commenter")
    client.force_login(bob)
    # The page lists the threads for readers without JavaScript in a fixed number of queries;
    # the script fetches them in one request. (Each page seen once: what never changes, the
    # rendered HTML and the version list, is then kept.)
    client.get(quiet.get_absolute_url())
    client.get(busy.get_absolute_url())
    memo.clear()  # the whole way for both (a repeat view is pinned in tests/pages/test_memo.py)
    with CaptureQueriesContext(connection) as quiet_queries:
        assert client.get(quiet.get_absolute_url()).status_code == 200
    with django_assert_num_queries(len(quiet_queries)):
        response = client.get(busy.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b'class="jp-Cell ') == 200
