"""Comparisons: cached once per pair of contents, big pairs in an isolated child with limits."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from sharing.diff import jobs
from sharing.diff.child import compare_isolated
from sharing.ingest import Upload
from sharing.models import VersionDiff
from sharing.notebooks import add_version
from tests.diff.conftest import as_bytes, mixed_pair

pytestmark = pytest.mark.django_db


def test_isolated_comparison_returns_data_html_and_reports_progress():
    old, new = mixed_pair()
    seen: list[int] = []
    outcome = compare_isolated(as_bytes(old), as_bytes(new), 60, 2048, seen.append)
    assert outcome.ok
    assert outcome.data["summary"]["modified"] == 3
    assert "nd-row nd-moved" in outcome.html
    assert 30 in seen and seen == sorted(seen)


def test_isolated_comparison_past_memory_limit_reports_memory():
    text = "\n".join("x" * 100 for _ in range(200_000))  # 20 MB of output on each side
    old = new_notebook(cells=[new_code_cell("p", outputs=[new_output("stream", text=text)])])
    new = new_notebook(cells=[new_code_cell("p", outputs=[new_output("stream", text=text + "!")])])
    outcome = compare_isolated(as_bytes(old), as_bytes(new), 60, 16)
    assert not outcome.ok
    assert outcome.message == (
        "Comparing these versions needed more than 16 MB of memory and was stopped."
    )


def test_isolated_comparison_past_time_limit_is_stopped():
    old = new_notebook(cells=[new_code_cell(f"x = {i}") for i in range(20_000)])
    new = new_notebook(cells=[new_code_cell(f"y = {i}") for i in range(20_000)])
    outcome = compare_isolated(as_bytes(old), as_bytes(new), 0.5, 2048)
    assert not outcome.ok
    assert outcome.message == "Comparing took longer than 0.5 seconds and was stopped."


@pytest.fixture
def pair(alice, make_notebook):
    old, new = mixed_pair()
    notebook = make_notebook(alice, as_bytes(old))
    second = add_version(notebook, alice, Upload.from_bytes("a.ipynb", as_bytes(new)))
    return notebook.versions.get(number=1), second


def test_small_pair_is_compared_at_once_and_cached(pair):
    job = jobs.request_diff(*pair)
    assert job.status == VersionDiff.Status.READY and job.progress == 100
    assert job.data["summary"]["added"] == 1 and job.html
    assert jobs.request_diff(*pair).pk == job.pk
    assert VersionDiff.objects.count() == 1
    # The other direction is another comparison.
    assert jobs.request_diff(pair[1], pair[0]).pk != job.pk


def test_cache_key_holds_both_hashes_and_the_diff_version(pair, monkeypatch):
    job = jobs.request_diff(*pair)
    assert (job.old_sha256, job.new_sha256) == (pair[0].content_sha256, pair[1].content_sha256)
    assert job.diff_version == jobs.DIFF_VERSION
    monkeypatch.setattr(jobs, "DIFF_VERSION", "999")
    assert jobs.request_diff(*pair).pk != job.pk  # a new format recomputes


def test_big_pair_goes_to_the_worker_which_computes_it_isolated(
    pair, settings, django_capture_on_commit_callbacks
):
    settings.RENDER_ASYNC_CELLS = 5
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = jobs.request_diff(*pair)
    assert job.status == VersionDiff.Status.PENDING and len(callbacks) == 1
    assert jobs.diff_in_background.call(job.pk, pair[0].pk, pair[1].pk) == "ready"
    job.refresh_from_db()
    assert job.progress == 100 and job.data["summary"]["moved"] == 1 and job.duration_ms >= 0
    assert jobs.diff_in_background.call(job.pk, pair[0].pk, pair[1].pk) == "skipped"


def test_a_failed_comparison_is_recorded_with_its_message(pair, settings):
    settings.RENDER_ASYNC_CELLS = 5
    settings.RENDER_TIMEOUT_SECONDS = 0.001
    job = jobs.request_diff(*pair, inline_allowed=False)
    assert jobs.diff_in_background.call(job.pk, pair[0].pk, pair[1].pk) == "failed"
    job.refresh_from_db()
    assert "longer than" in job.error and job.data is None and job.html == ""


def test_unreadable_stored_notebook_fails_with_a_message(pair):
    old, new = pair
    with open(new.normalized.path, "wb") as handle:
        handle.write(b"not json")
    job = jobs.request_diff(old, new)
    assert job.status == VersionDiff.Status.FAILED
    assert job.error == "The versions could not be compared because of an internal error."
