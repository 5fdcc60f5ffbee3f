"""The production server under load, beside nbviewer 1.0.1 and a static file, in one run.

Starts ``bin/serve`` (gunicorn, DEBUG off) with 1 and then 2 worker processes on a fresh
PostgreSQL database and measures, for a signed-in viewer (not the owner: the permission path
runs on every request):

- the notebook page (gzip accepted, as browsers send), and the same page revalidated (304);
- the comments JSON of the version;
- the dashboard with 10,000 notebooks shared with the viewer ("Shared with me");
- a 5 MB notebook's page;
- each of those four as a first view too: every request a new address (a query string of its
  own), so that nothing a process kept can answer it and it takes the whole way;
- a static CSS file through the same stack (the ceiling for anything Django serves);
- nbviewer 1.0.1 serving the same notebook from its local-file handler, cached, no sign-in
  (its own Python 3.11 virtualenv under var/, created on first use);
- the notebook page over MEMORY_REQUESTS requests with the growth of the server's memory.

Prints requests/s, p50/p99 latency, queries per request (counted in-process on the same
database), bytes per response and the ratios to nbviewer, with the issue's targets:

    .venv/bin/python bench/serve.py [--requests 20000] [--connections 2]

The load generator is wrk (``apt-get install wrk``), one thread, keep-alive connections.
Needs PostgreSQL at PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres); it
creates and drops a database of its own. Client and servers share this machine's cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
import psycopg  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from tests.ops.services import (  # noqa: E402
    Browserless,
    Process,
    free_port,
    manage,
    postgres_database,
    production_env,
    start_server,
    wait_for,
)

PASSWORD = "correct horse battery staple"  # noqa: S105 (a throwaway benchmark user)
NBVIEWER_PINS = [
    "nbviewer==1.0.1",
    "nbconvert==5.6.1",
    "jinja2==2.11.3",
    "markupsafe==2.0.1",
    "mistune==0.8.4",
    "ipython_genutils==0.2.0",
]
# As the issue says, plus: the newrelic these pins pull in today lacks the page-timing calls
# nbviewer's templates make (its pages answer with an error without them).
NBVIEWER_MAIN = (
    "import cgi, html; cgi.escape = lambda s, quote=False: html.escape(s, quote); "
    "import newrelic.agent as agent; "
    "agent.get_browser_timing_header = agent.get_browser_timing_footer = lambda: ''; "
    "import nbviewer.app; nbviewer.app.main()"
)
VISIBLE_NOTEBOOKS = 10_000


def notebook_bytes(cells: int, output_chars: int = 0) -> bytes:
    """Markdown with math, code with outputs: a typical analysis notebook."""
    nb = new_notebook()
    for i in range(cells // 2):
        nb.cells.append(new_markdown_cell(f"## Step {i}\nWe fit $y = a x^{{{i}}} + b$ *again*."))
        text = f"0.{i:03d}\n" + ("x" * 79 + "\n") * (output_chars // 80)
        nb.cells.append(
            new_code_cell(
                f"model_{i} = fit(data, degree={i})\nprint(model_{i}.score)",
                execution_count=i + 1,
                outputs=[new_output("stream", name="stdout", text=text)],
            )
        )
    return nbformat.writes(nb).encode()


SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from sharing.comments.threads import start_thread
from sharing.comments.cells import version_cells
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import Notebook, NotebookUserObjectPermission, NotebookVersion
from sharing.notebooks import create_notebook
U = get_user_model()
owner = U.objects.create_user("owner", "o@example.com", {password!r})
viewer = U.objects.create_user("viewer", "v@example.com", {password!r})
data = open({path!r}, "rb").read()
page = create_notebook(owner, Upload.from_bytes("bench.ipynb", data), "Bench")
set_user_role(page, viewer, "commenter")
version = page.latest_version
for cell in list(version_cells(version).values())[:3]:
    start_thread(page, version, cell, owner, "Is this **right**? See the step above.")
big = create_notebook(owner, Upload.from_bytes("big.ipynb", open({big!r}, "rb").read()), "Big")
set_user_role(big, viewer, "viewer")
# Notebooks shared with the viewer, written in bulk (their one version points at the bench files).
view = Permission.objects.get(codename="view_notebook", content_type__app_label="sharing")
many = Notebook.objects.bulk_create(
    Notebook(owner=owner, title=f"Analysis {{i}}") for i in range({visible})
)
versions = NotebookVersion.objects.bulk_create(
    NotebookVersion(
        notebook=nb, number=1, filename="bench.ipynb", original=version.original.name,
        normalized=version.normalized.name, size=version.size, sha256=version.sha256,
        content_sha256=version.content_sha256, source_nbformat="4.5",
        cell_count=version.cell_count, uploaded_by=owner,
    )
    for nb in many
)
for nb, v in zip(many, versions):
    nb.latest_version = v
Notebook.objects.bulk_update(many, ["latest_version"], batch_size=1000)
NotebookUserObjectPermission.objects.bulk_create(
    NotebookUserObjectPermission(user=viewer, permission=view, content_object=nb) for nb in many
)
print(page.pk, big.pk)
"""

COUNT = """
import gzip, json
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from sharing.pages import memo
client = Client(HTTP_ACCEPT_ENCODING="gzip", SERVER_NAME="localhost")
client.force_login(get_user_model().objects.get(username="viewer"))
out = {{}}
for label, path, etag in json.loads({paths!r}):
    client.get(path)
    headers = {{"If-None-Match": client.get(path)["ETag"]}} if etag else {{}}
    memo.clear()
    counts = []
    for _ in range(2):  # the whole way, then a repeat view
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        counts.append(len(queries))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    plain = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
    out[label] = [counts, response.status_code, len(body), len(plain)]
print(json.dumps(out))
"""

# Each request a new address (its own query string): nothing kept answers it, so the row
# measures the whole way, as a first view does. wrk passes the run's own prefix to init().
FRESH_SCRIPT = """
local prefix, counter = "", 0
init = function(args) prefix = args[1] end
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "first=" .. prefix .. "-" .. counter)
end
"""

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %f, "bytes": %d, "errors": %d, "p50": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, summary.bytes, bad,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk(
    url: str, headers: dict, requests: int, connections: int, script: Path, spread=None
) -> dict:
    """About ``requests`` requests (a short probe sets the duration), wrk's figures.

    ``spread`` (the connections each server process holds, from ``held_connections``): with
    a few keep-alive connections and as many processes, the kernel often gives both
    connections to one process (more often than not when requests are slow), leaving the
    other idle; a run is started again (up to SPREAD_ATTEMPTS times) until the connections are
    spread as evenly as they can be, and the spread is reported."""

    def run(seconds: int) -> dict:
        args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
        for name, value in headers.items():
            args += ["-H", f"{name}: {value}"]
        for attempt in range(SPREAD_ATTEMPTS):
            run_args = [*args, url, "--", uuid.uuid4().hex]  # the fresh script's prefix
            process = subprocess.Popen(run_args, stdout=subprocess.PIPE, text=True)
            held = _settled(spread, connections) if spread else []
            if not held or max(held) - min(held) <= 1 or attempt == SPREAD_ATTEMPTS - 1:
                break
            process.kill()
            process.wait()
        stdout, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"wrk failed on {url}")
        line = next(x for x in stdout.splitlines() if x.startswith("JSON "))
        return {**json.loads(line[5:]), "spread": held}

    probe = run(1)
    rate = max(probe["requests"] / probe["seconds"], 1)
    figures = run(max(round(requests / rate), 1))
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["bytes_per"] = figures["bytes"] / max(figures["requests"], 1)
    return figures


SPREAD_ATTEMPTS = 40


def _settled(spread, connections: int) -> list[int]:
    """The connections per server process once the client has opened all of them."""
    held = spread()
    for _ in range(50):
        if sum(held) >= connections:
            break
        time.sleep(0.02)
        held = spread()
    return held


def held_connections(master_pid: int, port: int):
    """A function telling how many open connections to ``port`` each worker process of the
    server ``master_pid`` holds (read from /proc: Linux only, as the rest of this bench)."""

    def spread() -> list[int]:
        established = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":  # ESTABLISHED
                    established.add(fields[9])  # the socket's inode
        counts = []
        for pid in _children(master_pid):
            sockets = set()
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        target = os.readlink(fd)
                        if target.startswith("socket:["):
                            sockets.add(target[8:-1])
            counts.append(len(sockets & established))
        return counts

    return spread


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def rss_kb(master_pid: int) -> int:
    """Resident memory of a server process and its children (gunicorn's workers), in KB."""
    pids = [master_pid, *_children(master_pid)]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def nbviewer_python(work: Path) -> Path:
    venv = work.parent / "bench-nbviewer"
    python = venv / "bin" / "python"
    if not (venv / "installed").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run(["python3.11", "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *NBVIEWER_PINS], check=True)
        (venv / "installed").touch()
    return python


def start_nbviewer(python: Path, folder: Path, log: Path) -> tuple[Process, str]:
    port = free_port()
    args = [str(python), "-c", NBVIEWER_MAIN, f"--port={port}", f"--localfiles={folder}"]
    process = Process(args, {**os.environ, "PYTHONWARNINGS": "ignore"}, log)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _status(base + "/localfile/bench.ipynb") == 200, 120, "nbviewer starting")
    return process, base


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()
            return response.status
    except OSError:
        return 0


def signed_in_cookie(base: str) -> str:
    viewer = Browserless(base)
    fields = {"username": "viewer", "password": PASSWORD}
    status, _, _ = viewer.post_form("/accounts/login/", fields)
    assert status == 302, "the viewer could not sign in"
    return "; ".join(f"{c.name}={c.value}" for c in viewer.jar)


def etag_of(base: str, path: str, cookie: str) -> str:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        base + path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()
        return response.headers["ETag"]


def measure(env, work, workers, paths, args, scripts) -> list[tuple[str, dict]]:
    server, base = start_server(env, work / f"serve-{workers}.log", workers=workers, threads=4)
    try:
        cookie = signed_in_cookie(base)
        spread = held_connections(server.pid, urllib.parse.urlsplit(base).port)
        rows = []
        for label, (path, revalidate, share, fresh) in paths.items():
            headers = {"Cookie": cookie, "Accept-Encoding": "gzip"}
            if revalidate:
                headers["If-None-Match"] = etag_of(base, path, cookie)
            script = scripts[fresh]
            wrk(base + path, headers, 500 * share, args.connections, script)  # warm up
            count = int(args.requests * share)
            figures = wrk(base + path, headers, count, args.connections, script, spread)
            rows.append((label, figures))
        script = scripts[False]
        if workers == max(int(n) for n in args.workers.split(",")):
            path, *_ = paths["notebook page (viewer)"]
            headers = {"Cookie": cookie, "Accept-Encoding": "gzip"}
            before = rss_kb(server.pid)
            figures = wrk(
                base + path, headers, args.memory_requests, args.connections, script, spread
            )
            figures["rss_before_mb"] = before / 1024
            figures["rss_after_mb"] = rss_kb(server.pid) / 1024
            rows.append((f"memory: page x {figures['requests']}", figures))
        return rows
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--memory-requests", type=int, default=50_000)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--cells", type=int, default=60, help="cells in the benchmark notebook")
    parser.add_argument("--workers", default="1,2", help="worker process counts to measure")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/serve.py needs wrk: apt-get install wrk")
    work = ROOT / "var" / "bench-serve"
    files = work / "notebooks"
    files.mkdir(parents=True, exist_ok=True)
    script, fresh = work / "report.lua", work / "fresh.lua"
    script.write_text(WRK_SCRIPT)
    fresh.write_text(FRESH_SCRIPT + WRK_SCRIPT)
    notebook, big = files / "bench.ipynb", files / "big.ipynb"
    notebook.write_bytes(notebook_bytes(args.cells))
    big.write_bytes(notebook_bytes(1000, output_chars=5_000))
    python = nbviewer_python(work)
    manifest = json.loads((ROOT / "var" / "static" / "staticfiles.json").read_text())
    static = "/static/" + manifest["paths"]["css/app.css"]
    with postgres_database() as url:
        env = production_env(
            DATABASE_URL=url,
            MEDIA_ROOT=str(work / "media"),
            RATE_LIMIT_LOGIN="",
            RATE_LIMIT_LINKS="",
            RATE_LIMIT_COMMENT="",
            RENDER_ASYNC_BYTES=str(20 * 1024 * 1024),  # the 5 MB page renders during setup
            RENDER_INLINE_SECONDS="300",
            WEB_MAX_REQUESTS="0",  # measure growth, not the recycling that bounds it
        )
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        setup = SETUP.format(
            password=PASSWORD, path=str(notebook), big=str(big), visible=VISIBLE_NOTEBOOKS
        )
        out = manage(env, "shell", "--no-imports", "-c", setup, timeout=900).stdout.split()
        pk, big_pk = int(out[-2]), int(out[-1])
        with psycopg.connect(url, autocommit=True) as db:  # as autovacuum leaves a database
            db.execute("VACUUM ANALYZE")
        # label: (path, send the ETag back, share of the request count, a new address each
        # time: the whole way, as a first view)
        dashboard = f"dashboard, {VISIBLE_NOTEBOOKS:,} shared"
        paths = {
            "notebook page (viewer)": (f"/n/{pk}/", False, 1, False),
            "page revalidated (304)": (f"/n/{pk}/", True, 1, False),
            "page, first view (whole way)": (f"/n/{pk}/", False, 0.25, True),
            "comments JSON": (f"/n/{pk}/v/1/comments/", False, 1, False),
            "comments JSON, first view": (f"/n/{pk}/v/1/comments/", False, 0.25, True),
            dashboard: ("/?tab=shared", False, 1, False),
            f"{dashboard}, first view": ("/?tab=shared", False, 0.1, True),
            "5 MB notebook page": (f"/n/{big_pk}/", False, 0.25, False),
            "5 MB page, first view": (f"/n/{big_pk}/", False, 0.05, True),
            "static file (app.css)": (static, False, 1, False),
        }
        listed = [[label, path, etag] for label, (path, etag, *_) in paths.items()]
        counted = json.loads(
            manage(env, "shell", "--no-imports", "-c", COUNT.format(paths=json.dumps(listed)))
            .stdout.strip()
            .splitlines()[-1]
        )
        viewer, viewer_url = start_nbviewer(python, files, work / "nbviewer.log")
        try:
            url = viewer_url + "/localfile/bench.ipynb"
            gzip = {"Accept-Encoding": "gzip"}
            wrk(url, gzip, 500, args.connections, script)
            reference = wrk(url, gzip, args.requests, args.connections, script)
        finally:
            viewer.stop()
        results = {}
        for workers in sorted(int(n) for n in args.workers.split(",")):
            results[workers] = measure(
                env, work, workers, paths, args, {False: script, True: fresh}
            )
    report(args, notebook, counted, reference, results)


def report(args, notebook: Path, counted: dict, reference: dict, results: dict) -> None:
    print(
        f"gunicorn gthread, 4 threads/process, DEBUG=0, PostgreSQL; wrk 1 thread, "
        f"{args.connections} connections, ~{args.requests:,} requests a row (first views "
        f"and the 5 MB page fewer); {os.cpu_count()} cores shared by client and servers; notebook "
        f"{notebook.stat().st_size:,} bytes; signed in as a viewer, gzip accepted"
    )
    head = f"{'':34} {'req/s':>7} {'x nbv':>6} {'p50 ms':>7} {'p99 ms':>7} {'queries':>7}"
    print(head + f" {'bytes':>9} {'unzipped':>9} {'errors':>6} {'conns':>6}")
    print(
        f"{'nbviewer 1.0.1 cached (1 process)':34} {reference['rps']:7.0f} {1:6.2f} "
        f"{reference['p50']:7.2f} {reference['p99']:7.2f} {'-':>7} "
        f"{reference['bytes_per']:9.0f} {'':>9} {reference['errors']:6d}"
    )
    for workers, rows in results.items():
        print(f"-- {workers} worker process{'es' * (workers > 1)}")
        for label, f in rows:
            if label.startswith("memory"):
                continue
            queries, _, _, plain = counted.get(label, [[], 0, 0, 0])
            if "first view" in label:
                queries = queries[:1]
            print(
                f"{label:34} {f['rps']:7.0f} {f['rps'] / reference['rps']:6.2f} "
                f"{f['p50']:7.2f} {f['p99']:7.2f} {'/'.join(map(str, queries)) or '-':>7} "
                f"{f['bytes_per']:9.0f} {plain:9d} {f['errors']:6d} "
                f"{'+'.join(map(str, f['spread'])) or '-':>6}"
            )
    most = max(results)
    for label, f in results[most]:
        if label.startswith("memory"):
            print(
                f"{label} ({most} workers): {f['rps']:.0f} req/s, resident memory "
                f"{f['rss_before_mb']:.1f} MB -> {f['rss_after_mb']:.1f} MB "
                f"({f['rss_after_mb'] - f['rss_before_mb']:+.1f} MB), {f['errors']} errors"
            )
    page = dict(results[most])["notebook page (viewer)"]
    revalidated = dict(results[most])["page revalidated (304)"]
    queries, _, zipped, plain = counted["notebook page (viewer)"]
    print("queries: the whole way / a repeat view (answered by the memo); conns: the client's")
    print("connections each server process held (spread evenly, see wrk())")
    print(f"targets ({most} workers, same run):")
    print(f"  page >= 0.5x nbviewer: {page['rps'] / reference['rps']:.2f}x")
    print(f"  304 >= 1.0x nbviewer: {revalidated['rps'] / reference['rps']:.2f}x")
    print(f"  p99 < 20 ms at {args.connections} connections: page {page['p99']:.1f} ms")
    print(f"  <= 4 queries per page view: {queries[0]} (a repeat view: {queries[1]})")
    print(f"  body compressed to <= 1/3: {zipped:,} of {plain:,} bytes ({zipped / plain:.2f})")


if __name__ == "__main__":
    main()
