"""The REST API: publishing, reading, renaming, deleting, versions, access, errors."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.cache import cache
from django.core.checks import run_checks
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from sharing.grants import set_user_role
from sharing.models import Notebook, NotebookVersion, RateCounter
from tests.api.support import API, TokenClient, fresh_rate_limits, token_for, upload  # noqa: F401
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_alice(alice, tmp_media) -> TokenClient:
    return TokenClient(token_for(alice))


# Publishing ------------------------------------------------------------------------------


def test_publishing_a_notebook_returns_201_with_its_page_and_latest_version(as_alice, alice):
    response = as_alice.post("/notebooks", {"file": upload(notebook_bytes(cells=4)), "title": "Q3"})

    assert response.status_code == 201
    body = response.json()
    notebook = Notebook.objects.get(pk=body["id"])
    assert notebook.owner == alice
    assert body["title"] == "Q3"
    assert body["role"] == "owner"
    assert body["html_url"] == f"http://testserver/n/{notebook.pk}/"
    assert body["latest_version"]["number"] == 1
    assert body["latest_version"]["cell_count"] == 4
    assert body["latest_version"]["uploaded_by"] == "alice"


def test_publishing_without_a_title_uses_the_notebooks_own_title(as_alice):
    response = as_alice.post("/notebooks", {"file": upload(notebook_bytes(title="From meta"))})
    assert response.status_code == 201
    assert response.json()["title"] == "From meta"


def test_an_invalid_upload_gets_the_web_forms_message_and_stores_nothing(as_alice, alice):
    web = Client()
    web.force_login(alice)
    web_response = web.post(
        reverse("sharing:upload"),
        {"file": upload(b"{not json")},
        headers={"Accept": "application/json"},
    )
    web_message = web_response.json()["errors"]["file"][0]["message"]

    response = as_alice.post("/notebooks", {"file": upload(b"{not json")})

    assert response.status_code == 400
    assert response.json()["detail"] == web_message
    assert response.json()["code"] == "invalid_json"
    assert Notebook.objects.count() == 0
    assert NotebookVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("notes.txt", notebook_bytes(), "bad_extension"),
        ("empty.ipynb", b"", "empty"),
        ("list.ipynb", b"[1, 2]", "not_a_notebook"),
        ("old.ipynb", b'{"nbformat": 2, "nbformat_minor": 0}', "unsupported_version"),
    ],
)
def test_refused_uploads_are_400_with_the_ingest_code(as_alice, name, data, code):
    response = as_alice.post("/notebooks", {"file": upload(data, name=name)})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Notebook.objects.count() == 0


def test_an_upload_over_the_limit_is_413_and_stores_nothing(as_alice, settings):
    settings.MAX_UPLOAD_BYTES = 200
    response = as_alice.post("/notebooks", {"file": upload(notebook_bytes(cells=30))})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "the limit is 200 bytes" in response.json()["detail"]
    assert Notebook.objects.count() == 0


def test_publishing_without_a_file_is_422_naming_the_field(as_alice):
    response = as_alice.post("/notebooks", {"title": "No file"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["errors"][0]["field"] == "file"


# Listing ---------------------------------------------------------------------------------


def test_listing_filters_mine_and_shared_with_me(as_alice, alice, bob, carol, make_notebook):
    mine = make_notebook(alice, title="Mine")
    shared = make_notebook(bob, title="Shared")
    set_user_role(shared, alice, "viewer")
    make_notebook(carol, title="Not visible")

    def titles(**params):
        return {item["title"] for item in as_alice.get("/notebooks", **params).json()["results"]}

    assert titles() == {"Mine", "Shared"}
    assert titles(filter="mine") == {"Mine"}
    assert titles(filter="shared") == {"Shared"}
    assert mine.pk in {item["id"] for item in as_alice.get("/notebooks").json()["results"]}


def test_listing_is_paginated(as_alice, alice, make_notebook):
    for index in range(5):
        make_notebook(alice, title=f"N{index}")
    first = as_alice.get("/notebooks", page_size=2).json()
    last = as_alice.get("/notebooks", page_size=2, page=3).json()
    beyond = as_alice.get("/notebooks", page_size=2, page=9).json()
    assert (first["count"], len(first["results"])) == (5, 2)
    assert len(last["results"]) == 1
    assert beyond["results"] == []
    assert as_alice.get("/notebooks", page_size=101).status_code == 422


def test_listing_takes_the_same_number_of_queries_however_many_notebooks(
    as_alice, alice, bob, make_notebook, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            shared = make_notebook(bob)
            set_user_role(shared, alice, "editor")
            make_notebook(alice)

    add(1)
    # The token's "last used" is written once a minute at most, and its audit event
    # ("token used") once an hour: both on this first call only.
    as_alice.get("/notebooks")
    # token + user (1), the rate-limit count in the shared table (3: our savepoint, one
    # INSERT … ON CONFLICT … RETURNING, release), count (1),
    # page with owner and latest version (1), user and group permissions of the page
    # (guardian: 2)
    with django_assert_num_queries(8):
        assert as_alice.get("/notebooks").status_code == 200
    add(4)
    with django_assert_num_queries(8):
        assert len(as_alice.get("/notebooks").json()["results"]) == 10


# One notebook ----------------------------------------------------------------------------


def test_renaming_changes_the_title(as_alice, alice, make_notebook):
    notebook = make_notebook(alice, title="Old")
    response = as_alice.json("PATCH", f"/notebooks/{notebook.pk}", {"title": "  New  "})
    assert response.status_code == 200
    assert response.json()["title"] == "New"
    notebook.refresh_from_db()
    assert notebook.title == "New"


def test_a_blank_title_is_refused_with_the_web_forms_message(as_alice, alice, make_notebook):
    notebook = make_notebook(alice, title="Old")
    web = Client()
    web.force_login(alice)
    page = web.post(reverse("sharing:notebook-rename", args=[notebook.pk]), {"title": "   "})
    web_message = page.context["form"].errors["title"][0]

    response = as_alice.json("PATCH", f"/notebooks/{notebook.pk}", {"title": "   "})

    assert response.status_code == 400
    assert response.json() == {
        "detail": web_message,
        "code": "required",
        "errors": [{"field": "title", "message": web_message, "code": "required"}],
    }
    notebook.refresh_from_db()
    assert notebook.title == "Old"


def test_malformed_json_is_400_in_json(as_alice, alice, make_notebook):
    notebook = make_notebook(alice)
    response = as_alice.client.patch(
        f"{API}/notebooks/{notebook.pk}",
        "{",
        content_type="application/json",
        headers=as_alice.headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_deleting_removes_the_notebook_and_its_files(
    as_alice, alice, make_notebook, django_capture_on_commit_callbacks
):
    notebook = make_notebook(alice)
    names = [notebook.latest_version.original.name, notebook.latest_version.normalized.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.delete(f"/notebooks/{notebook.pk}")
    assert response.status_code == 204
    assert not Notebook.objects.filter(pk=notebook.pk).exists()
    assert not any(default_storage.exists(name) for name in names)


# Versions --------------------------------------------------------------------------------


def test_publishing_a_version_makes_it_the_latest(as_alice, alice, make_notebook):
    notebook = make_notebook(alice)
    response = as_alice.post(f"/notebooks/{notebook.pk}/versions", {"file": upload()})
    assert response.status_code == 201
    assert response.json()["number"] == 2
    read = as_alice.get(f"/notebooks/{notebook.pk}").json()
    assert read["latest_version"]["number"] == 2
    listed = as_alice.get(f"/notebooks/{notebook.pk}/versions").json()
    assert [item["number"] for item in listed["results"]] == [2, 1]


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_a_stale_expected_latest_is_409_and_stores_nothing(
    as_alice, alice, make_notebook, tmp_media
):
    notebook = make_notebook(alice)
    assert (
        as_alice.post(f"/notebooks/{notebook.pk}/versions", {"file": upload()}).status_code == 201
    )
    files_before = stored_files(tmp_media)

    response = as_alice.post(
        f"/notebooks/{notebook.pk}/versions", {"file": upload(), "expected_latest": "1"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert notebook.versions.count() == 2
    assert stored_files(tmp_media) == files_before
    ok = as_alice.post(
        f"/notebooks/{notebook.pk}/versions", {"file": upload(), "expected_latest": 2}
    )
    assert ok.status_code == 201


def test_downloading_a_version_returns_the_original_bytes(as_alice, alice, make_notebook):
    data = notebook_bytes(cells=2) + b"\n"
    notebook = make_notebook(alice, data=data, filename="exact.ipynb")
    response = as_alice.get(f"/notebooks/{notebook.pk}/versions/1/ipynb")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/x-ipynb+json"
    assert response["Content-Disposition"].startswith('attachment; filename="exact.ipynb"')
    assert hashlib.sha256(data).hexdigest() == notebook.latest_version.sha256


def test_a_version_that_does_not_exist_is_404(as_alice, alice, make_notebook):
    notebook = make_notebook(alice)
    response = as_alice.get(f"/notebooks/{notebook.pk}/versions/7/ipynb")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Browser sessions and CSRF --------------------------------------------------------------


def test_a_signed_in_browser_can_read_with_its_session(alice, make_notebook):
    notebook = make_notebook(alice)
    client = Client()
    client.force_login(alice)
    response = client.get(f"{API}/notebooks/{notebook.pk}")
    assert response.status_code == 200
    assert client.get(f"{API}/me").json() == {"username": "alice", "token": None}


def test_a_session_write_without_the_csrf_token_is_403_and_changes_nothing(alice, make_notebook):
    notebook = make_notebook(alice, title="Old")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.patch(
        f"{API}/notebooks/{notebook.pk}", '{"title": "New"}', content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    notebook.refresh_from_db()
    assert notebook.title == "Old"


def test_a_session_write_with_the_csrf_token_works(alice, make_notebook):
    notebook = make_notebook(alice, title="Old")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("sharing:dashboard"))  # sets the CSRF cookie, as any page does
    response = client.patch(
        f"{API}/notebooks/{notebook.pk}",
        '{"title": "New"}',
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 200


def test_token_requests_need_no_csrf_token(alice, tmp_media):
    client = TokenClient(token_for(alice), enforce_csrf_checks=True)
    assert client.post("/notebooks", {"file": upload()}).status_code == 201


def test_a_bad_token_is_401_even_with_a_valid_session(alice, make_notebook):
    notebook = make_notebook(alice)
    client = Client()
    client.force_login(alice)
    response = client.get(
        f"{API}/notebooks/{notebook.pk}", headers={"Authorization": "Bearer nbs_wrong"}
    )
    assert response.status_code == 401


# Errors, limits and the document --------------------------------------------------------


def test_unknown_paths_and_wrong_methods_answer_in_json(as_alice, alice, make_notebook):
    notebook = make_notebook(alice)
    missing = as_alice.get("/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    not_a_number = as_alice.get("/notebooks/abc")
    assert (not_a_number.status_code, not_a_number.json()["code"]) == (422, "invalid_request")
    wrong = as_alice.post(f"/notebooks/{notebook.pk}/access")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")
    assert set(wrong["Allow"].replace(" ", "").split(",")) == {"GET", "PUT"}
    huge = as_alice.get(f"/notebooks/{2**70}")
    assert (huge.status_code, huge.json()["code"]) == (422, "invalid_request")


def test_past_the_rate_limit_requests_get_429_with_retry_after(as_alice, settings):
    settings.RATE_LIMIT_API = "3/m"
    statuses = [as_alice.get("/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = as_alice.get("/me")
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_the_api_rate_limit_is_per_caller_and_kept_in_the_shared_store(
    alice, bob, settings, tmp_media
):
    # GIVEN a limit of 2 a minute and alice past it with one token
    settings.RATE_LIMIT_API = "2/m"
    first, second = TokenClient(token_for(alice)), TokenClient(token_for(alice, name="ci"))
    assert [first.get("/me").status_code for _ in range(3)] == [200, 200, 429]
    # WHEN another web process answers (it has its own default, per-process cache)
    cache.clear()
    # THEN the count is still there, in the database table every process shares: it counts
    # alice, whatever her token or her client's address, and not bob
    assert first.get("/me").status_code == 429
    assert second.get("/me").status_code == 429
    other_address = TokenClient(token_for(alice, name="laptop"), REMOTE_ADDR="10.9.9.9")
    assert other_address.get("/me").status_code == 429
    assert TokenClient(token_for(bob)).get("/me").status_code == 200
    keys = RateCounter.objects.values_list("key", flat=True)
    assert len([key for key in keys if key.startswith("api:")]) == 2  # alice's and bob's


def test_a_malformed_api_rate_fails_the_system_check(settings):
    settings.RATE_LIMIT_API = "600/minute"
    assert "sharing.E021" in {message.id for message in run_checks()}


def test_the_openapi_document_gives_every_operation_a_summary_and_its_errors(client):
    schema = client.get(f"{API}/openapi.json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) >= 11
    for operation in operations:
        assert operation["summary"]
        assert {"401", "422", "429"} <= set(operation["responses"])
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }


def test_the_interactive_docs_load_only_our_own_assets_under_the_strict_csp(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "/static/ninja/swagger-ui-bundle" in html
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html  # only src= scripts and a JSON data block


def test_the_openapi_document_has_no_duplicate_keys(client):
    # Python's json keeps the last of two equal keys; Swagger UI refuses the whole document.
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    json.loads(client.get(f"{API}/openapi.json").content, object_pairs_hook=no_duplicates)


def test_the_interactive_docs_send_the_csrf_token_for_signed_in_people(alice):
    client = Client()
    client.force_login(alice)
    html = client.get(f"{API}/docs").content.decode()
    assert 'data-csrf-token=""' not in html
    assert 'data-api-csrf="true"' in html
