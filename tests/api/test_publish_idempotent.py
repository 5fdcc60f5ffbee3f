"""Publishing the same notebook again makes no version: CI can publish on every push."""

from __future__ import annotations

import pytest
from django.test import Client

from sharing.grants import set_user_role
from sharing.models import NotebookVersion
from tests.api.support import TokenClient, fresh_rate_limits, token_for, upload  # noqa: F401
from tests.conftest import notebook_bytes
from tests.notifications.support import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_alice(alice, tmp_media) -> TokenClient:
    return TokenClient(token_for(alice))


def test_an_identical_file_is_200_with_the_latest_version_and_created_false(
    as_alice, alice, make_notebook, tmp_media
):
    notebook = make_notebook(alice, data=notebook_bytes(3))
    url = f"/notebooks/{notebook.pk}/versions"
    second = notebook_bytes(4)
    first = as_alice.post(url, {"file": upload(second), "note": "Two more cells"})
    assert first.status_code == 201
    assert first.json()["created"] is True
    assert first.json()["note"] == "Two more cells"
    files = sorted(p for p in tmp_media.rglob("*") if p.is_file())

    again = as_alice.post(url, {"file": upload(second)})

    assert again.status_code == 200
    body = again.json()
    assert body["created"] is False
    assert body["number"] == 2
    assert body["note"] == "Two more cells"
    assert NotebookVersion.objects.filter(notebook=notebook).count() == 2
    assert sorted(p for p in tmp_media.rglob("*") if p.is_file()) == files  # nothing stored


def test_the_same_content_with_other_bytes_is_still_identical(as_alice, alice, make_notebook):
    # Only the normalised notebook counts: indentation or key order are not a change.
    data = notebook_bytes(3)
    notebook = make_notebook(alice, data=data)
    reformatted = data.replace(b'\n "', b'\n      "')
    assert reformatted != data
    response = as_alice.post(f"/notebooks/{notebook.pk}/versions", {"file": upload(reformatted)})
    assert response.status_code == 200
    assert response.json()["created"] is False


def test_a_revert_to_an_older_version_is_a_new_version(as_alice, alice, make_notebook):
    first = notebook_bytes(3)
    notebook = make_notebook(alice, data=first)
    url = f"/notebooks/{notebook.pk}/versions"
    assert as_alice.post(url, {"file": upload(notebook_bytes(4))}).status_code == 201
    back = as_alice.post(url, {"file": upload(first)})
    assert back.status_code == 201
    assert back.json()["number"] == 3


def test_an_identical_file_with_a_stale_expected_latest_is_still_409(
    as_alice, alice, make_notebook
):
    notebook = make_notebook(alice, data=notebook_bytes(3))
    url = f"/notebooks/{notebook.pk}/versions"
    second = notebook_bytes(4)
    assert as_alice.post(url, {"file": upload(second)}).status_code == 201
    stale = as_alice.post(url, {"file": upload(second), "expected_latest": "1"})
    assert stale.status_code == 409


def test_an_identical_publish_notifies_nobody(as_alice, alice, bob, make_notebook, mailoutbox):
    data = notebook_bytes(3)
    notebook = make_notebook(alice, data=data)
    set_user_role(notebook, bob, "viewer")
    url = f"/notebooks/{notebook.pk}/versions"
    assert as_alice.post(url, {"file": upload(data)}).status_code == 200
    run_worker()
    assert mailoutbox == []
    as_alice.post(url, {"file": upload(notebook_bytes(5))})
    run_worker()
    assert [m.to for m in mailoutbox] == [["bob@example.com"]]


def test_a_note_longer_than_the_limit_is_refused(as_alice, alice, make_notebook):
    notebook = make_notebook(alice, data=notebook_bytes(3))
    response = as_alice.post(
        f"/notebooks/{notebook.pk}/versions", {"file": upload(notebook_bytes(4)), "note": "x" * 501}
    )
    assert response.status_code in (400, 422)
    assert notebook.versions.count() == 1


def test_the_openapi_document_names_both_answers():
    document = Client().get("/api/v1/openapi.json").json()
    post = document["paths"]["/api/v1/notebooks/{notebook_id}/versions"]["post"]
    assert {"200", "201"} <= set(post["responses"])
    schema_ref = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    published = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert "created" in published["required"]
    assert published["properties"]["created"]["type"] == "boolean"
    form = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "note" in str(form) or "note" in str(document["components"])
