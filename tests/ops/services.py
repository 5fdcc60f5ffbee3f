"""Real services for the operations tests: SeaweedFS (S3), PostgreSQL, the production server.

Everything listens on 127.0.0.1 on free ports and is stopped by the test that started it.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
import psycopg
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
WEED = str(Path(PYTHON).parent / "weed")
S3_KEY, S3_SECRET = "notebookshare-test", "notebookshare-test-secret"
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "test-" + "".join(chr(65 + (i * 11) % 58) for i in range(60))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s (last error: {last!r})")


def _port_pair() -> int:
    """A free port whose +10000 neighbour (SeaweedFS's gRPC port) is free too."""
    for _ in range(200):
        port = 20000 + secrets.randbelow(15000)
        if all(_is_free(p) for p in (port, port + 10000)):
            return port
    raise RuntimeError("no free port pair")


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Weed:
    """``weed mini`` on loopback, telemetry off, with one access key; start/stop at will."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.ports = {
            name: _port_pair()
            for name in ("master", "volume", "filer", "s3", "admin", "webdav", "iceberg", "lance")
        }
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        p = self.ports
        return [
            WEED,
            "mini",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-admin.ui=false",
            f"-master.port={p['master']}",
            f"-volume.port={p['volume']}",
            f"-filer.port={p['filer']}",
            f"-s3.port={p['s3']}",
            f"-admin.port={p['admin']}",
            f"-webdav.port={p['webdav']}",
            f"-s3.port.iceberg={p['iceberg']}",
            f"-s3.port.lance={p['lance']}",
            f"-filer.localSocket={self.data_dir}/filer.sock",
            f"-s3.localSocket={self.data_dir}/s3.sock",
        ]

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "AWS_ACCESS_KEY_ID": S3_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET}
        self.log = (self.data_dir / "weed.log").open("ab")
        self.process = subprocess.Popen(
            self.command(), env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.data_dir
        )
        wait_for(self._answers, 60, "SeaweedFS's S3 endpoint answering")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"weed exited with {self.process.returncode}")
        self.client().list_buckets()
        return True

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                connect_timeout=2,
                retries={"max_attempts": 1},
            ),
        )

    def new_bucket(self) -> str:
        name = f"nbs-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def env(self, bucket: str) -> dict[str, str]:
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": S3_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        }


@contextlib.contextmanager
def postgres_database():
    """A new, empty database on the shared PostgreSQL server; dropped afterwards."""
    name = f"nbs_ops_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlsplit(PG_ADMIN_URL)._replace(path=f"/{name}").geturl()
    try:
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process (DEBUG off) reachable over plain HTTP."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith(("S3_", "PYTEST_"))
    }
    return {
        **base,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def manage(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


class Process:
    """A long-running child (a web server or a worker) in its own process group."""

    def __init__(self, args: list[str], env: dict, log: Path) -> None:
        self.log_path = log
        self.log = log.open("ab")
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill(self, sig: int = signal.SIGKILL, group: bool = True) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(self.popen.pid, sig)
                else:
                    self.popen.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        self.kill(signal.SIGKILL)
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(env: dict, log: Path, workers: int = 1, threads: int = 4) -> tuple[Process, str]:
    port = free_port()
    server_env = {
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "WEB_THREADS": str(threads),
        "PYTHON": PYTHON,
    }
    process = Process([str(ROOT / "bin" / "serve")], server_env, log)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: get(base + "/healthz")[0] == 200, 60, f"the server on port {port} starting")
    return process, base


def start_worker(env: dict, log: Path, worker_id: str) -> Process:
    args = [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"]
    return Process([*args, "--worker-id", worker_id, "--no-startup-delay"], env, log)


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Browserless:
    """A signed-in HTTP client with its own cookies (CSRF token read from the cookie)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def with_base(self, base: str) -> Browserless:
        """The same person (same cookies) talking to another node."""
        other = Browserless(base)
        other.jar = self.jar
        other.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        return other

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        self.request("GET", "/accounts/login/")
        return self.csrf()

    def request(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict | None = None,
        timeout: float = 60,
    ) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            self.base + path, data=data, method=method, headers=headers or {}
        )
        if method != "GET":
            request.add_header("X-CSRFToken", self.csrf())
            request.add_header("Referer", self.base + "/")
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def post_form(self, path: str, fields: dict) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)

    def sign_up(self, username: str, password: str) -> None:
        status, _, body = self.post_form(
            "/accounts/signup/",
            {
                "username": username,
                "password1": password,
                "password2": password,
                "email": f"{username}@example.com",
            },
        )
        assert status == 302, (status, body[:2000])

    def upload(self, path: str, filename: str, data: bytes, **fields) -> tuple[int, dict, bytes]:
        body, content_type = multipart(
            {**fields, "csrfmiddlewaretoken": self.csrf()}, filename, data
        )
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        return self.request("POST", path, body, headers, timeout=300)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: application/x-ipynb+json\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def notebook_id_from(url: str) -> int:
    return int(re.search(r"/n/(\d+)/", url).group(1))


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
