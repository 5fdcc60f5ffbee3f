"""A full disk and a restarting database: the right status codes, nothing half-stored."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sharing.models import Notebook
from tests.conftest import PASSWORD, notebook_bytes
from tests.ops.services import (
    Browserless,
    free_port,
    get,
    manage,
    production_env,
    start_server,
    wait_for,
)


@pytest.fixture
def full_disk(settings):
    """MEDIA_ROOT on a real 64 KB file system (tmpfs), so writes fail with ENOSPC."""
    mount_point = Path(tempfile.mkdtemp(prefix="nbs-full-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount_point)],
        check=True,
    )
    settings.MEDIA_ROOT = mount_point
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)
        mount_point.rmdir()


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_full_disk_upload_is_507_and_leaves_no_partial_file(client, alice, full_disk):
    client.force_login(alice)
    big = notebook_bytes(cells=1500)  # a few hundred KB: more than the disk holds
    assert len(big) > 128 * 1024
    response = client.post(
        reverse("sharing:upload"),
        {"title": "Too big for the disk", "file": SimpleUploadedFile("big.ipynb", big)},
    )
    assert response.status_code == 507
    assert b"no space left to store files, so nothing was stored" in response.content
    assert stored_files(full_disk) == []
    assert not Notebook.objects.exists()

    api = client.post(
        "/api/v1/notebooks", {"file": SimpleUploadedFile("big.ipynb", big)}, HTTP_ACCEPT="*/*"
    )
    assert api.status_code == 507 and api.json()["code"] == "insufficient_storage"
    assert stored_files(full_disk) == []

    small = client.post(
        reverse("sharing:upload"),
        {"title": "Fits", "file": SimpleUploadedFile("small.ipynb", notebook_bytes())},
    )
    assert small.status_code == 302  # the disk still works for what fits
    assert len(stored_files(full_disk)) == 2


# --- the database going away and coming back ------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL server of this test's own (initdb), so stopping it disturbs nobody."""

    def __init__(self) -> None:
        [self.bin] = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:]
        self.dir = Path(tempfile.mkdtemp(prefix="nbs-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/notebookshare"
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()
        self._as_postgres("createdb", "-h", "127.0.0.1", "-p", str(self.port), "notebookshare")

    def _as_postgres(self, tool: str, *args: str) -> None:
        # No pipes: the server started by pg_ctl would hold them open after pg_ctl returns.
        subprocess.run(
            ["runuser", "-u", "postgres", "--", f"{self.bin}/{tool}", *args],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.dir,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        log = str(self.dir / "postgres.log")
        self._as_postgres("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                f"{self.bin}/pg_ctl",
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def test_database_restart_requests_fail_fast_with_503_and_recover(tmp_path):
    postgres = PrivatePostgres()
    server = None
    try:
        env = production_env(
            DATABASE_URL=postgres.url,
            MEDIA_ROOT=str(tmp_path / "media"),
            DATABASE_POOL_MIN="1",
            DATABASE_POOL_MAX="2",
            DATABASE_POOL_TIMEOUT="3",
            DATABASE_CONNECT_TIMEOUT="2",
        )
        (tmp_path / "media").mkdir()
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user('alice', 'a@example.com', {PASSWORD!r})",
        )
        server, base = start_server(env, tmp_path / "web.log", workers=1, threads=2)
        alice = Browserless(base)
        status, _, _ = alice.post_form(
            "/accounts/login/", {"username": "alice", "password": PASSWORD}
        )
        assert status == 302
        assert alice.request("GET", "/")[0] == 200

        postgres.stop()
        status, headers, body = alice.request("GET", "/", timeout=30)
        assert status == 503
        assert b"The database cannot be reached right now" in body
        assert headers["Retry-After"] == "30"
        assert get(base + "/readyz")[0] == 503
        assert get(base + "/healthz")[0] == 200  # the process itself is fine

        postgres.start()
        wait_for(lambda: alice.request("GET", "/")[0] == 200, 60, "the site recovering")
        assert get(base + "/readyz")[0] == 200
        assert server.popen.poll() is None  # the same server, never restarted
    finally:
        if server is not None:
            server.stop()
        postgres.remove()
