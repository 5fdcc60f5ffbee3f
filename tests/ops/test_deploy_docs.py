"""The systemd units and the nginx configuration in docs/deploy.md are valid as written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.ops.services import PG_ADMIN_URL, ROOT, SECRET_KEY, production_env

DEPLOY = ROOT / "docs" / "deploy.md"
INSTALL_DIR = "/opt/notebookshare"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DEPLOY.read_text(), flags=re.S)


def test_systemd_units_verify(tmp_path):
    units = blocks("ini")
    assert len(units) == 2
    names = ["notebookshare-web.service", "notebookshare-worker@.service"]
    env_file = tmp_path / "env"
    env_file.write_text("DEBUG=0\n")
    paths = []
    for name, unit in zip(names, units, strict=True):
        # The units as documented, pointed at this checkout instead of /opt.
        text = unit.replace(INSTALL_DIR, str(ROOT)).replace("/etc/notebookshare/env", str(env_file))
        text = text.replace("User=notebookshare", "User=root").replace(
            "Group=notebookshare", "Group=root"
        )
        path = tmp_path / name
        path.write_text(text)
        paths.append(path)
    instance = tmp_path / "notebookshare-worker@1.service"
    instance.symlink_to(paths[1])
    result = subprocess.run(
        [
            shutil.which("systemd-analyze") or "systemd-analyze",
            "verify",
            "--man=no",
            str(paths[0]),
            str(instance),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "notebookshare" in line  # only our units' lines; the host's own units are not ours
    ]
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr


def test_nginx_configuration_passes_nginx_t(tmp_path):
    [site] = blocks("nginx")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=notebooks.example.com",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = site.replace(
        "/etc/ssl/certs/notebooks.example.com.pem", str(tmp_path / "cert.pem")
    ).replace("/etc/ssl/private/notebooks.example.com.key", str(tmp_path / "key.pem"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\naccess_log {tmp_path}/access.log;\n{site}\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_production_server_configuration_loads(tmp_path):
    result = subprocess.run(
        [str(Path(ROOT) / "bin" / "serve"), "--check-config"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHON": sys.executable,
            "VAR_DIR": str(tmp_path),
            "DEBUG": "0",  # production refuses to start without a real secret key
            "SECRET_KEY": SECRET_KEY,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_is_clean_with_the_production_server_settings(tmp_path):
    """DEBUG off, PostgreSQL, an S3 bucket, behind the documented proxy."""
    env = production_env(
        VAR_DIR=str(tmp_path),
        DATABASE_URL=PG_ADMIN_URL,
        S3_BUCKET="notebooks",
        S3_ENDPOINT_URL="https://s3.internal.example.com",
        ALLOWED_HOSTS="notebooks.example.com",
        CSRF_TRUSTED_ORIGINS="https://notebooks.example.com",
        USE_X_FORWARDED_PROTO="1",
        RATE_LIMIT_PROXIES="1",  # the one nginx of docs/deploy.md
    )
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS"):
        env.pop(name)  # the production defaults
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
