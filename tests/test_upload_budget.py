"""Uploads are untrusted: their check and their render run within budgets, so no file of any
size up to the limits holds a request past them, and the web process stays small."""

from __future__ import annotations

import json
import tracemalloc

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sharing.models import Notebook, NotebookVersion, Rendering
from sharing.rendering.jobs import render_in_background
from tests.test_upload import post_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice, tmp_media):
    client.force_login(alice)
    return client


def tiny_containers(megabytes: float) -> bytes:
    """A valid notebook made of many empty JSON containers: about 100 times its size in
    memory once parsed (cell metadata may hold anything)."""
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    count = int(megabytes * 1024 * 1024 / 3)
    nb.cells[0].metadata["data"] = [[] for _ in range(count)]
    return json.dumps(nb, separators=(",", ":")).encode()


def many_cells(cells: int) -> bytes:
    nb = new_notebook(cells=[new_code_cell(f"x = {i}", execution_count=i) for i in range(cells)])
    return nbformat.writes(nb).encode()


def quadratic_math(repeats: int) -> bytes:
    """Display-math openers without closers: each one makes the math scanner read to the end."""
    nb = new_notebook(cells=[new_markdown_cell("\\[x " * repeats)])
    return nbformat.writes(nb).encode()


def _error(response) -> tuple[str, str]:
    form = response.context["form"]
    error = form.errors.as_data()["file"][0]
    return error.code, error.messages[0]


def test_a_notebook_that_blows_up_in_memory_is_refused_and_the_web_process_stays_small(
    alice_client, settings
):
    settings.UPLOAD_CHECK_MEMORY_MB = 256
    data = tiny_containers(4)  # some 400 MB once parsed
    tracemalloc.start()
    try:
        response = post_file(alice_client, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400
    code, message = _error(response)
    assert code == "too_complex"
    assert "needed more than 256 MB of memory" in message
    assert not Notebook.objects.exists()
    assert not NotebookVersion.objects.exists()
    # The file, the copy sent to the checking child, and the form's own buffers: never the
    # parsed notebook (docs/rendering.md, "Budgets").
    assert peak < 5 * len(data) + 32 * 1024 * 1024


def test_a_notebook_that_takes_too_long_to_check_is_refused_at_the_deadline(alice_client, settings):
    settings.UPLOAD_CHECK_SECONDS = 1
    response = post_file(alice_client, many_cells(20_000))
    assert response.status_code == 400
    code, message = _error(response)
    assert code == "too_complex"
    assert "took longer than 1 seconds" in message
    assert not Notebook.objects.exists()


def test_the_same_refusal_through_the_api(client, alice, tmp_media, settings):
    settings.UPLOAD_CHECK_MEMORY_MB = 256
    client.force_login(alice)
    response = client.post(
        "/api/v1/notebooks",
        {"file": _named("containers.ipynb", tiny_containers(4))},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_complex"
    assert not Notebook.objects.exists()


def test_an_upload_whose_render_is_slow_answers_at_once_and_the_worker_takes_over(
    alice_client, settings
):
    settings.RENDER_INLINE_SECONDS = 1
    response = post_file(alice_client, quadratic_math(16_000))  # minutes to render unbounded
    assert response.status_code == 302
    job = Rendering.objects.get()
    assert job.status == Rendering.Status.PENDING  # handed to the background worker
    page = alice_client.get(response.url)
    assert page.status_code == 200
    assert b"data-render-status" in page.content


def test_a_render_past_the_background_budget_fails_with_a_message(alice_client, settings):
    settings.RENDER_INLINE_SECONDS = 1
    settings.RENDER_TIMEOUT_SECONDS = 2
    post_file(alice_client, quadratic_math(16_000))
    job = Rendering.objects.get()
    version = NotebookVersion.objects.get()
    assert render_in_background.call(job.pk, version.pk) == Rendering.Status.FAILED
    job.refresh_from_db()
    assert job.error == "Rendering took longer than 2 seconds and was stopped."


def _named(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
