"""What the budgets for untrusted work cost, and what they stop (docs/rendering.md, "Budgets").

    python bench/budget.py

Prints, in one run: the cost of one budgeted call (a child forked from the preloaded fork
server) against calling the function directly; a small notebook checked and rendered directly
and within the budget; the web process's peak traced memory while a 50 MB notebook is checked
(the bound is about 4x the file); and the adversarial inputs of the hardening issue, each
stopped at its budget instead of running for minutes or gigabytes.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebookshare.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import nbformat  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from sharing.budget import BudgetExceeded, run_within_budget  # noqa: E402
from sharing.ingest import NotebookRejected, Upload, validate_notebook  # noqa: E402
from sharing.rendering.child import render_bytes  # noqa: E402


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:8.1f} ms, max {max(samples) * 1000:8.1f} ms"


def timed(function, *args, repeat: int = 20) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - started)
    return times


def small_notebook() -> bytes:
    cells = [new_markdown_cell("# Report\nSome *text* and $x^2$.")]
    for i in range(30):
        out = new_output("stream", name="stdout", text=f"{i}\n" * 5)
        cells.append(new_code_cell(f"x = {i}\nprint(x)", outputs=[out], execution_count=i))
    return nbformat.writes(new_notebook(cells=cells)).encode()


def big_outputs(megabytes: int) -> bytes:
    text = ("y" * 99 + "\n") * (megabytes * 1024 * 1024 // 100)
    cell = new_code_cell("print(y)", outputs=[new_output("stream", name="stdout", text=text)])
    return nbformat.writes(new_notebook(cells=[cell])).encode()


def tiny_containers(megabytes: float) -> bytes:
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.cells[0].metadata["data"] = [[] for _ in range(int(megabytes * 1024 * 1024 / 3))]
    return json.dumps(nb, separators=(",", ":")).encode()


def main() -> None:
    run_within_budget(len, "warm the fork server", seconds=120, memory_mb=64)
    print("one budgeted call (fork server child)")
    print(f"  len() directly          {ms(timed(len, 'x'))}")
    budgeted = timed(lambda: run_within_budget(len, "x", seconds=60, memory_mb=64))
    print(f"  len() within a budget   {ms(budgeted)}")

    data = small_notebook()
    print(f"\na 31-cell notebook ({len(data) / 1024:.0f} KB)")
    print(f"  check directly          {ms(timed(validate_notebook, data, 'a.ipynb', 20000))}")
    print(f"  check within a budget   {ms(timed(Upload.from_bytes, 'a.ipynb', data))}")
    print(f"  render directly         {ms(timed(render_bytes, data))}")
    budgeted = timed(lambda: run_within_budget(render_bytes, data, seconds=60, memory_mb=2048))
    print(f"  render within a budget  {ms(budgeted)}")

    big = big_outputs(50)
    tracemalloc.start()
    started = time.perf_counter()
    Upload.from_bytes("big.ipynb", big)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\na {len(big) / 2**20:.0f} MB notebook checked within the budget: {elapsed:.1f} s")
    ratio = peak / len(big)
    print(f"  web process peak traced memory {peak / 2**20:.0f} MB = {ratio:.1f}x the file")
    print("  (documented bound: about 4x the file)")

    print("\nadversarial inputs, stopped at their budget")
    cases = [
        ("10 MB of tiny containers (1.16 GB, 44 s unbounded)", tiny_containers(10)),
        ("20,000 cells (slow schema check)", nbformat.writes(new_notebook(
            cells=[new_code_cell(f"x = {i}") for i in range(20_000)])).encode()),
    ]  # fmt: skip
    for label, payload in cases:
        started = time.perf_counter()
        try:
            Upload.from_bytes("x.ipynb", payload)
            outcome = "accepted"
        except NotebookRejected as refused:
            outcome = f"refused ({refused.code})"
        print(f"  check: {label}: {outcome} in {time.perf_counter() - started:.1f} s")
    math = nbformat.writes(new_notebook(cells=[new_markdown_cell("\\[x " * 8000)])).encode()
    started = time.perf_counter()
    try:
        run_within_budget(render_bytes, math, seconds=10, memory_mb=2048)
        outcome = "rendered"
    except BudgetExceeded as stopped:
        outcome = f"stopped: {stopped}"
    print(
        f"  render: 32 KB of unclosed \\[ (about 40 s unbounded): {outcome} "
        f"after {time.perf_counter() - started:.1f} s (inline budget 10 s)"
    )


if __name__ == "__main__":
    main()
