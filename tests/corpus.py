"""The project's real-notebook corpus (corpus/packages.txt), fetched once and cached under var/."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
