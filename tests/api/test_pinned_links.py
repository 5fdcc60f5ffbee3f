"""Share links pinned to a version, through the API and every comment write: the holder sees and
writes only on the versions the link grants (GIVEN / WHEN / THEN in each row's comment).

bob has no grant of his own; he came through one commenter link: pinned to version 1 (the old
one), pinned to version 2 (the latest), or following the latest version.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing.comments.cells import version_cells
from sharing.comments.threads import reply, start_thread
from sharing.ingest import Upload
from sharing.links import create_link
from sharing.models import Comment, CommentThread
from sharing.notebooks import add_version
from tests.comments.test_threads import _notebook
from tests.matrix import case_ids, cases, notebook_state

pytestmark = pytest.mark.django_db

HOLDERS = ("pin_old", "pin_latest", "follows")
API = "/api/v1"

# (method, what): expected status for pin_old, pin_latest, follows.
# "only_v2" is a thread started on version 2 (not shown on version 1); "both" was started on
# version 1 and carried to version 2.
# fmt: off
MATRIX = {
    ("GET", "api:versions/1/ipynb"):        (200, 404, 200),
    ("GET", "api:versions/2/ipynb"):        (404, 200, 200),
    ("GET", "api:threads?version=1"):       (200, 404, 200),
    ("GET", "api:threads?version=2"):       (404, 200, 200),
    ("POST", "api:threads"):                (409, 201, 201),
    ("POST", "api:threads version=2"):      (404, 201, 201),
    ("POST", "api:reply only_v2"):          (404, 201, 201),
    ("POST", "api:resolve only_v2"):        (404, 200, 200),
    ("POST", "api:reopen only_v2"):         (404, 200, 200),
    ("POST", "api:reply both"):             (201, 201, 201),
    ("POST", "web:start on 2"):             (404, 201, 201),
    ("POST", "web:reply only_v2"):          (404, 201, 201),
    ("POST", "web:resolve only_v2"):        (404, 200, 200),
    ("POST", "web:reopen only_v2"):         (404, 200, 200),
    ("POST", "web:edit only_v2"):           (404, 200, 200),
    ("POST", "web:delete only_v2"):         (404, 200, 200),
    ("POST", "web:reply both"):             (201, 201, 201),
}
# fmt: on


@pytest.fixture
def world(alice, bob, make_notebook):
    notebook = make_notebook(alice, data=_notebook(3), title="Pinned")
    first = notebook.latest_version
    cell = version_cells(first)["c1"]
    both = start_thread(notebook, first, cell, alice, "On version 1")[0].thread
    second = add_version(notebook, alice, Upload.from_bytes("v2.ipynb", _notebook(4)))
    only_v2 = start_thread(notebook, second, version_cells(second)["c3"], alice, "On 2")[0].thread
    mine = reply(only_v2, bob, "bob wrote this while he had access")[0]
    return {"notebook": notebook, "versions": (first, second), "threads": (both, only_v2),
            "bob_comment": mine}  # fmt: skip


def holder(world, bob, which: str) -> Client:
    first, second = world["versions"]
    pinned = {"pin_old": first, "pin_latest": second, "follows": None}[which]
    _, token = create_link(
        world["notebook"], world["notebook"].owner, role="commenter",
        expires_at=timezone.now() + timedelta(days=1), pinned_version=pinned,
    )  # fmt: skip
    client = Client()
    client.force_login(bob)
    client.get(reverse("sharing:share-link-open", args=[token]))
    return client


def call(client: Client, world, method: str, what: str):
    notebook = world["notebook"]
    both, only_v2 = world["threads"]
    thread = only_v2 if what.endswith("only_v2") else both
    kind, _, rest = what.partition(":")
    if kind == "api":
        if rest.startswith("versions/"):
            return client.get(f"{API}/notebooks/{notebook.pk}/{rest}")
        if rest.startswith("threads?"):
            return client.get(f"{API}/notebooks/{notebook.pk}/{rest}")
        if rest.startswith("threads"):
            body = {"cell_id": "c1", "body": "From the API"}
            if "version=2" in rest:
                body["version"] = 2
            url = f"{API}/notebooks/{notebook.pk}/threads"
            return client.post(url, body, content_type="application/json")
        action = rest.split()[0]
        url = f"{API}/threads/{thread.pk}/" + ("replies" if action == "reply" else action)
        return client.post(url, {"body": "Reply"}, content_type="application/json")
    json = {"HTTP_ACCEPT": "application/json"}
    action = rest.split()[0]
    if action == "start":
        url = reverse("sharing:version-comments", args=[notebook.pk, 2])
        return client.post(url, {"cell_id": "c1", "body": "Start"}, **json)
    if action in {"edit", "delete"}:
        comment = world["bob_comment"]
        url = reverse(f"sharing:comment-{action}", args=[notebook.pk, comment.pk])
        return client.post(url, {"body": "Edited"}, **json)
    url = reverse(f"sharing:comment-{action}", args=[notebook.pk, thread.pk])
    return client.post(url, {"body": "Reply"}, **json)


CASES = cases(MATRIX, HOLDERS)


@pytest.mark.parametrize(("method", "what", "actor", "expected"), CASES, ids=case_ids(CASES, "via"))
def test_pinned_link_matrix(world, bob, method, what, actor, expected):
    # GIVEN bob came through the column's link
    client = holder(world, bob, actor)
    before = (notebook_state(world["notebook"].pk), Comment.objects.count())
    # WHEN he calls the row's endpoint
    response = call(client, world, method, what)
    # THEN the status is the table's, and a refusal changed nothing
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert (notebook_state(world["notebook"].pk), Comment.objects.count()) == before


@pytest.mark.parametrize(
    ("actor", "numbers", "latest"),
    [("pin_old", [1], 1), ("pin_latest", [2], 2), ("follows", [2, 1], 2)],
)
def test_the_api_lists_and_calls_latest_only_the_versions_a_link_grants(
    world, bob, actor, numbers, latest
):
    client = holder(world, bob, actor)
    notebook = world["notebook"]
    listed = client.get(f"{API}/notebooks/{notebook.pk}/versions").json()
    assert [v["number"] for v in listed["results"]] == numbers
    assert listed["count"] == len(numbers)
    read = client.get(f"{API}/notebooks/{notebook.pk}").json()
    assert read["latest_version"]["number"] == latest
    threads = client.get(f"{API}/notebooks/{notebook.pk}/threads").json()
    assert threads["version"] == latest
    shown = {t["id"] for t in threads["threads"]}
    both, only_v2 = world["threads"]
    assert (only_v2.pk in shown) == (latest == 2)
    assert both.pk in shown


def test_a_holder_of_an_old_pin_cannot_start_threads_anywhere(world, bob):
    client = holder(world, bob, "pin_old")
    before = CommentThread.objects.count()
    response = call(client, world, "POST", "api:threads")
    assert response.json()["code"] == "old_version"
    assert CommentThread.objects.count() == before
