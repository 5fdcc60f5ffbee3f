"""The budget for untrusted work (sharing/budget.py): a limited child, stopped past its limits."""

import multiprocessing
import os
import subprocess
import sys
import time

import pytest

from sharing.budget import BudgetExceeded, run_within_budget
from sharing.ingest import NotebookRejected, validate_notebook


def test_the_result_comes_back_from_the_child():
    assert run_within_budget(sum, [1, 2, 3], seconds=60, memory_mb=64) == 6


def test_work_past_its_time_is_stopped_at_the_deadline():
    with pytest.raises(BudgetExceeded) as stopped:
        run_within_budget(time.sleep, 600, seconds=1, memory_mb=64)
    assert stopped.value.kind == "time"
    assert str(stopped.value) == "took longer than 1 seconds"
    assert not multiprocessing.active_children()  # the child was killed and reaped


def test_work_past_its_memory_is_stopped():
    with pytest.raises(BudgetExceeded) as stopped:
        run_within_budget(bytearray, 2 * 1024**3, seconds=60, memory_mb=64)
    assert stopped.value.kind == "memory"
    assert stopped.value.describe() == "needed more than 64 MB of memory"


def test_an_exception_of_the_work_is_raised_to_the_caller_intact():
    with pytest.raises(NotebookRejected) as refused:
        run_within_budget(validate_notebook, b"{nope", "x.ipynb", 10, seconds=60, memory_mb=256)
    assert refused.value.code == "invalid_json"
    assert refused.value.message == "This file is not a notebook: invalid JSON at line 1, column 2."


def test_the_caller_is_unharmed_by_a_child_that_blows_up():
    for _ in range(3):
        with pytest.raises(BudgetExceeded):
            run_within_budget(bytearray, 2 * 1024**3, seconds=60, memory_mb=32)
    assert run_within_budget(len, "still here", seconds=60, memory_mb=64) == 10


def test_the_fork_servers_warm_up_runs_without_django_settings_or_errors():
    # The fork server ignores a preload that fails; this is where such a failure shows.
    result = subprocess.run(
        [sys.executable, "-c", "import sharing.warmup"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "no.such.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
