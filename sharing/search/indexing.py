"""Keeping the index up to date: when a version is stored, a notebook renamed, a comment
written or removed; and rebuilding it (``manage.py reindex``).

Reading a notebook's cells parses user content, so it runs under ``sharing.budget``: small
notebooks during the upload (within RENDER_INLINE_SECONDS), large ones in the background worker
(within RENDER_TIMEOUT_SECONDS). A notebook past its budget is simply not searchable by its
cells (its title still is); the failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task

from sharing.budget import BudgetExceeded, run_within_budget
from sharing.models import Comment, CommentThread, Notebook, NotebookVersion
from sharing.rendering.jobs import is_large
from sharing.search.backends import backend
from sharing.search.extract import COMMENT, TITLE, Part, part, parts_of_bytes
from sharing.search.models import SearchEntry
from sharing.search.tokens import INDEX_VERSION

logger = logging.getLogger(__name__)


def request_indexing(version: NotebookVersion) -> None:
    """Index a version just stored: now if it is small, else in the background."""
    if is_large(version):
        transaction.on_commit(lambda: index_in_background.enqueue(version.pk))
        return
    try:
        index_version(version, seconds=settings.RENDER_INLINE_SECONDS)
    except BudgetExceeded as exc:
        if exc.kind == "time":
            transaction.on_commit(lambda: index_in_background.enqueue(version.pk))
        else:
            logger.warning("Version %s not indexed: reading it %s", version.pk, exc.describe())


@task()
def index_in_background(version_id: int) -> str:
    """The background worker's entry point (``manage.py db_worker``)."""
    version = NotebookVersion.objects.filter(pk=version_id).first()
    if version is None:
        return "skipped"
    try:
        index_version(version, seconds=settings.RENDER_TIMEOUT_SECONDS)
    except BudgetExceeded as exc:
        logger.warning("Version %s not indexed: reading it %s", version.pk, exc.describe())
        return "failed"
    return "indexed"


def read_parts(version: NotebookVersion, seconds: float) -> list[Part]:
    with default_storage.open(version.normalized.name, "rb") as handle:
        data = handle.read()
    return run_within_budget(
        parts_of_bytes, data, seconds=seconds, memory_mb=settings.RENDER_MEMORY_LIMIT_MB
    )


def index_version(version: NotebookVersion, seconds: float) -> int:
    """Replace the version's rows with its cells' parts; the number of rows written."""
    parts = read_parts(version, seconds)
    with transaction.atomic():
        notebook = Notebook.objects.select_for_update().filter(pk=version.notebook_id).first()
        if notebook is None:
            return 0
        latest = notebook.latest_version_id == version.pk
        SearchEntry.objects.filter(version=version).delete()
        if latest:
            SearchEntry.objects.filter(notebook=notebook, version__isnull=False).update(
                is_latest=False
            )
        written = _write(notebook.pk, version.pk, latest, parts)
        if not SearchEntry.objects.filter(notebook=notebook, kind=TITLE).exists():
            index_title(notebook)
    return written


def _write(
    notebook_id: int,
    version_id: int | None,
    latest: bool,
    parts: Sequence[Part],
    thread_id: int | None = None,
) -> int:
    entries = SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                notebook_id=notebook_id,
                version_id=version_id,
                thread_id=thread_id,
                is_latest=latest,
                kind=found.kind,
                cell_id=found.cell_id,
                cell_index=found.cell_index,
                text=found.text,
                index_version=INDEX_VERSION,
            )
            for found in parts
        ],
        batch_size=500,
    )
    backend().write(
        [(entry.pk, found.kind, found.tokens) for entry, found in zip(entries, parts, strict=True)]
    )
    return len(entries)


def index_title(notebook: Notebook) -> None:
    with transaction.atomic():
        SearchEntry.objects.filter(notebook=notebook, kind=TITLE).delete()
        found = part(TITLE, "", None, notebook.title)
        if found is not None:
            _write(notebook.pk, None, True, [found])


def index_thread(thread_id: int) -> None:
    """One row per comment thread: its comments' text, under the cell it is about."""
    with transaction.atomic():
        SearchEntry.objects.filter(thread_id=thread_id).delete()
        thread = CommentThread.objects.filter(pk=thread_id).first()
        if thread is None:
            return
        bodies = Comment.objects.filter(thread=thread).values_list("author_name", "body")
        text = "\n\n".join(f"{author}: {body}" for author, body in bodies)
        found = part(COMMENT, thread.cell_id, None, text)
        if found is not None:
            _write(thread.notebook_id, None, True, [found], thread_id=thread.pk)


def reindex_notebook(notebook: Notebook, seconds: float) -> int:
    """Rebuild every row of one notebook (all versions, title, threads)."""
    written = 0
    with transaction.atomic():
        SearchEntry.objects.filter(notebook=notebook).delete()
        index_title(notebook)
    for version in notebook.versions.order_by("number"):
        try:
            written += index_version(version, seconds)
        except BudgetExceeded as exc:
            logger.warning("Version %s not indexed: reading it %s", version.pk, exc.describe())
    for thread_id in notebook.threads.values_list("pk", flat=True):
        index_thread(thread_id)
    return written
