"""Two web processes of the production server and two workers on one PostgreSQL and one bucket.

Whatever one node stores, the other serves; a worker killed in the middle of a render leaves
a job the other worker finishes after the lease runs out; a web process killed in the middle
of an upload leaves nothing stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import socket
import time

import nbformat
import psycopg
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.conftest import PASSWORD, notebook_bytes
from tests.ops.services import (
    Browserless,
    Weed,
    manage,
    multipart,
    postgres_database,
    production_env,
    start_server,
    start_worker,
    wait_for,
)

pytestmark = pytest.mark.cluster

LEASE_SECONDS = 3


def large_notebook() -> bytes:
    """About 6,000 cells: seconds of rendering, long enough to kill the worker doing it."""
    nb = new_notebook()
    for i in range(3000):
        nb.cells.append(new_markdown_cell(f"## Step {i}\nSome *text* with $x^{{{i}}}$ math."))
        nb.cells.append(
            new_code_cell(
                f"y = {i}\nprint(y)",
                execution_count=i,
                outputs=[new_output("stream", name="stdout", text=f"{i}\n")],
            )
        )
    return nbformat.writes(nb).encode()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    weed = Weed(root / "weed")
    weed.start()
    processes = []
    try:
        bucket = weed.new_bucket()
        with postgres_database() as database_url:
            env = production_env(
                DATABASE_URL=database_url,
                **weed.env(bucket),
                RENDER_ASYNC_CELLS="500",
                RENDER_LEASE_SECONDS=str(LEASE_SECONDS),
                DATABASE_POOL_MIN="1",
                DATABASE_POOL_MAX="4",
            )
            manage(env, "migrate", "--noinput")
            manage(env, "createcachetable")
            manage(
                env,
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model; U = get_user_model(); "
                f"[U.objects.create_user(n, n + '@example.com', {PASSWORD!r}) "
                "for n in ('alice', 'bob')]",
            )
            token = manage(env, "create_api_token", "alice", "--name", "ops").stdout
            token = re.search(r"nbs_\S+", token).group(0)
            web_a, base_a = start_server(env, root / "web-a.log", workers=2, threads=2)
            processes.append(web_a)
            web_b, base_b = start_server(env, root / "web-b.log", workers=1, threads=4)
            processes.append(web_b)
            workers = {
                worker_id: start_worker(env, root / f"{worker_id}.log", worker_id)
                for worker_id in ("worker-1", "worker-2")
            }
            processes.extend(workers.values())
            yield {
                "weed": weed,
                "bucket": bucket,
                "database_url": database_url,
                "env": env,
                "token": token,
                "a": base_a,
                "b": base_b,
                "web_a": web_a,
                "workers": workers,
            }
            for process in processes:
                process.stop()
    finally:
        for process in processes:
            process.stop()
        weed.stop()


def signed_in(base: str, username: str) -> Browserless:
    client = Browserless(base)
    status, _, body = client.post_form(
        "/accounts/login/", {"username": username, "password": PASSWORD}
    )
    assert status == 302, (status, body[:500])
    return client


def api(client: Browserless, token: str, method: str, path: str, payload=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    data = json.dumps(payload).encode() if payload is not None else None
    status, _, body = client.request(method, path, data, headers)
    return status, json.loads(body) if body else None


def db_rows(database_url: str, query: str, *params):
    with psycopg.connect(database_url) as conn:
        return conn.execute(query, params).fetchall()


def upload(client: Browserless, data: bytes, title: str) -> int:
    status, _, body = client.upload("/upload/", "analysis.ipynb", data, title=title)
    assert status == 201, body[:1000]
    return int(re.search(r"/n/(\d+)/", json.loads(body)["url"]).group(1))


def test_what_one_node_stores_the_other_serves(cluster):
    alice_a = signed_in(cluster["a"], "alice")
    data = notebook_bytes(cells=4, title="Churn")
    notebook_id = upload(alice_a, data, "Churn analysis")

    # Alice shares it with Bob through the other node's API.
    status, body = api(
        Browserless(cluster["b"]),
        cluster["token"],
        "PUT",
        f"/api/v1/notebooks/{notebook_id}/access",
        {"visibility": "private", "users": [{"username": "bob", "role": "commenter"}]},
    )
    assert status == 200, body

    bob_b = signed_in(cluster["b"], "bob")
    status, _, page = bob_b.request("GET", f"/n/{notebook_id}/")
    assert status == 200
    assert b"Churn analysis" in page and b"jp-Cell" in page
    cell_id = re.search(rb'data-cell-id="([^"]+)"', page).group(1).decode()

    status, _, body = bob_b.post_form(
        f"/n/{notebook_id}/v/1/comments/", {"cell_id": cell_id, "body": "Tuned on which data?"}
    )
    assert status in (201, 302), body[:500]

    status, threads = api(
        Browserless(cluster["a"]),
        cluster["token"],
        "GET",
        f"/api/v1/notebooks/{notebook_id}/threads",
    )
    assert status == 200
    [comment] = [c for t in threads["threads"] for c in t["comments"]]
    assert comment["author"] == "bob" and "Tuned on which data?" in comment["html"]

    status, headers, download = bob_b.request("GET", f"/n/{notebook_id}/v/1/download/")
    assert status == 200
    assert hashlib.sha256(download).hexdigest() == hashlib.sha256(data).hexdigest()
    assert int(headers["Content-Length"]) == len(data)
    # Both files are in the bucket, none on any node's disk.
    assert len(cluster["weed"].keys(cluster["bucket"])) == 2


def test_killed_worker_render_is_taken_over_after_the_lease(cluster):
    alice_a = signed_in(cluster["a"], "alice")
    notebook_id = upload(alice_a, large_notebook(), "Big")
    content = db_rows(
        cluster["database_url"],
        "SELECT content_sha256 FROM sharing_notebookversion WHERE notebook_id = %s",
        notebook_id,
    )[0][0]

    def running_holder():
        rows = db_rows(
            cluster["database_url"],
            "SELECT status, leased_by FROM sharing_rendering WHERE content_sha256 = %s",
            content,
        )
        return rows[0][1] if rows and rows[0][0] == "running" else None

    holder = wait_for(running_holder, 120, "a worker starting the render")
    pid = int(holder.rsplit(":", 1)[1])
    [(victim_id, victim)] = [(k, p) for k, p in cluster["workers"].items() if p.pid == pid]
    time.sleep(1)  # well into the render
    victim.kill(signal.SIGKILL)  # the worker and its render child, mid-render

    # Pages keep asking; once the lease has run out, the job goes to the other worker.
    alice_b = alice_a.with_base(cluster["b"])

    def finished():
        status, _, body = alice_b.request("GET", f"/n/{notebook_id}/v/1/status/")
        return json.loads(body)["finished"] if status == 200 else False

    wait_for(finished, 180, "the other worker finishing the render")
    [(status, leased_by, attempts, html_len)] = db_rows(
        cluster["database_url"],
        "SELECT status, leased_by, attempts, length(html) FROM sharing_rendering "
        "WHERE content_sha256 = %s",
        content,
    )
    assert (status, leased_by, attempts) == ("ready", "", 2)
    assert html_len > 100_000
    tasks = db_rows(
        cluster["database_url"],
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE %s ORDER BY enqueued_at",
        "%.render_in_background",
    )
    other_id = next(k for k in cluster["workers"] if k != victim_id)
    # The upload's other jobs (search indexing) run beside it: only the render jobs count here.
    assert tasks == [("FAILED", [victim_id]), ("SUCCESSFUL", [other_id])]
    status, _, page = alice_b.request("GET", f"/n/{notebook_id}/")
    assert status == 200 and b"Step 2999" in page


def test_killed_web_process_mid_upload_stores_nothing(cluster):
    alice_a = signed_in(cluster["a"], "alice")
    keys_before = cluster["weed"].keys(cluster["bucket"])
    versions_before = db_rows(
        cluster["database_url"], "SELECT count(*) FROM sharing_notebookversion"
    )

    body, content_type = multipart(
        {"csrfmiddlewaretoken": alice_a.csrf(), "title": "Half"}, "half.ipynb", large_notebook()
    )
    cookies = "; ".join(f"{c.name}={c.value}" for c in alice_a.jar)
    port = int(cluster["a"].rsplit(":", 1)[1])
    head = (
        f"POST /upload/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookies}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        f"Referer: {cluster['a']}/\r\nX-CSRFToken: {alice_a.csrf()}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body[: len(body) // 2])
        time.sleep(0.5)
        cluster["web_a"].kill(signal.SIGKILL)  # every process of that server, mid-upload
        sock.settimeout(10)
        try:
            answer = sock.recv(1024)
        except ConnectionResetError:
            answer = b""
        assert answer == b""  # the connection died without an answer

    assert cluster["weed"].keys(cluster["bucket"]) == keys_before
    assert (
        db_rows(cluster["database_url"], "SELECT count(*) FROM sharing_notebookversion")
        == versions_before
    )
    report = manage(cluster["env"], "verify_storage", "--orphans").stdout
    assert "0 unreferenced files." in report
    # The other node carries on.
    status, _, _ = alice_a.with_base(cluster["b"]).request("GET", "/")
    assert status == 200
