"""Comments without JavaScript: the page lists the threads itself and plain HTML forms post to
the comment endpoints, which answer a browser's form post with a message and a redirect back
to the notebook page at the cell (post/redirect/get)."""

from __future__ import annotations

import re

import nbformat
import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_notebook

from sharing.comments.data import VersionThreads
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import Comment, CommentThread
from sharing.notebooks import add_version

pytestmark = pytest.mark.django_db

# What a browser sends for a form submission (navigation), as opposed to the script's fetch.
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def shared(alice, bob, carol, make_notebook):
    """alice owns a 4-cell notebook; bob may comment, carol may only view."""
    notebook = make_notebook(alice, data=_notebook(4), title="Churn")
    set_user_role(notebook, bob, "commenter")
    set_user_role(notebook, carol, "viewer")
    return notebook


def _notebook(cells: int, changed: int | None = None) -> bytes:
    nb = new_notebook()
    for i in range(cells):
        source = f"threshold = {i}\nprint(threshold)" + ("  # changed" if i == changed else "")
        cell = new_code_cell(source)
        cell.id = f"c{i}"
        nb.cells.append(cell)
    return nbformat.writes(nb).encode()


def _start(client, notebook, cell_id="c2", body="Why this threshold?"):
    url = reverse("sharing:version-comments", args=[notebook.pk, 1])
    return client.post(url, {"cell_id": cell_id, "body": body}, **BROWSER)


def _thread_url(name: str, notebook, thread) -> str:
    return reverse(f"sharing:{name}", args=[notebook.pk, thread.pk])


def _message(response) -> str:
    """The message this response added (earlier ones wait for a page to show them)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def test_a_commenter_starts_a_thread_by_form_and_is_sent_back_to_the_cell(client, shared, bob):
    client.force_login(bob)
    response = _start(client, shared, body="Why **this** threshold?")
    assert response.status_code == 302
    assert response["Location"] == f"{shared.get_absolute_url()}#cell-c2"
    assert _message(response) == "Thread started on cell 3."
    thread = CommentThread.objects.get()
    assert (thread.notebook, thread.cell_id, thread.created_by) == (shared, "c2", bob)
    assert thread.comments.get().body == "Why **this** threshold?"


def test_reply_resolve_and_reopen_by_form_redirect_to_the_cell(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared)
    thread = CommentThread.objects.get()
    back = f"{shared.get_absolute_url()}#cell-c2"
    client.force_login(alice)
    response = client.post(
        _thread_url("comment-reply", shared, thread), {"body": "ROC."}, **BROWSER
    )
    assert (response.status_code, response["Location"]) == (302, back)
    assert _message(response) == "Reply posted."
    assert list(thread.comments.values_list("author_name", "body")) == [
        ("bob", "Why this threshold?"),
        ("alice", "ROC."),
    ]
    response = client.post(_thread_url("comment-resolve", shared, thread), **BROWSER)
    assert (response.status_code, response["Location"]) == (302, back)
    thread.refresh_from_db()
    assert thread.is_resolved and thread.resolved_by == alice
    response = client.post(_thread_url("comment-reopen", shared, thread), **BROWSER)
    assert (response.status_code, response["Location"]) == (302, back)
    thread.refresh_from_db()
    assert not thread.is_resolved


def test_a_form_on_an_older_version_sends_back_to_that_version_at_the_cell_there(
    client, shared, alice, bob
):
    client.force_login(bob)
    _start(client, shared, cell_id="c3")
    thread = CommentThread.objects.get()
    add_version(shared, alice, Upload.from_bytes("churn.ipynb", _notebook(4)))
    url = _thread_url("comment-reply", shared, thread)
    response = client.post(url, {"body": "From v1.", "version": "1"}, **BROWSER)
    v1 = reverse("sharing:version-detail", args=[shared.pk, 1])
    assert (response.status_code, response["Location"]) == (302, f"{v1}#cell-c3")
    # A version field that is not a number is ignored: back to the latest version.
    response = client.post(url, {"body": "Again.", "version": "²"}, **BROWSER)
    assert response["Location"] == f"{shared.get_absolute_url()}#cell-c3"


def test_an_invalid_form_post_is_sent_back_with_the_error_and_stores_nothing(client, shared, bob):
    client.force_login(bob)
    response = _start(client, shared, body="   ")
    assert response.status_code == 302
    assert response["Location"] == f"{shared.get_absolute_url()}#comments"
    assert _message(response) == "Not posted: Write a comment first."
    response = _start(client, shared, cell_id="nope")
    assert (
        _message(response)
        == "Not posted: That cell is not in this version of the notebook. Reload the page."
    )
    assert not CommentThread.objects.exists()


def test_a_new_thread_by_form_on_an_older_version_is_refused_with_a_message(
    client, shared, alice, bob
):
    add_version(shared, alice, Upload.from_bytes("churn.ipynb", _notebook(4)))
    client.force_login(bob)
    response = _start(client, shared)
    assert response.status_code == 302
    assert "start new threads on the latest version" in _message(response)
    assert not CommentThread.objects.exists()


def test_the_script_and_other_clients_still_get_json(client, shared, bob):
    client.force_login(bob)
    url = reverse("sharing:version-comments", args=[shared.pk, 1])
    fields = {"cell_id": "c1", "body": "json"}
    response = client.post(url, fields, HTTP_ACCEPT="application/json")
    assert response.status_code == 201 and "thread" in response.json()
    assert client.post(url, fields, HTTP_ACCEPT="*/*").status_code == 201
    assert client.post(url, {"cell_id": "c1"}, HTTP_ACCEPT="*/*").status_code == 400


def test_a_viewer_posting_the_forms_gets_403_and_nothing_changes(client, shared, bob, carol):
    client.force_login(bob)
    _start(client, shared)
    thread = CommentThread.objects.get()
    # GIVEN carol, a viewer
    client.force_login(carol)
    # WHEN she posts a new thread, a reply or a resolve as a plain form
    # THEN each is 403 and nothing is stored
    assert _start(client, shared).status_code == 403
    url = _thread_url("comment-reply", shared, thread)
    assert client.post(url, {"body": "me too"}, **BROWSER).status_code == 403
    assert client.post(_thread_url("comment-resolve", shared, thread), **BROWSER).status_code == 403
    assert Comment.objects.count() == 1
    thread.refresh_from_db()
    assert not thread.is_resolved


def test_an_outsider_posting_the_forms_gets_404(client, shared, bob, make_user):
    client.force_login(bob)
    _start(client, shared)
    thread = CommentThread.objects.get()
    # GIVEN dave, who has no access WHEN he posts THEN 404, as if the notebook did not exist
    client.force_login(make_user("dave"))
    assert _start(client, shared).status_code == 404
    url = _thread_url("comment-reply", shared, thread)
    assert client.post(url, {"body": "hi"}, **BROWSER).status_code == 404
    assert client.post(_thread_url("comment-reopen", shared, thread), **BROWSER).status_code == 404
    assert Comment.objects.count() == 1


def test_a_form_post_without_the_csrf_token_is_refused(shared, bob):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bob)
    response = _start(browser, shared)
    assert response.status_code == 403
    assert not CommentThread.objects.exists()
    # The same post with the page's token goes through.
    page = browser.get(shared.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    url = reverse("sharing:version-comments", args=[shared.pk, 1])
    fields = {"cell_id": "c2", "body": "ok", "csrfmiddlewaretoken": token}
    assert browser.post(url, fields, **BROWSER).status_code == 302


def test_the_page_lists_the_threads_with_forms_for_commenters(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared, body="Why **this** threshold?")
    thread = CommentThread.objects.get()
    client.force_login(alice)
    client.post(_thread_url("comment-reply", shared, thread), {"body": "Because."}, **BROWSER)
    client.force_login(bob)
    page = client.get(shared.get_absolute_url()).content.decode()
    fallback = page[page.index("data-comments-fallback") :]
    assert '<a href="#cell-c2">Cell 3</a>' in fallback
    assert "<p>Why <strong>this</strong> threshold?</p>" in fallback
    assert "<p>Because.</p>" in fallback
    assert f'action="{_thread_url("comment-reply", shared, thread)}"' in fallback
    assert f'action="{_thread_url("comment-resolve", shared, thread)}"' in fallback
    assert '<option value="c0">Cell 1 (code): threshold = 0</option>' in fallback
    assert fallback.count('name="csrfmiddlewaretoken"') == 3  # reply, resolve, new thread


def test_viewers_see_the_threads_but_no_forms(client, shared, bob, carol):
    client.force_login(bob)
    _start(client, shared)
    client.force_login(carol)
    page = client.get(shared.get_absolute_url()).content.decode()
    fallback = page[page.index("data-comments-fallback") :]
    assert "<p>Why this threshold?</p>" in fallback
    assert "<form" not in fallback and "<select" not in fallback


def test_an_older_version_page_shows_its_threads_as_anchored_there(client, shared, alice, bob):
    client.force_login(bob)
    _start(client, shared, cell_id="c1")
    add_version(shared, alice, Upload.from_bytes("churn.ipynb", _notebook(4, changed=1)))
    latest = client.get(shared.get_absolute_url()).content.decode()
    assert "Outdated:" in latest[latest.index("data-comments-fallback") :]
    v1 = client.get(reverse("sharing:version-detail", args=[shared.pk, 1])).content.decode()
    fallback = v1[v1.index("data-comments-fallback") :]
    assert "Outdated:" not in fallback
    assert '<input type="hidden" name="version" value="1">' in fallback
    assert 'name="cell_id"' not in fallback  # new threads start on the latest version only
    assert "New threads start on" in fallback


def test_a_page_without_comments_says_so(client, shared, carol):
    client.force_login(carol)
    page = client.get(shared.get_absolute_url()).content.decode()
    assert "No comments yet." in page[page.index("data-comments-fallback") :]


def test_cell_options_escape_what_the_notebook_wrote():
    found = VersionThreads(
        version=1,
        is_latest=True,
        can_comment=True,
        max_length=10,
        threads=[],
        cell_choices=[('c0"><script>', "In [1] (code): </option><script>alert(1)</script>")],
    )
    html = found.cell_options()
    assert "<script>" not in html
    assert html == (
        '<option value="c0&quot;&gt;&lt;script&gt;">In [1] (code): &lt;/option&gt;'
        "&lt;script&gt;alert(1)&lt;/script&gt;</option>"
    )
