"""The project's real-notebook corpus (corpus/packages.txt), fetched once and cached under var/."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat

from corpus.fetch import DEFAULT_DIR, fetch

CORPUS_DIR = DEFAULT_DIR


@dataclass(frozen=True)
class CorpusNotebook:
    path: Path
    member: str
    valid: bool

    @property
    def name(self) -> str:
        return self.path.name


@cache
def _rows() -> tuple[dict[str, str], ...]:
    manifest = fetch(CORPUS_DIR)  # raises CorpusUnavailable with how to provide it
    with manifest.open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle, delimiter="\t"))


def corpus_notebooks() -> list[CorpusNotebook]:
    """Each unique notebook of the corpus, valid or not."""
    return [
        CorpusNotebook(CORPUS_DIR / row["path"], row["member"], row["valid"] == "yes")
        for row in _rows()
        if row["dup_of"] == "-"
    ]


def refused_by_design(data: bytes) -> bool:
    """nbformat reads these, but we refuse them on purpose: formats before 3, and minor
    versions newer than the installed nbformat knows (their cells could be anything)."""
    header = json.loads(data)
    major, minor = header.get("nbformat"), header.get("nbformat_minor", 0)
    return major < 3 or (
        major == nbformat.current_nbformat and minor > nbformat.current_nbformat_minor
    )
