"""The production server under load: a signed-in viewer's notebook page, DEBUG off, PostgreSQL.

Starts ``bin/serve`` (gunicorn) with 1 and then 2 worker processes on a fresh PostgreSQL
database, signs a viewer in, and sends REQUESTS requests from CLIENTS keep-alive connections.
Prints requests/s, p50/p99 latency and the growth of the server processes' resident memory
over the run, beside the same server sending a static file (the upper bound for anything it
serves), in the same run:

    .venv/bin/python bench/serve.py [--requests 20000] [--clients 8]

Needs PostgreSQL at PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres); it
creates and drops a database of its own. Client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from tests.ops.services import (  # noqa: E402
    Browserless,
    manage,
    postgres_database,
    production_env,
    start_server,
)

PASSWORD = "correct horse battery staple"  # noqa: S105 (a throwaway benchmark user)


def notebook_bytes(cells: int) -> bytes:
    """Markdown with math, code with outputs: a typical analysis notebook."""
    nb = new_notebook()
    for i in range(cells // 2):
        nb.cells.append(new_markdown_cell(f"## Step {i}\nWe fit $y = a x^{{{i}}} + b$ *again*."))
        nb.cells.append(
            new_code_cell(
                f"model_{i} = fit(data, degree={i})\nprint(model_{i}.score)",
                execution_count=i + 1,
                outputs=[new_output("stream", name="stdout", text=f"0.{i:03d}\n")],
            )
        )
    return nbformat.writes(nb).encode()


SETUP = """
from django.contrib.auth import get_user_model
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.notebooks import create_notebook
U = get_user_model()
owner = U.objects.create_user("owner", "o@example.com", {password!r})
viewer = U.objects.create_user("viewer", "v@example.com", {password!r})
data = open({path!r}, "rb").read()
notebook = create_notebook(owner, Upload.from_bytes("bench.ipynb", data), "Bench")
set_user_role(notebook, viewer, "viewer")
print(notebook.pk)
"""


def rss_kb(master_pid: int) -> int:
    """Resident memory of the gunicorn master and its worker processes, in KB."""
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def hammer(port: int, path: str, cookie: str, requests: int, clients: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = requests // clients

    def client() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        bad = 0
        for _ in range(per_client):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                bad += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def measure(env: dict, log: Path, workers: int, paths: dict, args) -> list[tuple[str, dict]]:
    server, base = start_server(env, log, workers=workers, threads=4)
    try:
        port = int(base.rsplit(":", 1)[1])
        viewer = Browserless(base)
        status, _, _ = viewer.post_form(
            "/accounts/login/", {"username": "viewer", "password": PASSWORD}
        )
        assert status == 302, "the viewer could not sign in"
        cookie = "; ".join(f"{c.name}={c.value}" for c in viewer.jar)
        results = []
        for label, path in paths.items():
            hammer(port, path, cookie, 200, args.clients)  # warm up
            before = rss_kb(server.pid)
            figures = hammer(port, path, cookie, args.requests, args.clients)
            figures["rss_growth_mb"] = (rss_kb(server.pid) - before) / 1024
            figures["rss_mb"] = rss_kb(server.pid) / 1024
            results.append((f"{label}, {workers} worker{'s' * (workers > 1)}", figures))
        return results
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cells", type=int, default=60, help="cells in the benchmark notebook")
    args = parser.parse_args()
    work = ROOT / "var" / "bench-serve"
    work.mkdir(parents=True, exist_ok=True)
    notebook = work / "bench.ipynb"
    notebook.write_bytes(notebook_bytes(args.cells))
    manifest = json.loads((ROOT / "var" / "static" / "staticfiles.json").read_text())
    static = "/static/" + manifest["paths"]["css/app.css"]
    with postgres_database() as url:
        env = production_env(
            DATABASE_URL=url,
            MEDIA_ROOT=str(work / "media"),
            RATE_LIMIT_LOGIN="",
            RATE_LIMIT_LINKS="",
            WEB_MAX_REQUESTS="0",  # measure growth, not the recycling that bounds it
        )
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        setup = SETUP.format(password=PASSWORD, path=str(notebook))
        pk = int(manage(env, "shell", "--no-imports", "-c", setup).stdout.split()[-1])
        paths = {"notebook page (signed-in viewer)": f"/n/{pk}/", "static file (app.css)": static}
        rows = []
        for workers in (1, 2):
            rows += measure(env, work / f"serve-{workers}.log", workers, paths, args)
    print(
        f"gunicorn gthread, 4 threads/process, DEBUG=0, PostgreSQL, {args.requests} requests "
        f"per row from {args.clients} keep-alive clients on the same {os.cpu_count()} cores; "
        f"notebook of {args.cells} cells ({notebook.stat().st_size} bytes)"
    )
    print(
        f"{'':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>8} {'growth MB':>10} errors"
    )
    for label, f in rows:
        print(
            f"{label:44} {f['rps']:8.0f} {f['p50_ms']:8.1f} {f['p99_ms']:8.1f} "
            f"{f['rss_mb']:8.0f} {f['rss_growth_mb']:10.1f} {f['errors']:6d}"
        )


if __name__ == "__main__":
    main()
