"""Reading and validating uploaded notebooks.

``Upload.from_file`` is the one entry point: the web form and the API hand it the file name and
the uploaded file (streamed to a temporary file by Django's upload handler) and get back the
checked, normalised notebook, or ``NotebookRejected`` with a message meant for the person who
uploaded the file and a code. Nothing is stored here. The web process never holds an upload
whole: it hashes the file in chunks, the check reads it from its path in a limited child
process, which writes the normalised copy to a file beside it, and storage copies both files
in chunks (``Upload.from_bytes`` does the same for bytes already in memory: scripts, tests).
What makes the bytes a notebook we accept is ``sharing.validation``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
from django.conf import settings

from sharing.budget import BudgetExceeded, run_within_budget
from sharing.cells import Cell
from sharing.validation import CURRENT_MAJOR, NotebookRejected, validated

ALLOWED_EXTENSIONS = (".ipynb",)
MAX_FILENAME_LENGTH = 255
CHUNK = 256 * 1024


@dataclass(frozen=True)
class ValidatedNotebook:
    """What the check found, as plain data (it is computed in a limited child process).

    The normalised notebook (nbformat 4.5, as stored) is in the file ``normalized_path`` for
    uploads, or in ``normalized_data`` for ``validate_notebook`` called on bytes directly.
    """

    content_sha256: str
    source_nbformat: str
    suggested_title: str
    cells: tuple[Cell, ...]  # for comment threads to follow their cells
    # Ids this upload gave to cells that had none in the file (nbformat < 4.5, or missing or
    # duplicate ids): a new version may replace them with the previous version's ids.
    minted_ids: frozenset[str] = frozenset()
    normalized_path: str = ""
    normalized_data: bytes = b""

    @property
    def cell_count(self) -> int:
        return len(self.cells)

    @property
    def normalized_bytes(self) -> bytes:
        """The normalised notebook (read from its file: for callers within a budget)."""
        if self.normalized_path:
            return Path(self.normalized_path).read_bytes()
        return self.normalized_data

    @property
    def notebook(self) -> nbformat.NotebookNode:
        """The normalised notebook, parsed again (for callers that run within a budget)."""
        return nbformat.reads(self.normalized_bytes.decode("utf-8"), CURRENT_MAJOR)

    def with_normalized(self, normalized: bytes, **changes) -> ValidatedNotebook:
        """This result with another normalised notebook (written where the first one was)."""
        if self.normalized_path:
            Path(self.normalized_path).write_bytes(normalized)
        else:
            changes["normalized_data"] = normalized
        return replace(self, content_sha256=hashlib.sha256(normalized).hexdigest(), **changes)


class _Workdir:
    """A private temporary folder for one upload's files, removed with its ``Upload``."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="notebookshare-upload-")
        self.path = Path(self._folder.name)

    def cleanup(self) -> None:
        self._folder.cleanup()


@dataclass(frozen=True)
class Upload:
    """An accepted upload: the original file exactly as sent, and the validated notebook.

    Both live in files (``original_path``, ``validated.normalized_path``) for as long as the
    ``Upload`` does; storage copies them in chunks.
    """

    filename: str
    original_path: str
    size: int
    sha256: str  # of the original bytes
    validated: ValidatedNotebook
    workdir: _Workdir = field(repr=False, compare=False)

    @classmethod
    def from_file(cls, filename: str, uploaded) -> Upload:
        """The one check of an upload (name, size, content); storage takes the result.

        ``uploaded`` is a Django ``File`` (an upload on disk, or any file). The content is
        parsed and validated in a child process within UPLOAD_CHECK_SECONDS and
        UPLOAD_CHECK_MEMORY_MB (``sharing.budget``), reading the file from its path: a file
        made to be slow or to blow up in memory is refused, and the web process only ever
        holds a chunk of it.
        """
        check_filename(filename)
        check_size(uploaded.size)
        workdir = _Workdir()
        try:
            source = getattr(uploaded, "temporary_file_path", None)
            if source is not None:
                original = source()
            else:  # a small upload kept in memory, or a file of another kind: copied
                original = str(workdir.path / "original.ipynb")
                with open(original, "wb") as handle:
                    for chunk in uploaded.chunks(CHUNK):
                        handle.write(chunk)
            digest = hashlib.sha256()
            with open(original, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
            validated = _validated_within_budget(original, filename, workdir)
        except BaseException:
            workdir.cleanup()
            raise
        size = os.path.getsize(original)
        return cls(filename, original, size, digest.hexdigest(), validated, workdir)

    @classmethod
    def from_bytes(cls, filename: str, data: bytes) -> Upload:
        """``from_file`` for bytes already in memory."""
        check_filename(filename)
        check_size(len(data))
        with tempfile.NamedTemporaryFile(prefix="notebookshare-bytes-") as handle:
            handle.write(data)
            handle.flush()
            return cls.from_file(filename, _NamedFile(handle.name, len(data)))

    def open_original(self):
        return open(self.original_path, "rb")

    def open_normalized(self):
        return open(self.validated.normalized_path, "rb")


class _NamedFile:
    """A file on disk by name, for ``Upload.from_file`` (it is copied into the workdir)."""

    def __init__(self, path: str, size: int) -> None:
        self.path, self.size = path, size

    def chunks(self, size: int):
        with open(self.path, "rb") as handle:
            while chunk := handle.read(size):
                yield chunk


def _validated_within_budget(path: str, filename: str, workdir: _Workdir) -> ValidatedNotebook:
    try:
        return run_within_budget(
            validate_notebook_file,
            path,
            filename,
            settings.MAX_NOTEBOOK_CELLS,
            str(workdir.path / "normalized.ipynb"),
            seconds=settings.UPLOAD_CHECK_SECONDS,
            memory_mb=settings.UPLOAD_CHECK_MEMORY_MB,
        )
    except BudgetExceeded as exc:
        raise NotebookRejected(
            f"This notebook is too complex to check: reading it {exc.describe()}, the "
            "limit this server sets. Split it into smaller notebooks or clear large outputs.",
            "too_complex",
        ) from None


def validate_notebook_file(
    path: str, filename: str, max_cells: int, normalized_path: str
) -> ValidatedNotebook:
    """``validate_notebook`` of the file at ``path``, writing the normalised notebook to
    ``normalized_path`` (run within a budget: the bytes are read in the child only)."""
    with open(path, "rb") as handle:
        data = handle.read()
    normalized, found = validated(data, filename, max_cells)
    del data
    with open(normalized_path, "wb") as handle:
        handle.write(normalized)
    return ValidatedNotebook(normalized_path=normalized_path, **found)


def check_filename(name: str) -> str:
    """Refuse names with path parts, control characters or the wrong extension."""
    if not name or not name.strip():
        raise NotebookRejected("The file has no name.", "bad_name")
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise NotebookRejected("The file name must not contain folder parts (/ or \\).", "bad_name")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise NotebookRejected("The file name contains control characters.", "bad_name")
    if len(name) > MAX_FILENAME_LENGTH:
        raise NotebookRejected(
            f"The file name is longer than {MAX_FILENAME_LENGTH} characters.", "bad_name"
        )
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise NotebookRejected(
            "Only Jupyter notebooks (.ipynb files) can be uploaded.", "bad_extension"
        )
    return name


def check_size(size: int) -> None:
    if size == 0:
        raise NotebookRejected("The file is empty.", "empty")
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise NotebookRejected(
            f"The file is too large ({format_bytes(size)}); the limit is {format_bytes(limit)}.",
            "too_large",
        )


def validate_notebook(
    data: bytes, filename: str, max_cells: int | None = None
) -> ValidatedNotebook:
    """Parse, validate and normalise notebook bytes (nbformat 3 or 4) into nbformat 4.5.

    Unbounded work on untrusted bytes: run it within a budget (uploads go through
    ``Upload.from_file``, which does), passing the limits so nothing here reads settings.
    """
    if max_cells is None:  # called directly, not from an upload (which checked the size)
        check_size(len(data))
        max_cells = settings.MAX_NOTEBOOK_CELLS
    normalized, found = validated(data, filename, max_cells)
    return ValidatedNotebook(normalized_data=normalized, **found)


def format_bytes(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
