"""Which stored files are missing, damaged or unreferenced."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage

from sharing.models import NotebookVersion
from sharing.storage import open_stream

CHUNK = 1024 * 1024


def sha256_of(name: str) -> str:
    digest = hashlib.sha256()
    with open_stream(name) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Problem:
    version: NotebookVersion
    name: str
    kind: str  # "missing" or "mismatch"

    def __str__(self) -> str:
        what = "is missing" if self.kind == "missing" else "does not match its SHA-256"
        return (
            f"notebook {self.version.notebook_id} version {self.version.number}: {self.name} {what}"
        )


def version_problems() -> Iterator[Problem]:
    """Every version whose original is missing or changed, or whose normalised copy is gone.

    The original's SHA-256 was recorded at upload; the normalised copy has no recorded hash
    of its bytes, so only its presence is checked.
    """
    versions = NotebookVersion.objects.order_by("notebook_id", "number").only(
        "notebook_id", "number", "original", "normalized", "sha256"
    )
    for version in versions.iterator(chunk_size=500):
        original = version.original.name
        if not default_storage.exists(original):
            yield Problem(version, original, "missing")
        elif sha256_of(original) != version.sha256:
            yield Problem(version, original, "mismatch")
        if not default_storage.exists(version.normalized.name):
            yield Problem(version, version.normalized.name, "missing")


def referenced_names() -> set[str]:
    return {
        name
        for pair in NotebookVersion.objects.values_list("original", "normalized")
        for name in pair
        if name
    }


def stored_names(folder: str = "notebooks") -> Iterator[str]:
    """Every file under ``folder`` in the store (walked with ``listdir``)."""
    folders, files = default_storage.listdir(folder)
    for file in files:
        yield f"{folder}/{file}"
    for sub in folders:
        yield from stored_names(f"{folder}/{sub}")


def orphans() -> list[str]:
    """Stored files no version refers to (an upload whose process died before it committed)."""
    referenced = referenced_names()
    return sorted(name for name in stored_names() if name not in referenced)
