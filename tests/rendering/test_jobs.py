"""When rendering happens, and the limits of a background render."""

import nbformat
import pytest
from django.core.files.base import ContentFile
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.models import Rendering
from sharing.rendering import jobs
from sharing.rendering.child import render_isolated
from sharing.rendering.jobs import render_in_background
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db


def small_notebook() -> bytes:
    nb = new_notebook(cells=[new_markdown_cell("# Hello"), new_code_cell("1 + 1")])
    nb.cells[0].id, nb.cells[1].id = "first", "second"
    return nbformat.writes(nb).encode()


def test_isolated_render_returns_html():
    outcome = render_isolated(small_notebook(), timeout=60, memory_mb=2048)
    assert outcome.ok
    assert 'id="cell-first"' in outcome.text


def test_isolated_render_past_memory_limit_reports_memory():
    text = "\n".join("x" * 100 for _ in range(200_000))  # 20 MB of output
    nb = new_notebook(cells=[new_code_cell("print(x)", outputs=[new_output("stream", text=text)])])
    outcome = render_isolated(nbformat.writes(nb).encode(), timeout=60, memory_mb=16)
    assert not outcome.ok
    assert outcome.text == "Rendering needed more than 16 MB of memory and was stopped."


def test_isolated_render_past_time_limit_is_stopped():
    big = new_notebook(cells=[new_code_cell(f"x = {i}") for i in range(30_000)])
    outcome = render_isolated(nbformat.writes(big).encode(), timeout=0.5, memory_mb=2048)
    assert not outcome.ok
    assert outcome.text == "Rendering took longer than 0.5 seconds and was stopped."


def test_small_upload_renders_at_once(alice, make_notebook):
    notebook = make_notebook(alice)
    job = jobs.rendering_for(notebook.latest_version)
    assert job.status == Rendering.Status.READY
    assert job.html and job.duration_ms is not None


def test_large_upload_is_queued_for_the_worker(alice, make_notebook, settings):
    settings.RENDER_ASYNC_CELLS = 2
    notebook = make_notebook(alice, data=notebook_bytes(cells=5))
    job = jobs.rendering_for(notebook.latest_version)
    assert job.status == Rendering.Status.PENDING
    assert job.html == ""


def test_background_task_renders_and_records_failures(alice, make_notebook, settings):
    settings.RENDER_ASYNC_CELLS = 2
    notebook = make_notebook(alice, data=notebook_bytes(cells=5))
    version = notebook.latest_version
    job = jobs.rendering_for(version)
    assert render_in_background.call(job.pk, version.pk) == Rendering.Status.READY
    job.refresh_from_db()
    assert 'class="jp-Cell' in job.html
    # A second run of the same job does nothing.
    assert render_in_background.call(job.pk, version.pk) == "skipped"


def test_identical_content_shares_one_rendering(alice, bob, make_notebook):
    data = small_notebook()
    first = make_notebook(alice, data=data)
    second = make_notebook(bob, data=data)
    assert first.latest_version.content_sha256 == second.latest_version.content_sha256
    assert Rendering.objects.count() == 1


def test_unrenderable_stored_notebook_fails_with_a_message(alice, make_notebook):
    notebook = make_notebook(alice)
    version = notebook.latest_version
    version.normalized.storage.delete(version.normalized.name)
    version.normalized.storage.save(version.normalized.name, ContentFile(b'{"nbformat": 4}'))
    Rendering.objects.all().delete()
    job = jobs.request_rendering(version)
    assert job.status == Rendering.Status.FAILED
    assert job.error
