"""Storing notebooks and their versions: all or nothing."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse

from sharing.audit import record as audit
from sharing.audit.models import Action
from sharing.budget import BudgetExceeded, run_within_budget
from sharing.comments.anchoring import carry_threads
from sharing.diff.identity import inherit_from_file
from sharing.grants import grant_ownership
from sharing.ingest import CHUNK, Upload
from sharing.models import Notebook, NotebookVersion
from sharing.rendering.jobs import request_rendering
from sharing.search.indexing import request_indexing
from sharing.storage import open_stream

logger = logging.getLogger(__name__)

IPYNB_MIME = "application/x-ipynb+json"


def create_notebook(owner, upload: Upload, title: str = "", note: str = "") -> Notebook:
    """Create a notebook with its first version. Nothing is stored if any step fails."""
    with _stored_files(upload) as paths, transaction.atomic():
        notebook = Notebook.objects.create(
            owner=owner, title=title.strip() or upload.validated.suggested_title
        )
        version = _create_version(notebook, 1, owner, upload, paths, note)
        notebook.latest_version = version
        notebook.save(update_fields=["latest_version", "updated_at"])
        grant_ownership(notebook)
    audit.record(
        Action.NOTEBOOK_UPLOADED, obj=notebook, version=1, details=_upload_details(upload, True)
    )
    request_rendering(version)
    request_indexing(version)
    return notebook


class VersionConflict(Exception):
    """Another version landed first: the latest is ``latest``, not the one expected."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"The latest version is {latest}.")
        self.latest = latest


def add_version(
    notebook: Notebook,
    user,
    upload: Upload,
    expected_latest: int | None = None,
    note: str = "",
) -> NotebookVersion:
    """Store ``upload`` as the next version of ``notebook``.

    With ``expected_latest``, refuse (``VersionConflict``, nothing stored) unless the latest
    version is still that one: two scripts publishing at once cannot overwrite each other.
    """
    version, _ = _add_version(notebook, user, upload, expected_latest, note, skip_identical=False)
    return version


def publish_version(
    notebook: Notebook,
    user,
    upload: Upload,
    expected_latest: int | None = None,
    note: str = "",
) -> tuple[NotebookVersion, bool]:
    """Like ``add_version``, but an upload whose content is identical to the latest version's
    (the same normalised notebook: ``ValidatedNotebook.content_sha256``) stores nothing.

    Returns the version and whether it was created: publishing on every push of a repository
    makes a version only when the notebook changed.
    """
    return _add_version(notebook, user, upload, expected_latest, note, skip_identical=True)


class _Identical(Exception):
    def __init__(self, version: NotebookVersion) -> None:
        self.version = version


def _add_version(notebook, user, upload, expected_latest, note, *, skip_identical: bool):
    upload = _inheriting_ids(notebook, upload)
    digest = upload.validated.content_sha256
    latest = notebook.latest_version
    unchanged = latest is not None and latest.content_sha256 == digest
    if skip_identical and unchanged and expected_latest in (None, latest.number):
        return latest, False
    try:
        with _stored_files(upload) as paths, transaction.atomic():
            # Lock the notebook row so two concurrent uploads get distinct numbers.
            locked = Notebook.objects.select_for_update().get(pk=notebook.pk)
            newest = locked.versions.order_by("-number").first()
            current = newest.number if newest else 0
            if expected_latest is not None and expected_latest != current:
                raise VersionConflict(current)
            if skip_identical and newest is not None and newest.content_sha256 == digest:
                raise _Identical(newest)  # the same file landed a moment ago
            version = _create_version(locked, current + 1, user, upload, paths, note)
            carry_threads(version, upload.validated.cells)  # comment threads follow their cells
            locked.latest_version = version
            locked.save(update_fields=["latest_version", "updated_at"])
    except _Identical as same:
        return same.version, False
    notebook.refresh_from_db()
    audit.record(
        Action.NOTEBOOK_UPLOADED,
        obj=notebook,
        version=version.number,
        details=_upload_details(upload, False),
    )
    request_rendering(version)
    request_indexing(version)
    return version, True


def _upload_details(upload: Upload, new_notebook: bool) -> dict:
    return {"filename": upload.filename, "size": upload.size, "new_notebook": new_notebook}


def _inheriting_ids(notebook: Notebook, upload: Upload) -> Upload:
    """Cells the file gave no id take the ids of the cells they match in the latest version
    (``sharing.diff.identity``), so threads and comparisons follow them. Within the upload
    check's budget; past it the new ids simply stay."""
    if not upload.validated.minted_ids:
        return upload
    previous = notebook.versions.order_by("-number").first()
    if previous is None:
        return upload
    previous_path = upload.workdir.path / "previous.ipynb"
    with open_stream(previous.normalized.name) as source, open(previous_path, "wb") as target:
        shutil.copyfileobj(source, target, CHUNK)
    try:
        validated = run_within_budget(
            inherit_from_file,
            str(previous_path),
            upload.validated,
            seconds=settings.UPLOAD_CHECK_SECONDS,
            memory_mb=settings.UPLOAD_CHECK_MEMORY_MB,
        )
    except BudgetExceeded as exc:
        logger.warning("Cell ids of %s not inherited: matching %s", notebook, exc.describe())
        return upload
    return replace(upload, validated=validated)


def delete_notebook(notebook: Notebook) -> None:
    """Delete a notebook, its versions and, once the database agrees, their files."""
    names = [
        name
        for pair in notebook.versions.values_list("original", "normalized")
        for name in pair
        if name
    ]
    with transaction.atomic():
        audit.record(
            Action.NOTEBOOK_DELETED,
            obj=notebook,
            details={"owner": notebook.owner.get_username()},
        )
        notebook.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _create_version(notebook, number, user, upload: Upload, paths, note="") -> NotebookVersion:
    validated = upload.validated
    version = NotebookVersion.objects.create(
        notebook=notebook,
        number=number,
        filename=upload.filename,
        original=paths[0],
        normalized=paths[1],
        size=upload.size,
        sha256=upload.sha256,
        content_sha256=validated.content_sha256,
        source_nbformat=validated.source_nbformat,
        cell_count=validated.cell_count,
        note=note.strip(),
        uploaded_by=user,
    )
    return version


class _stored_files:
    """Write both files to storage; remove them again if the database work fails."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.names: list[str] = []

    def __enter__(self) -> tuple[str, str]:
        try:
            # Copied from the upload's files in chunks, never read whole.
            with self.upload.open_original() as original:
                self.names.append(
                    default_storage.save(NotebookVersion.original_path(), File(original))
                )
            with self.upload.open_normalized() as normalized:
                self.names.append(
                    default_storage.save(NotebookVersion.normalized_path(), File(normalized))
                )
        except BaseException:
            _delete_files(self.names)
            raise
        return self.names[0], self.names[1]

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            _delete_files(self.names)


def _delete_files(names: list[str]) -> None:
    """Best effort: a store that is away leaves an unreferenced file, never a broken version
    (``manage.py verify_storage --orphans`` lists and removes those)."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("Could not delete %s from the file store", name, exc_info=True)


def download_response(version: NotebookVersion) -> FileResponse:
    """The version's original file, byte for byte, as an attachment that never renders."""
    response = FileResponse(
        open_stream(version.original.name),  # streamed from the store in chunks
        as_attachment=True,
        filename=version.filename,
        content_type=IPYNB_MIME,
    )
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
