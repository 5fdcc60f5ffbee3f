"""The shared corpus of real third-party notebooks (downloaded once, cached under var/)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(os.environ.get("CORPUS_DIR", ROOT / "var" / "corpus"))
SCRIPT = Path(os.environ.get("CORPUS_SCRIPT", ROOT.parent / "shared" / "corpus" / "get_corpus.sh"))


@dataclass(frozen=True)
class CorpusNotebook:
    path: Path
    member: str
    valid: bool

    @property
    def name(self) -> str:
        return self.path.name


def corpus_notebooks() -> list[CorpusNotebook]:
    manifest = CORPUS_DIR / "manifest.tsv"
    if not manifest.exists():
        if not SCRIPT.exists():
            raise RuntimeError(f"The corpus script is missing: expected it at {SCRIPT}")
        subprocess.run(
            ["bash", str(SCRIPT), str(CORPUS_DIR)],
            check=True,
            env={**os.environ, "PYTHON": sys.executable},
        )
    with manifest.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        CorpusNotebook(CORPUS_DIR / row["path"], row["member"], row["valid"] == "yes")
        for row in rows
        if row["dup_of"] == "-"
    ]
