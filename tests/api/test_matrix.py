"""The API permission matrix: every operation against every kind of token-holding caller.

One row per operation of the OpenAPI document, one column per actor; a new operation cannot
be added without a row (``test_every_api_operation_has_a_row``). Each actor calls with a
personal token except "anonymous" (no credentials) and "bad_token" (a made-up one).
Refused requests must change nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sharing.api import api
from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.links import create_link
from sharing.models import (
    ApiToken,
    Comment,
    CommentThread,
    Notebook,
    ShareLink,
)
from sharing.notebooks import add_version
from sharing.tokens import create_token, revoke
from tests.api.support import API, fresh_rate_limits  # noqa: F401
from tests.conftest import notebook_bytes
from tests.matrix import (
    EVERY_ROLE,
    case_ids,
    cases,
    make_people,
    notebook_state,
    share_with_every_role,
)

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "bad_token", *EVERY_ROLE, "deactivated", "expired", "revoked")
TOKENLESS = {"anonymous", "bad_token", "expired", "revoked"}  # no account of their own

# 401 no or a dead token, 404 may not see the notebook, 403 may see it but not do this.
# "deactivated" is a former editor; "expired" and "revoked" are the owner's own old tokens.
# fmt: off
MATRIX = {
    # (method, path):
    #    anon bad  out  view comm edit gvie gcom gedi own  super deac expi revo
    ("GET", "/me"):
        (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
    ("GET", "/notebooks"):
        (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
    ("POST", "/notebooks"):
        (401, 401, 201, 201, 201, 201, 201, 201, 201, 201, 201, 401, 401, 401),
    ("GET", "/notebooks/{notebook_id}"):
        (401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
    ("PATCH", "/notebooks/{notebook_id}"):
        (401, 401, 404, 403, 403, 200, 403, 403, 200, 200, 200, 401, 401, 401),
    ("DELETE", "/notebooks/{notebook_id}"):
        (401, 401, 404, 403, 403, 403, 403, 403, 403, 204, 204, 401, 401, 401),
    ("GET", "/notebooks/{notebook_id}/versions"):
        (401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
    ("POST", "/notebooks/{notebook_id}/versions"):
        (401, 401, 404, 403, 403, 201, 403, 403, 201, 201, 201, 401, 401, 401),
    ("GET", "/notebooks/{notebook_id}/versions/{number}/ipynb"):
        (401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
    ("GET", "/notebooks/{notebook_id}/diff"):
        (401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
    ("GET", "/notebooks/{notebook_id}/access"):
        (401, 401, 404, 403, 403, 403, 403, 403, 403, 200, 200, 401, 401, 401),
    ("PUT", "/notebooks/{notebook_id}/access"):
        (401, 401, 404, 403, 403, 403, 403, 403, 403, 200, 200, 401, 401, 401),
    ("GET", "/notebooks/{notebook_id}/links"):
        (401, 401, 404, 403, 403, 200, 403, 403, 200, 200, 200, 401, 401, 401),
    ("POST", "/notebooks/{notebook_id}/links"):
        (401, 401, 404, 403, 403, 201, 403, 403, 201, 201, 201, 401, 401, 401),
    ("DELETE", "/links/{link_id}"):
        (401, 401, 404, 403, 403, 204, 403, 403, 204, 204, 204, 401, 401, 401),
    ("GET", "/notebooks/{notebook_id}/threads"):
        (401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
    ("POST", "/notebooks/{notebook_id}/threads"):
        (401, 401, 404, 403, 201, 201, 403, 201, 201, 201, 201, 401, 401, 401),
    ("POST", "/threads/{thread_id}/replies"):
        (401, 401, 404, 403, 201, 201, 403, 201, 201, 201, 201, 401, 401, 401),
    ("POST", "/threads/{thread_id}/resolve"):
        (401, 401, 404, 403, 200, 200, 403, 200, 200, 200, 200, 401, 401, 401),
    ("POST", "/threads/{thread_id}/reopen"):
        (401, 401, 404, 403, 200, 200, 403, 200, 200, 200, 200, 401, 401, 401),
    # Everyone signed in may search; what each finds is tests/search/test_permissions.py.
    ("GET", "/search"):
        (401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401),
}
# fmt: on


UPLOADS = {("POST", "/notebooks"), ("POST", "/notebooks/{notebook_id}/versions")}
BODIES = {
    ("PATCH", "/notebooks/{notebook_id}"): {"title": "Renamed"},
    ("PUT", "/notebooks/{notebook_id}/access"): {
        "visibility": "private",
        "users": [{"username": "viewer", "role": "editor"}],
    },
    ("POST", "/notebooks/{notebook_id}/links"): {"role": "commenter", "expires": "1d"},
    ("POST", "/notebooks/{notebook_id}/threads"): {"cell_id": "{cell_id}", "body": "Why 2?"},
    ("POST", "/threads/{thread_id}/replies"): {"body": "Because."},
}


@dataclass
class World:
    notebook: Notebook
    tokens: dict[str, str]
    link: ShareLink
    thread: CommentThread

    def url(self, path: str, forged: bool = False) -> str:
        ids = {
            "notebook_id": self.notebook.pk,
            "link_id": self.link.pk,
            "thread_id": self.thread.pk,
        }
        if forged:
            ids = {name: pk + 1000 for name, pk in ids.items()}
        query = "?from=1&to=2" if path.endswith("/diff") else ""  # versions 1 and 2
        query = "?q=matrix" if path == "/search" else query
        return API + path.format(number=1, **ids) + query

    def body(self, method: str, path: str) -> dict:
        body = dict(BODIES[method, path])
        if "cell_id" in body:
            body["cell_id"] = self.thread.cell_id
        return body

    def call(self, actor: str, method: str, path: str, forged: bool = False):
        client = Client()
        headers = {"Authorization": f"Bearer {self.tokens[actor]}"} if actor in self.tokens else {}
        url = self.url(path, forged)
        if (method, path) in BODIES:
            return client.generic(
                method,
                url,
                json.dumps(self.body(method, path)),
                content_type="application/json",
                headers=headers,
            )
        if (method, path) in UPLOADS:
            file = SimpleUploadedFile("next.ipynb", notebook_bytes(cells=4))
            return client.post(url, {"file": file}, headers=headers)
        return client.generic(method, url, headers=headers)

    def snapshot(self) -> tuple:
        return (
            Notebook.objects.count(),
            notebook_state(self.notebook.pk),
            sorted(ShareLink.objects.values_list("pk", "revoked_at")),
            sorted(CommentThread.objects.values_list("pk", "resolved_at")),
            Comment.objects.count(),
        )


@pytest.fixture
def world(make_user, make_notebook) -> World:
    people = make_people(
        make_user, ACTORS, without={"anonymous", "bad_token", "expired", "revoked"}
    )
    notebook = make_notebook(people["owner"], title="Matrix")
    add_version(notebook, people["owner"], Upload.from_bytes("v2.ipynb", notebook_bytes(cells=4)))
    notebook.refresh_from_db()
    share_with_every_role(notebook, people)
    set_user_role(notebook, people["deactivated"], "editor")
    raw = {name: create_token(user, name, 30).raw for name, user in people.items()}
    version = notebook.latest_version
    cell = list(version_cells(version).values())[1]
    comment, _ = start_thread(notebook, version, cell, people["owner"], "What is x?")
    link, _ = create_link(notebook, people["owner"], expires_at=timezone.now() + timedelta(days=1))
    people["deactivated"].is_active = False
    people["deactivated"].save()
    raw["expired"] = create_token(people["owner"], "old", 1).raw
    ApiToken.objects.filter(name="old").update(expires_at=timezone.now() - timedelta(minutes=1))
    raw["revoked"] = create_token(people["owner"], "gone", 30).raw
    revoke(ApiToken.objects.get(name="gone"))
    raw["bad_token"] = "nbs_aaaaaaaa_" + "A" * 43
    return World(notebook, raw, link, comment.thread)


CASES = cases(MATRIX, ACTORS)


@pytest.mark.parametrize(("method", "path", "actor", "expected"), CASES, ids=case_ids(CASES))
def test_api_permission_matrix(world, method, path, actor, expected):
    # GIVEN a notebook shared with every kind of actor, each holding a token
    before = world.snapshot()
    # WHEN the actor calls the operation
    response = world.call(actor, method, path)
    # THEN the status is the table's, errors are JSON, and a refused request changed nothing
    assert response.status_code == expected
    if expected >= 400:
        assert response.json()["code"]
        assert world.snapshot() == before


def test_every_api_operation_has_a_row():
    schema = api.get_openapi_schema(path_prefix="")
    operations = {
        (method.upper(), path) for path, methods in schema["paths"].items() for method in methods
    }
    assert operations == set(MATRIX)


@pytest.mark.parametrize(("method", "path"), [key for key in MATRIX if "_id}" in key[1]])
def test_a_forged_id_is_404_even_for_the_superuser(world, method, path):
    before = world.snapshot()
    response = world.call("superuser", method, path, forged=True)
    assert response.status_code == 404
    assert world.snapshot() == before
