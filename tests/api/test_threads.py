"""Comment threads through the API: read, start, reply, resolve, reopen."""

from __future__ import annotations

import json
from datetime import datetime

import nbformat
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_notebook

from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import Comment, CommentThread
from sharing.notebooks import add_version
from tests.api.support import API, TokenClient, fresh_rate_limits, token_for  # noqa: F401
from tests.notifications.support import run_worker

pytestmark = pytest.mark.django_db


def cells(count: int, first: int = 0) -> bytes:
    nb = new_notebook()
    for i in range(first, first + count):
        cell = new_code_cell(f"threshold = {i}\nprint(threshold)")
        cell.id = f"c{i}"
        nb.cells.append(cell)
    return nbformat.writes(nb).encode()


@pytest.fixture
def notebook(alice, bob, carol, make_notebook):
    """alice owns a 4-cell notebook (cells c0…c3); bob may comment, carol may only view."""
    notebook = make_notebook(alice, data=cells(4), title="Churn")
    set_user_role(notebook, bob, "commenter")
    set_user_role(notebook, carol, "viewer")
    return notebook


@pytest.fixture
def as_bob(bob) -> TokenClient:
    return TokenClient(token_for(bob))


def start(client: TokenClient, notebook, cell_id: str = "c2", body: str = "Why 2?", **extra):
    return client.json(
        "POST", f"/notebooks/{notebook.pk}/threads", {"cell_id": cell_id, "body": body, **extra}
    )


def web_threads(user, notebook, number: int = 1) -> dict:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("sharing:version-comments", args=[notebook.pk, number]))
    assert response.status_code == 200
    return response.json()


def snapshot() -> tuple:
    return (
        sorted(CommentThread.objects.values_list("pk", "resolved_at")),
        sorted(Comment.objects.values_list("pk", "body")),
    )


def same_times(data):
    """The data with every timestamp parsed to the millisecond, as the API writes them all
    ("2030-01-31T12:00:00.123Z"); the web endpoint writes Python's isoformat."""
    if isinstance(data, dict):
        return {key: same_times(value) for key, value in data.items()}
    if isinstance(data, list):
        return [same_times(value) for value in data]
    if isinstance(data, str) and data[:4].isdigit() and "T" in data:
        moment = datetime.fromisoformat(data)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return data


# Starting and reading --------------------------------------------------------------------


def test_a_thread_started_through_the_api_appears_on_the_web(as_bob, notebook, alice):
    response = start(as_bob, notebook, body="Why **2**?")

    assert response.status_code == 201
    posted = response.json()
    threads = web_threads(alice, notebook)["threads"]
    assert [(t["id"], t["cell_id"]) for t in threads] == [(posted["thread"], "c2")]
    comment = threads[0]["comments"][0]
    assert (comment["id"], comment["author"]) == (posted["comment"], "bob")
    assert "<strong>2</strong>" in comment["html"]


def test_the_api_lists_the_same_data_as_the_web_endpoint(as_bob, notebook, bob):
    thread = start(as_bob, notebook).json()["thread"]
    as_bob.json("POST", f"/threads/{thread}/replies", {"body": "Still?"})
    as_bob.post(f"/threads/{thread}/resolve")
    start(as_bob, notebook, cell_id="c0", body="Intro?")

    api = as_bob.get(f"/notebooks/{notebook.pk}/threads").json()

    assert same_times(api) == same_times(web_threads(bob, notebook))
    assert [t["resolved"] for t in api["threads"]] == [False, True]  # open ones first
    assert api["can_comment"] is True


def test_a_viewer_reads_threads_but_cannot_post_reply_or_resolve(notebook, as_bob, carol):
    # GIVEN a thread, and carol who may only view the notebook
    thread = start(as_bob, notebook).json()["thread"]
    as_carol = TokenClient(token_for(carol))
    before = snapshot()
    # WHEN she reads, then tries to start a thread, reply and resolve with her token
    read = as_carol.get(f"/notebooks/{notebook.pk}/threads")
    refused = [
        start(as_carol, notebook),
        as_carol.json("POST", f"/threads/{thread}/replies", {"body": "Me too"}),
        as_carol.post(f"/threads/{thread}/resolve"),
    ]
    # THEN she reads them (without the right to reply) and every write is a 403
    assert read.status_code == 200
    assert read.json()["can_comment"] is False
    assert read.json()["threads"][0]["can_reply"] is False
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(403, "forbidden")] * 3
    assert snapshot() == before


def test_someone_without_access_is_told_there_is_nothing(notebook, as_bob, make_user):
    # GIVEN a thread on alice's notebook, and dave who has no access to it
    thread = start(as_bob, notebook).json()["thread"]
    as_dave = TokenClient(token_for(make_user("dave")))
    # WHEN dave reads, starts, replies and reopens
    responses = [
        as_dave.get(f"/notebooks/{notebook.pk}/threads"),
        start(as_dave, notebook),
        as_dave.json("POST", f"/threads/{thread}/replies", {"body": "Hi"}),
        as_dave.post(f"/threads/{thread}/reopen"),
    ]
    # THEN every answer is a 404, as for a notebook that does not exist
    assert [r.status_code for r in responses] == [404] * 4


def test_a_new_comment_sends_the_web_pages_e_mails(as_bob, notebook, alice):
    start(as_bob, notebook, body="@alice please check")
    assert mail.outbox == []  # queued for the background worker
    run_worker()
    assert [message.to for message in mail.outbox] == [[alice.email]]
    assert "http://testserver" + notebook.get_absolute_url() in mail.outbox[0].body


# Versions --------------------------------------------------------------------------------


def test_threads_follow_the_cells_and_older_versions_keep_their_own(as_bob, notebook, alice):
    start(as_bob, notebook, cell_id="c3")
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", cells(2)))  # c3 is gone

    latest = as_bob.get(f"/notebooks/{notebook.pk}/threads").json()
    first = as_bob.get(f"/notebooks/{notebook.pk}/threads", version=1).json()

    assert (latest["version"], latest["is_latest"]) == (2, True)
    assert [(t["state"], t["cell_id"]) for t in latest["threads"]] == [("removed", None)]
    assert (first["version"], first["is_latest"]) == (1, False)
    assert [(t["state"], t["cell_id"]) for t in first["threads"]] == [("current", "c3")]
    assert as_bob.get(f"/notebooks/{notebook.pk}/threads", version=3).status_code == 404


def test_a_thread_on_a_version_that_is_no_longer_the_latest_is_409(as_bob, notebook, alice):
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", cells(4)))

    stale = start(as_bob, notebook, version=1)

    assert stale.status_code == 409
    assert stale.json()["code"] == "old_version"
    assert not CommentThread.objects.exists()
    assert start(as_bob, notebook, version=2).status_code == 201
    assert start(as_bob, notebook, version=7).status_code == 404


# Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell_id", "body", "message", "code"),
    [
        ("c9", "Hi", "That cell is not in this version of the notebook. Reload the page.", ""),
        ("c1", "   ", "Write a comment first.", "required"),
        ("c1", "a\x00b", "Null characters are not allowed.", "null_characters_not_allowed"),
        ("", "Hi", "Choose the cell to comment on.", "required"),
    ],
    ids=["unknown cell", "empty", "null character", "no cell"],
)
def test_bad_comments_get_the_web_forms_message_and_store_nothing(
    as_bob, notebook, cell_id, body, message, code
):
    response = start(as_bob, notebook, cell_id=cell_id, body=body)
    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert response.json()["code"] == (code or "no_such_cell")
    assert not CommentThread.objects.exists()


def test_a_comment_over_the_length_limit_is_refused(as_bob, notebook, settings):
    settings.COMMENT_MAX_LENGTH = 20
    thread = start(as_bob, notebook).json()["thread"]
    response = as_bob.json("POST", f"/threads/{thread}/replies", {"body": "x" * 21})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "A comment can be at most 20 characters long; this one has 21."
    )
    assert response.json()["code"] == "too_long"


def test_a_request_body_larger_than_the_server_accepts_is_413(as_bob, notebook, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = start(as_bob, notebook, body="x" * 2000)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not CommentThread.objects.exists()


def test_unknown_fields_and_wrong_types_are_422(as_bob, notebook):
    extra = start(as_bob, notebook, mood="grumpy")
    wrong = as_bob.json("POST", f"/notebooks/{notebook.pk}/threads", {"cell_id": 3, "body": []})
    assert (extra.status_code, wrong.status_code) == (422, 422)
    assert extra.json()["code"] == "invalid_request"


# Replies, resolving ----------------------------------------------------------------------


def test_reply_resolve_and_reopen(as_bob, notebook, alice):
    thread = start(as_bob, notebook).json()["thread"]
    as_alice = TokenClient(token_for(alice))

    reply = as_alice.json("POST", f"/threads/{thread}/replies", {"body": "Because."})
    resolved = as_alice.post(f"/threads/{thread}/resolve")
    again = as_alice.post(f"/threads/{thread}/resolve")

    assert reply.status_code == 201
    assert Comment.objects.get(pk=reply.json()["comment"]).author == alice
    assert (resolved.status_code, resolved.json()) == (200, {"thread": thread, "resolved": True})
    assert again.json()["resolved"] is True
    data = as_bob.get(f"/notebooks/{notebook.pk}/threads").json()["threads"][0]
    assert (data["resolved"], data["resolved_by"]) == (True, "alice")
    assert [c["author"] for c in data["comments"]] == ["bob", "alice"]

    reopened = as_bob.post(f"/threads/{thread}/reopen")
    assert reopened.json() == {"thread": thread, "resolved": False}
    assert CommentThread.objects.get(pk=thread).resolved_at is None


def test_an_unknown_thread_is_404(as_bob):
    response = as_bob.json("POST", "/threads/424242/replies", {"body": "Hello?"})
    assert (response.status_code, response.json()["detail"]) == (404, "No such thread.")


def test_a_signed_in_browser_must_send_its_csrf_token_to_post(notebook, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    url = f"{API}/notebooks/{notebook.pk}/threads"
    body = json.dumps({"cell_id": "c1", "body": "From the docs page"})
    response = client.post(url, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert not CommentThread.objects.exists()


def test_listing_threads_takes_the_same_number_of_queries_however_many(
    as_bob, notebook, django_assert_num_queries
):
    url = f"/notebooks/{notebook.pk}/threads"
    start(as_bob, notebook)
    # The token's "last used" is written once a minute at most, and its audit event
    # ("token used") once an hour: both on this first call only.
    as_bob.get(url)
    # token + user (1), rate-limit count (3, see test_api), notebook (1), grants (2), the
    # comments with their anchors and threads (1)
    with django_assert_num_queries(8):
        assert len(as_bob.get(url).json()["threads"]) == 1
    for cell_id in ("c0", "c1", "c3"):
        thread = start(as_bob, notebook, cell_id=cell_id).json()["thread"]
        as_bob.json("POST", f"/threads/{thread}/replies", {"body": "More"})
    with django_assert_num_queries(8):
        assert len(as_bob.get(url).json()["threads"]) == 4
