"""Shared fixtures: named users (alice owns, bob collaborates, carol is an outsider)."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from django.conf import settings
from django.core.management import call_command
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing import ratelimit
from sharing.ingest import Upload
from sharing.models import (
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
    VerifiedEmail,
)
from sharing.notebooks import create_notebook

PASSWORD = "correct horse battery staple"


def commits_asynchronously(logged_sql: str) -> bool:
    """Whether a logged statement carries ``prepared.ASYNC_COMMIT``. Django logs some
    statements as the ``repr`` of their text (its quotes escaped), so the quotes are left out."""
    return "set_config(" in logged_sql and "synchronous_commit" in logged_sql


def notebook_bytes(cells: int = 3, title: str | None = None, **metadata) -> bytes:
    """A small valid nbformat 4.5 notebook with markdown, code and an output."""
    nb = new_notebook()
    if title:
        nb.metadata["title"] = title
    nb.metadata.update(metadata)
    nb.cells.append(new_markdown_cell("# Analysis\nSome *markdown* text."))
    for i in range(1, cells):
        nb.cells.append(
            new_code_cell(
                f"x = {i}\nprint(x * 2)",
                execution_count=i,
                outputs=[new_output("stream", name="stdout", text=f"{i * 2}\n")],
            )
        )
    return nbformat.writes(nb).encode()


def raw_json(obj) -> bytes:
    return json.dumps(obj).encode()


def grant_rows(notebook) -> tuple[list, list]:
    """Every person's and group's permission on ``notebook``, sorted: to compare before/after."""
    users = NotebookUserObjectPermission.objects.filter(content_object=notebook)
    groups = NotebookGroupObjectPermission.objects.filter(content_object=notebook)
    return (
        sorted(users.values_list("user__username", "permission__codename")),
        sorted(groups.values_list("group__name", "permission__codename")),
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests use a file, not memory, so a background worker process can share it."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = settings.VAR_DIR / f"test-db-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="session", autouse=True)
def collected_static(django_db_blocker):
    """Pages link hashed static files (whitenoise's manifest), as in production."""
    with django_db_blocker.unblock():
        call_command("collectstatic", interactive=False, verbosity=0)


class _StartOfADay:
    """A clock standing one second into a day: the start of every minute, hour and day window.

    Rate limits count in fixed windows ("4/m" is per calendar minute), so a test counting in
    real time could cross a window's edge half-way and see its count start again from one.
    """

    now = 1_800_000_000 - 1_800_000_000 % 86400 + 1.0

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def steady_rate_windows(monkeypatch):
    monkeypatch.setattr(ratelimit, "time", _StartOfADay())


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, verified: bool = True, **extra):
        """An account; ``verified``: it proved it reads its address (sharing may match it)."""
        user = django_user_model.objects.create_user(
            username, f"{username}@example.com", PASSWORD, **extra
        )
        if verified:
            VerifiedEmail.objects.create(user=user, email=user.email)
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def admin_user_(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def make_notebook(tmp_media):
    def make(owner, data: bytes | None = None, filename: str = "analysis.ipynb", title: str = ""):
        upload = Upload.from_bytes(filename, data or notebook_bytes())
        return create_notebook(owner, upload, title)

    return make


@pytest.fixture
def tmp_media(settings, tmp_path):
    """Each test stores uploads in its own folder, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
