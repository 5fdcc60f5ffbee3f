"""Uploading through the web form: every bad input gets its message and stores nothing."""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sharing.models import Notebook, NotebookVersion, Rendering
from tests.conftest import notebook_bytes, raw_json

pytestmark = pytest.mark.django_db

UPLOAD = reverse("sharing:upload")


@pytest.fixture
def alice_client(client, alice, tmp_media):
    client.force_login(alice)
    return client


def post_file(client, data: bytes, name: str = "analysis.ipynb", url: str = UPLOAD, **extra):
    if "/" in name or "\\" in name:
        return post_raw_multipart(client, url, name, data)
    return client.post(url, {"file": SimpleUploadedFile(name, data), **extra})


def post_raw_multipart(client, url: str, name: str, data: bytes):
    """Send a file name exactly as given (the test client would strip its folder parts)."""
    boundary = "----notebookshare-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")


def assert_nothing_stored(media_root):
    assert Notebook.objects.count() == 0
    assert NotebookVersion.objects.count() == 0
    assert not any(p.is_file() for p in media_root.rglob("*")) if media_root.exists() else True


def test_upload_stores_original_bytes_and_redirects_to_rendered_page(alice_client, tmp_media):
    data = notebook_bytes(title="Churn model")
    response = post_file(alice_client, data)
    notebook = Notebook.objects.get()
    assert response.status_code == 302
    assert response.url == notebook.get_absolute_url()
    version = notebook.latest_version
    assert (version.number, version.size, version.filename) == (1, len(data), "analysis.ipynb")
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert notebook.title == "Churn model"
    with version.original.open("rb") as handle:
        assert handle.read() == data
    assert Rendering.objects.get(content_sha256=version.content_sha256).status == "ready"


def test_title_field_overrides_the_notebook_title(alice_client):
    post_file(alice_client, notebook_bytes(title="Inner"), title="  Quarterly review ")
    assert Notebook.objects.get().title == "Quarterly review"


def test_xhr_upload_answers_json_with_the_notebook_url(alice_client):
    response = alice_client.post(
        UPLOAD,
        {"file": SimpleUploadedFile("a.ipynb", notebook_bytes())},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 201
    notebook = Notebook.objects.get()
    assert response.json() == {
        "url": notebook.get_absolute_url(),
        "created": True,
        "message": f"Uploaded “{notebook.title}”.",
        "title": notebook.title,
    }


def test_xhr_upload_error_is_json_with_the_message(alice_client, tmp_media):
    response = alice_client.post(
        UPLOAD,
        {"file": SimpleUploadedFile("a.ipynb", b"{nope")},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["file"]
    assert errors[0]["code"] == "invalid_json"
    assert errors[0]["message"] == "This file is not a notebook: invalid JSON at line 1, column 2."
    assert_nothing_stored(tmp_media)


def _nested_metadata() -> bytes:
    nb = json.loads(notebook_bytes())
    nb["metadata"]["deep"] = json.loads("[" * 900 + "]" * 900)
    return raw_json(nb)


def _minor_99() -> bytes:
    nb = json.loads(notebook_bytes())
    nb["nbformat_minor"] = 99
    return raw_json(nb)


def _bad_schema() -> bytes:
    nb = json.loads(notebook_bytes())
    nb["cells"][0]["source"] = 42
    return raw_json(nb)


BAD_INPUTS = [
    # (case, file name, bytes, status, message fragment)
    ("invalid JSON", "a.ipynb", b'{"cells": [', 400, "invalid JSON at line 1, column 12"),
    ("not UTF-8", "a.ipynb", b"\xff\xfe{}", 400, "it is not UTF-8 text"),
    ("JSON, not a notebook", "a.ipynb", b'{"a": 1}', 400, "JSON but not a notebook"),
    ("nbformat 2", "a.ipynb", raw_json({"nbformat": 2, "worksheets": []}), 400, "too old"),
    ("minor 99", "a.ipynb", _minor_99(), 400, "newer than this server understands"),
    ("schema error", "a.ipynb", _bad_schema(), 400, "not a valid notebook: 42 is not"),
    ("deep nesting", "a.ipynb", b"[" * 200_000 + b"]" * 200_000, 400, "nested too deeply"),
    ("empty file", "a.ipynb", b"", 400, "The file is empty."),
    ("wrong extension", "a.json", notebook_bytes(), 400, "Only Jupyter notebooks (.ipynb"),
    ("path parts", "../../secret.ipynb", notebook_bytes(), 400, "must not contain folder parts"),
    ("windows path", "C:\\Users\\x.ipynb", notebook_bytes(), 400, "must not contain folder parts"),
    ("control chars", "a\x1b[31m.ipynb", notebook_bytes(), 400, "control characters"),
]


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_upload_shows_message_and_stores_nothing(
    alice_client, tmp_media, name, data, status, message
):
    response = post_file(alice_client, data, name=name)
    assert response.status_code == status
    assert message in response.content.decode()
    assert_nothing_stored(tmp_media)


def test_deeply_nested_metadata_never_answers_500(alice_client, tmp_media):
    response = post_file(alice_client, _nested_metadata())
    assert response.status_code in (302, 400)


def test_file_over_size_limit_is_refused_with_413(alice_client, tmp_media, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    response = post_file(alice_client, notebook_bytes(cells=40))
    assert response.status_code == 413
    assert "The file is too large; the limit is 1000 bytes." in response.content.decode()
    assert_nothing_stored(tmp_media)


def test_too_many_cells_is_refused(alice_client, tmp_media, settings):
    settings.MAX_NOTEBOOK_CELLS = 10
    response = post_file(alice_client, notebook_bytes(cells=11))
    assert response.status_code == 400
    assert "The notebook has 11 cells; the limit is 10." in response.content.decode()
    assert_nothing_stored(tmp_media)


def test_missing_file_is_refused(alice_client, tmp_media):
    response = alice_client.post(UPLOAD, {"title": "x"})
    assert response.status_code == 400
    assert "Choose a .ipynb file to upload." in response.content.decode()


def test_upload_without_csrf_token_is_refused(alice, tmp_media):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post_file(client, notebook_bytes())
    assert response.status_code == 403
    assert_nothing_stored(tmp_media)


def test_anonymous_upload_redirects_to_sign_in(client, tmp_media):
    response = post_file(client, notebook_bytes())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert_nothing_stored(tmp_media)


def test_new_version_increments_number_and_keeps_old(alice_client, alice, make_notebook):
    notebook = make_notebook(alice)
    url = reverse("sharing:notebook-upload-version", args=[notebook.pk])
    first = notebook.latest_version.original.open("rb").read()
    response = post_file(alice_client, notebook_bytes(cells=5), name="analysis-v2.ipynb", url=url)
    assert response.status_code == 302
    notebook.refresh_from_db()
    assert notebook.latest_version.number == 2
    assert list(notebook.versions.values_list("number", flat=True)) == [2, 1]
    old = alice_client.get(reverse("sharing:version-download", args=[notebook.pk, 1]))
    assert b"".join(old.streaming_content) == first


def test_bad_new_version_keeps_latest_unchanged(alice_client, alice, make_notebook):
    notebook = make_notebook(alice)
    url = reverse("sharing:notebook-upload-version", args=[notebook.pk])
    response = post_file(alice_client, b"not json", url=url)
    assert response.status_code == 400
    assert "invalid JSON at line 1, column 1" in response.content.decode()
    assert notebook.versions.count() == 1


def test_version_upload_to_someone_elses_notebook_is_404(client, bob, alice, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(bob)
    url = reverse("sharing:notebook-upload-version", args=[notebook.pk])
    assert post_file(client, notebook_bytes(), url=url).status_code == 404
    assert notebook.versions.count() == 1


def test_version_upload_to_forged_id_is_404(alice_client):
    url = reverse("sharing:notebook-upload-version", args=[987654])
    assert post_file(alice_client, notebook_bytes(), url=url).status_code == 404
