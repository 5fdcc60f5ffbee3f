"""Backups: the database's content and every stored file, with a manifest of SHA-256 sums.

A backup folder holds ``database.json`` (``dumpdata`` with natural keys, read in one
repeatable-read transaction, so it is a consistent snapshot), ``files/`` (every file the
snapshot's versions refer to, byte for byte) and ``manifest.json`` (the SHA-256 and size of
each). Stored files never change once written (every upload gets a new name), so copying
them after the snapshot gives the files of that snapshot. ``restore`` checks every sum
before it changes anything, then loads the files and the database in that order, into an
empty database and an empty store.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from sharing.models import Notebook
from sharing.ops.integrity import CHUNK, referenced_names
from sharing.storage import open_stream

FORMAT = 1
DATABASE_FILE = "database.json"
MANIFEST_FILE = "manifest.json"
FILES_DIR = "files"
# Rebuilt by migrate; stored by natural key everywhere else. Sessions and task results are
# transient; rate-limit counters live in their own cache table, outside the models.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "django_tasks_database",
    "admin.logentry",
]


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    files: int
    bytes: int
    notebooks: int


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_member(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or name.startswith("/"):
        raise BackupError(f"The manifest names a file outside the backup: {name}")
    return path


def backup(target: Path) -> Summary:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new folder.")
    (target / FILES_DIR).mkdir(parents=True, exist_ok=True)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:  # one snapshot for every table
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        call_command(
            "dumpdata",
            exclude=EXCLUDED,
            natural_foreign=True,
            natural_primary=False,
            indent=None,
            output=str(target / DATABASE_FILE),
            verbosity=0,
        )
        names = sorted(referenced_names())
        notebooks = Notebook.objects.count()
    files = {}
    total = 0
    for name in names:
        destination = _safe_member(target / FILES_DIR, name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            with open_stream(name) as source, destination.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except FileNotFoundError:
            raise BackupError(
                f"{name} is missing from the store (run manage.py verify_storage)."
            ) from None
        files[name] = {"sha256": digest.hexdigest(), "size": size}
        total += size
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "database": {"name": DATABASE_FILE, "sha256": _sha256_file(target / DATABASE_FILE)},
        "files": files,
    }
    (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Summary(len(files), total, notebooks)


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((Path(source) / MANIFEST_FILE).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST_FILE}: it is not a backup.") from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{MANIFEST_FILE} is not valid JSON: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def verify_backup(source: Path) -> dict:
    """Check every SHA-256 in the manifest; return the manifest. Nothing is changed."""
    source = Path(source)
    manifest = read_manifest(source)
    database = source / manifest["database"]["name"]
    if not database.is_file() or _sha256_file(database) != manifest["database"]["sha256"]:
        raise BackupError(f"{database.name} is missing or does not match the manifest.")
    for name, entry in manifest["files"].items():
        path = _safe_member(source / FILES_DIR, name)
        if not path.is_file() or _sha256_file(path) != entry["sha256"]:
            raise BackupError(f"{name} is missing from the backup or does not match its SHA-256.")
    return manifest


def _require_empty() -> None:
    if get_user_model().objects.exists() or Notebook.objects.exists():
        raise BackupError(
            "The database is not empty: restore into a new, migrated database "
            "(manage.py migrate on an empty one)."
        )


def restore(source: Path) -> Summary:
    source = Path(source)
    manifest = verify_backup(source)
    _require_empty()
    written: list[str] = []
    try:
        for name in sorted(manifest["files"]):
            if default_storage.exists(name):
                raise BackupError(f"{name} already exists in the store: restore into an empty one.")
            with _safe_member(source / FILES_DIR, name).open("rb") as handle:
                stored = default_storage.save(name, File(handle, name=os.path.basename(name)))
            written.append(stored)
            if stored != name:
                raise BackupError(f"The store saved {name} as {stored}.")
        with transaction.atomic():
            call_command("loaddata", str(source / manifest["database"]["name"]), verbosity=0)
            missing = referenced_names() - set(manifest["files"])
            if missing:
                raise BackupError(f"The database refers to files not in the backup: {missing}")
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    total = sum(entry["size"] for entry in manifest["files"].values())
    return Summary(len(written), total, Notebook.objects.count())
