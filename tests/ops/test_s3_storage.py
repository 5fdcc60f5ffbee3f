"""Uploads and downloads through a real S3 server (SeaweedFS), and what happens when it stops."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse

from sharing.models import Notebook, NotebookVersion
from tests.conftest import notebook_bytes
from tests.ops.services import Weed

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, title: str = "On S3"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("sharing:upload"),
        {"title": title, "file": SimpleUploadedFile("a.ipynb", data)},
        HTTP_ACCEPT="application/json",
    )


def test_upload_lands_in_the_bucket_and_downloads_byte_for_byte(
    client, alice, s3_settings, weed, bucket
):
    client.force_login(alice)
    data = notebook_bytes(cells=5)
    response = upload(client, data)
    assert response.status_code == 201
    version = NotebookVersion.objects.get()
    assert weed.keys(bucket) == sorted([version.original.name, version.normalized.name])

    download = client.get(reverse("sharing:version-download", args=[version.notebook_id, 1]))
    assert isinstance(download, FileResponse) and download.streaming
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == version.sha256 == hashlib.sha256(data).hexdigest()
    assert download["Content-Length"] == str(len(data))
    assert download["Content-Disposition"].startswith("attachment")


def test_stored_objects_are_private(alice, make_notebook, s3_settings, weed):
    version = make_notebook(alice).latest_version
    url = f"{weed.endpoint}/{default_storage.bucket_name}/{version.original.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)  # noqa: S310 (loopback)
    assert refused.value.code == 403


def test_a_name_is_never_overwritten(s3_settings):
    first = default_storage.save("notebooks/same/original.ipynb", ContentFile(b"one"))
    second = default_storage.save("notebooks/same/original.ipynb", ContentFile(b"two"))
    assert first != second
    assert default_storage.open(first).read() == b"one"


def test_store_down_upload_is_503_and_nothing_stored_while_pages_still_show(
    client, alice, settings, tmp_path
):
    """A store of its own, stopped in the middle of the test."""
    from notebookshare.storage import s3_storage
    from tests.ops.services import S3_KEY, S3_SECRET

    weed = Weed(tmp_path / "weed")
    weed.start()
    try:
        bucket = weed.new_bucket()
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_storage(
                bucket,
                endpoint_url=weed.endpoint,
                connect_timeout=1,
                access_key=S3_KEY,
                secret_key=S3_SECRET,
            ),
        }
        client.force_login(alice)
        assert upload(client, notebook_bytes(), "Before").status_code == 201
        notebook = Notebook.objects.get()
        assert client.get("/readyz").status_code == 200
        weed.stop()

        response = upload(client, notebook_bytes(cells=4), "During")
        assert response.status_code == 503
        assert response.json()["code"] == "storage_unavailable"
        assert "nothing was stored" in response.json()["detail"]
        page_upload = client.post(
            reverse("sharing:upload"),
            {"title": "During", "file": _file(notebook_bytes(cells=6))},
        )
        assert page_upload.status_code == 503
        assert b"The file store cannot be reached right now" in page_upload.content
        assert Notebook.objects.count() == 1 and NotebookVersion.objects.count() == 1

        page = client.get(notebook.get_absolute_url())
        assert page.status_code == 200 and b"jp-Cell" in page.content
        download = client.get(reverse("sharing:version-download", args=[notebook.pk, 1]))
        assert download.status_code == 503
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json() == {"status": "unavailable"}

        weed.start()
        assert client.get("/readyz").status_code == 200
        assert upload(client, notebook_bytes(cells=4), "After").status_code == 201
        assert len(weed.keys(bucket)) == 4
    finally:
        weed.stop()


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.ipynb", data)
