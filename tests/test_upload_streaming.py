"""Uploads are never held whole in the web process: measured with tracemalloc while a large
notebook is uploaded through the browser form and through the API."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import tracemalloc
from pathlib import Path

import nbformat
import pytest
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.models import Notebook
from tests.api.support import bearer, token_for

pytestmark = pytest.mark.django_db

BOUNDARY = "----notebookshare-test-boundary"
MB = 1024 * 1024


def large_notebook(path: Path, megabytes: int) -> Path:
    """A notebook of ``megabytes`` MB: a few cells with long text outputs."""
    nb = new_notebook()
    line = "0123456789" * 7 + "abcdefghi\n"
    for i in range(megabytes):
        nb.cells.append(new_markdown_cell(f"## Part {i}"))
        text = f"part {i}\n" + line * (MB // len(line))
        outputs = [new_output("stream", name="stdout", text=text)]
        nb.cells.append(new_code_cell(f"print(part({i}))", execution_count=i + 1, outputs=outputs))
    path.write_bytes(nbformat.writes(nb).encode())
    return path


def multipart_body(path: Path, notebook: Path, fields: dict) -> Path:
    """A multipart/form-data body on disk: the fields, then the notebook as ``file``."""
    with path.open("wb") as body:
        for name, value in fields.items():
            body.write(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        body.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{notebook.name}"\r\nContent-Type: application/x-ipynb+json\r\n\r\n'.encode()
        )
        with notebook.open("rb") as source:
            shutil.copyfileobj(source, body)
        body.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return path


def post_streamed(client, url: str, body: Path, headers: dict | None = None):
    """POST ``body`` read from its file as the request arrives (as from a socket); the peak
    of memory the web process allocated meanwhile, in bytes."""
    environ = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    with body.open("rb") as stream:
        tracemalloc.start()
        try:
            response = client.request(
                REQUEST_METHOD="POST",
                PATH_INFO=url,
                CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
                CONTENT_LENGTH=str(body.stat().st_size),
                HTTP_ACCEPT="application/json",
                **{"wsgi.input": stream},
                **environ,
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return response, peak


@pytest.fixture
def big(tmp_path):
    return large_notebook(tmp_path / "big.ipynb", megabytes=24)


def stored_original(notebook: Notebook) -> bytes:
    with notebook.latest_version.original.open("rb") as handle:
        return handle.read()


def test_a_large_browser_upload_is_never_held_whole(client, alice, big, tmp_path, tmp_media):
    client.force_login(alice)
    body = multipart_body(tmp_path / "body", big, {"title": "Big one"})
    response, peak = post_streamed(client, reverse("sharing:upload"), body)
    assert response.status_code == 201, response.content[:500]
    size = big.stat().st_size
    assert peak < size / 6, f"the web process held {peak / MB:.1f} MB of a {size / MB:.1f} MB file"
    notebook = Notebook.objects.get(title="Big one")
    version = notebook.latest_version
    assert version.size == size
    assert version.sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
    assert stored_original(notebook) == big.read_bytes()
    assert version.cell_count == 48


def test_a_large_api_upload_is_never_held_whole(client, alice, big, tmp_path, tmp_media):
    body = multipart_body(tmp_path / "body", big, {"title": "From CI"})
    response, peak = post_streamed(client, "/api/v1/notebooks", body, bearer(token_for(alice)))
    assert response.status_code == 201, response.content[:500]
    size = big.stat().st_size
    assert peak < size / 6, f"the web process held {peak / MB:.1f} MB of a {size / MB:.1f} MB file"
    assert stored_original(Notebook.objects.get(title="From CI")) == big.read_bytes()


def test_a_refused_upload_leaves_no_temporary_file(client, alice, tmp_path, tmp_media, monkeypatch):
    """A file that is not a notebook is refused; neither it nor a normalised copy stays."""
    bad = tmp_path / "bad.ipynb"
    bad.write_bytes(b'{"nbformat": 4, "cells": "nope"' + b" " * MB + b"}")
    client.force_login(alice)
    body = multipart_body(tmp_path / "body", bad, {"title": ""})
    # A temporary folder of the test's own: other processes' uploads are not counted.
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    response, _ = post_streamed(client, reverse("sharing:upload"), body)
    assert response.status_code == 400
    assert not Notebook.objects.exists()
    assert list(private.iterdir()) == []
