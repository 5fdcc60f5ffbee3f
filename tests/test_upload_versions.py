"""The upload pages: identical re-uploads, version notes, several files at once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sharing.ingest import Upload
from sharing.models import Notebook
from sharing.notebooks import add_version
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db

UPLOAD = reverse("sharing:upload")


def _file(data: bytes, name: str = "a.ipynb") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _version_url(notebook) -> str:
    return reverse("sharing:notebook-upload-version", args=[notebook.pk])


def test_an_identical_reupload_makes_no_version_and_says_so(client, alice, make_notebook):
    data = notebook_bytes(3)
    notebook = make_notebook(alice, data=data)
    client.force_login(alice)
    response = client.post(_version_url(notebook), {"file": _file(data)}, follow=True)
    assert notebook.versions.count() == 1
    assert response.redirect_chain[-1][0] == notebook.latest_version.get_absolute_url()
    assert "Identical to version 1: no new version was made." in response.content.decode()


def test_an_identical_reupload_from_the_page_script_is_200_with_created_false(
    client, alice, make_notebook
):
    data = notebook_bytes(3)
    notebook = make_notebook(alice, data=data)
    client.force_login(alice)
    response = client.post(
        _version_url(notebook),
        {"file": _file(data)},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["message"] == "Identical to version 1: no new version was made."


def test_a_changed_upload_makes_a_version_with_its_note(client, alice, make_notebook):
    notebook = make_notebook(alice, data=notebook_bytes(3))
    client.force_login(alice)
    response = client.post(
        _version_url(notebook),
        {"file": _file(notebook_bytes(4)), "note": "  Added the recall plot  "},
        follow=True,
    )
    assert "Uploaded version 2." in response.content.decode()
    version = notebook.versions.get(number=2)
    assert version.note == "Added the recall plot"
    page = client.get(notebook.get_absolute_url()).content.decode()
    assert page.count("Added the recall plot") == 2  # the header and the version list
    assert "data-version-note" in page


def test_the_comparison_shows_the_notes_in_its_header(client, alice, make_notebook):
    notebook = make_notebook(alice, data=notebook_bytes(3))
    add_version(notebook, alice, Upload.from_bytes("b.ipynb", notebook_bytes(4)), note="More x")
    client.force_login(alice)
    html = client.get(reverse("sharing:notebook-compare", args=[notebook.pk, "1...2"])).content
    assert b"data-version-notes" in html
    assert b"<dt>Version 2</dt><dd>More x</dd>" in html


def test_a_note_past_the_limit_is_refused_with_a_message(client, alice, make_notebook):
    notebook = make_notebook(alice, data=notebook_bytes(3))
    client.force_login(alice)
    response = client.post(
        _version_url(notebook), {"file": _file(notebook_bytes(4)), "note": "x" * 501}
    )
    assert response.status_code == 400
    assert "Keep the note under 500 characters." in response.content.decode()
    assert notebook.versions.count() == 1


def test_several_files_make_one_notebook_each(client, alice):
    client.force_login(alice)
    files = [_file(notebook_bytes(2, title=f"Part {i}"), f"part{i}.ipynb") for i in range(3)]
    response = client.post(UPLOAD, {"file": files}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("sharing:dashboard")
    assert "Uploaded 3 notebooks." in response.content.decode()
    assert sorted(Notebook.objects.values_list("title", flat=True)) == [
        "Part 0",
        "Part 1",
        "Part 2",
    ]


def test_several_files_each_get_their_own_error(client, alice):
    client.force_login(alice)
    files = [
        _file(notebook_bytes(2, title="Good one"), "good.ipynb"),
        _file(b"{not json", "broken.ipynb"),
        _file(b"hello", "notes.txt"),
    ]
    response = client.post(UPLOAD, {"file": files})
    assert response.status_code == 400
    html = response.content.decode()
    assert list(Notebook.objects.values_list("title", flat=True)) == ["Good one"]
    assert "good.ipynb" in html and "Uploaded: <a href=" in html
    assert "broken.ipynb" in html and "invalid JSON at line 1" in html
    assert "notes.txt" in html and "Only Jupyter notebooks (.ipynb files) can be uploaded." in html


def test_several_files_from_the_page_script_answer_per_file(client, alice):
    client.force_login(alice)
    files = [_file(notebook_bytes(2), "good.ipynb"), _file(b"", "empty.ipynb")]
    response = client.post(UPLOAD, {"file": files}, headers={"accept": "application/json"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["url"] == Notebook.objects.get().get_absolute_url()
    assert results[1] == {"name": "empty.ipynb", "errors": ["The file is empty."]}


def test_the_upload_page_offers_several_files_and_the_version_page_one(
    client, alice, make_notebook
):
    client.force_login(alice)
    assert b" multiple " in client.get(UPLOAD).content
    notebook = make_notebook(alice)
    page = client.get(_version_url(notebook)).content
    assert b" multiple" not in page
    assert b"What changed" in page
