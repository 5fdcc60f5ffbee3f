"""Tiny typed helpers that read settings from the environment."""

import os
import secrets

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


MIN_SECRET_KEY_LENGTH = 50


def load_secret_key(debug: bool, key_file) -> str:
    """Return SECRET_KEY from the environment, or a generated dev key when DEBUG is on.

    Production (DEBUG off) refuses to start without a real secret: no insecure fallback.
    """
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if not debug and (
            len(key) < MIN_SECRET_KEY_LENGTH
            or len(set(key)) < 5
            or key.startswith("django-insecure")
        ):
            raise ImproperlyConfigured(
                f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters."
            )
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
    return _dev_secret_key(key_file)


def _dev_secret_key(key_file) -> str:
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(64)
    try:
        # O_EXCL: if two processes start at once, the first one's key wins.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
