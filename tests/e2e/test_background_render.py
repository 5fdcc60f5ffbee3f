"""Large notebooks render in the background worker, in a child process with limits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from django.db import connection
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, as a URL the worker process can open."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(tmp_media, tmp_path):
    log = (tmp_path / "worker.log").open("w")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(tmp_media),
        "RENDER_TIMEOUT_SECONDS": "3",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(20)
    log.close()


def many_cells(count: int, heading: str) -> bytes:
    nb = new_notebook()
    nb.cells.append(new_markdown_cell(f"# {heading}"))
    nb.cells.extend(new_code_cell(f"value_{i} = {i}") for i in range(count))
    return nbformat.writes(nb).encode()


def upload(page, path: Path) -> float:
    page.goto("/upload/")
    page.set_input_files("input[type=file]", str(path))
    started = time.monotonic()
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/n/*/", timeout=180_000)
    return time.monotonic() - started


def test_big_notebook_renders_in_background_and_a_killed_render_shows_an_error(
    new_page, alice, worker, settings, tmp_path
):
    settings.RENDER_ASYNC_CELLS = 100
    settings.MAX_NOTEBOOK_CELLS = 100_000
    settings.UPLOAD_CHECK_SECONDS = 600  # checking 60,000 cells is slow, but not what is tested
    page = new_page()
    sign_in(page, "alice", PASSWORD)

    # Too slow for the 3-second limit: the child process is stopped, the page says so.
    slow = tmp_path / "slow.ipynb"
    slow.write_bytes(many_cells(60_000, "Too slow"))
    upload(page, slow)
    page.get_by_text("Rendering…").wait_for()
    error = page.locator("[data-render-error]")
    error.wait_for(timeout=60_000)
    assert "longer than 3 seconds" in error.inner_text()
    assert page.get_by_role("link", name="download the original .ipynb").is_visible()
    screenshot(page, "render-killed")

    # The worker keeps serving: the next large notebook renders and the page fills in.
    big = tmp_path / "big.ipynb"
    big.write_bytes(many_cells(400, "Big but fine"))
    upload(page, big)
    page.get_by_text("Rendering…").wait_for()
    screenshot(page, "render-pending")
    page.locator(".ns-notebook").get_by_role("heading", name="Big but fine").wait_for(
        timeout=60_000
    )
    assert page.locator(".ns-notebook [data-cell-id]").count() == 401
    assert worker.poll() is None
