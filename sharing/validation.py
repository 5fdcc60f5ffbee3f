"""What makes bytes a notebook we accept: JSON, UTF-8, an nbformat version we read, the schema,
a bounded nesting and cell count; then the notebook normalised to nbformat 4.5.

Pure functions of the bytes, for ``sharing.ingest`` to run within a budget in a child process.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import PurePath

import jsonschema
import nbformat
from nbformat import validator
from nbformat.v4.nbbase import random_cell_id

from sharing.cells import cells_of

OLDEST_MAJOR = 3
CURRENT_MAJOR = nbformat.current_nbformat
CURRENT_MINOR = nbformat.current_nbformat_minor


class NotebookRejected(Exception):
    """An upload that is not a notebook we can accept; ``message`` is shown to the person."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code)  # both in args: it travels back from the budget's child
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def validated(data: bytes, filename: str, max_cells: int) -> tuple[bytes, dict]:
    """The normalised bytes and what the check found about them (the fields of
    ``sharing.ingest.ValidatedNotebook``), or ``NotebookRejected``."""
    try:
        raw = _parse_json(data)
        del data
        major, minor = _check_version(raw)
        ids_in_file = _ids_in_file(raw, major, minor)
        nb = _validated_v4(raw, major, minor, max_cells)
        del raw
        normalized = nbformat.writes(nb).encode("utf-8")
    except RecursionError:
        raise NotebookRejected(
            "This file is not a notebook we can read: its JSON is nested too deeply.",
            "too_deep",
        ) from None
    return normalized, {
        "content_sha256": hashlib.sha256(normalized).hexdigest(),
        "source_nbformat": f"{major}.{minor}",
        "suggested_title": suggest_title(nb, filename),
        "cells": cells_of(nb),
        "minted_ids": frozenset(cell.id for cell in nb.cells if cell.id not in ids_in_file),
    }


def _ids_in_file(raw: dict, major: int, minor: int) -> frozenset[str]:
    cells = raw.get("cells")
    if major != CURRENT_MAJOR or minor < 5 or not isinstance(cells, list):
        return frozenset()
    return frozenset(c["id"] for c in cells if isinstance(c, dict) and isinstance(c.get("id"), str))


def _parse_json(data: bytes) -> dict:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookRejected(
            f"This file is not a notebook: it is not UTF-8 text (byte {exc.start + 1}).",
            "invalid_encoding",
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookRejected(
            f"This file is not a notebook: invalid JSON at line {exc.lineno}, column {exc.colno}.",
            "invalid_json",
        ) from None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise NotebookRejected(
            "This file is JSON but not a notebook: it has no nbformat version.",
            "not_a_notebook",
        )
    return raw


def _check_version(raw: dict) -> tuple[int, int]:
    major = raw.get("nbformat")
    if major == OLDEST_MAJOR:  # some nbformat 3 files omit the minor version; it means 3.0
        raw.setdefault("nbformat_minor", 0)
    minor = raw.get("nbformat_minor", 0)
    if type(major) is not int or type(minor) is not int or minor < 0:
        raise NotebookRejected(
            "This file is not a valid notebook: its nbformat version is not a number.",
            "not_a_notebook",
        )
    if major < OLDEST_MAJOR:
        raise NotebookRejected(
            f"Notebook format {major} is too old: NotebookShare reads formats 3 and 4. "
            "Open and save it in a current Jupyter first.",
            "unsupported_version",
        )
    if major > CURRENT_MAJOR or (major == CURRENT_MAJOR and minor > CURRENT_MINOR):
        raise NotebookRejected(
            f"Notebook format {major}.{minor} is newer than this server understands "
            f"(up to {CURRENT_MAJOR}.{CURRENT_MINOR}).",
            "unsupported_version",
        )
    return major, minor


def _validated_v4(raw: dict, major: int, minor: int, max_cells: int) -> nbformat.NotebookNode:
    cells = raw.get("cells")
    if cells is None and major == 3:
        worksheets = raw.get("worksheets")
        if isinstance(worksheets, list):
            cells = [c for ws in worksheets if isinstance(ws, dict) for c in ws.get("cells", [])]
    if isinstance(cells, list) and len(cells) > max_cells:
        raise NotebookRejected(
            f"The notebook has {len(cells):,} cells; the limit is {max_cells:,}.",
            "too_many_cells",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            nb = _normalized(nbformat.from_dict(raw), major, minor)
            _raise_first_schema_error(nb, major, minor)
            # As nbformat.reads does: multi-line sources joined, transient fields dropped.
            nb = nbformat.versions[major].to_notebook_json(nb)
            if major < CURRENT_MAJOR:
                nb = nbformat.convert(nb, CURRENT_MAJOR)
            if nb.nbformat_minor < 5:
                nb.nbformat_minor = 5
                for cell in nb.cells:
                    cell.setdefault("id", random_cell_id())
            _raise_first_schema_error(nb, CURRENT_MAJOR, CURRENT_MINOR)
        except (TypeError, KeyError, AttributeError, ValueError, jsonschema.ValidationError) as exc:
            # nbformat's own code can trip over shapes its schema check has not reached yet.
            raise NotebookRejected(
                f"This file is not a valid notebook: it could not be read ({type(exc).__name__}).",
                "invalid_schema",
            ) from None
    return nb


def _normalized(nb: nbformat.NotebookNode, major: int, minor: int) -> nbformat.NotebookNode:
    """Fill in missing or duplicate cell ids (nbformat 4.5+), as Jupyter does when it saves."""
    cells = nb.get("cells")
    shaped = isinstance(cells, list) and all(isinstance(cell, dict) for cell in cells)
    if major == CURRENT_MAJOR and minor >= 5 and shaped:
        _, nb = validator.normalize(nb, major, minor)
        nb = nbformat.from_dict(nb)
    return nb


def _raise_first_schema_error(nb: nbformat.NotebookNode, major: int, minor: int) -> None:
    try:
        validator.validate(nb, version=major, version_minor=minor)
    except nbformat.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "the top level"
        message = exc.message if len(exc.message) <= 300 else exc.message[:300] + "…"
        raise NotebookRejected(
            f"This file is not a valid notebook: {message} (at {where}).",
            "invalid_schema",
        ) from None


def suggest_title(nb: nbformat.NotebookNode, filename: str) -> str:
    title = nb.metadata.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()[:200]
    return PurePath(filename).stem.strip()[:200] or "Untitled notebook"
