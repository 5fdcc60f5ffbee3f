"""Run the test OpenID provider (tests/sso/idp/) as its own process on loopback."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class Provider:
    """The provider's issuer is ``http://localhost:<port>``: another host than the app's
    127.0.0.1 for the browser, so each keeps its own cookies."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="idp-"))
        (self.dir / "key.pem").write_text(_private_key_pem())
        self.port = free_port()
        self.setup_token = secrets.token_urlsafe(32)
        self.issuer = f"http://localhost:{self.port}"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_"))
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="tests.sso.idp.settings",
            IDP_DIR=str(self.dir),
            IDP_SETUP_TOKEN=self.setup_token,
            PYTHONPATH=str(ROOT),
        )
        self.log = open(self.dir / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> Provider:
        self.manage("migrate", "--noinput", "-v", "0")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the provider stopped: {self.server_log()}")
            try:
                if requests.get(self.discovery_url, timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the provider did not start: {self.server_log()}")

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def server_log(self) -> str:
        return (self.dir / "server.log").read_text(errors="replace")[-4000:]

    def setup(self, users=(), clients=()) -> None:
        """Create or update people (their groups become exactly the listed ones) and clients."""
        response = requests.post(
            f"{self.issuer}/test-setup/",
            data=json.dumps({"users": list(users), "clients": list(clients)}),
            headers={"Authorization": f"Bearer {self.setup_token}"},
            timeout=30,
        )
        response.raise_for_status()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
