"""Reading comment threads: one version's threads as Python objects, built in one query.

The notebook page (its no-JavaScript markup and the JSON its script reads), the JSON endpoint
and the API all start from ``version_threads``; each turns the objects into its own format.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.html import format_html_join

from sharing import permissions
from sharing.cells import cell_label
from sharing.comments.cells import version_cells
from sharing.models import Comment, NotebookVersion, ThreadAnchor
from sharing.pages.prepared import PreparedQuery
from sharing.storage import STORE_ERRORS

CHOICE_CHARS = 60

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommentData:
    id: int
    author: str
    author_removed: bool
    mine: bool  # the reader wrote it and may edit it
    body: str | None  # the Markdown source, for its author only
    html: str
    created_at: datetime
    edited_at: datetime | None
    urls: dict[str, str]


@dataclass(frozen=True)
class ThreadData:
    id: int
    cell_id: str | None  # None: its cell is not in this version
    cell_index: int | None
    state: str
    excerpt: str
    cell_type: str
    started_on_version: int
    created_at: datetime
    resolved: bool
    resolved_by: str
    resolved_at: datetime | None
    can_reply: bool
    urls: dict[str, str]
    comments: list[CommentData]


@dataclass(frozen=True)
class CellThreads:
    cell_id: str | None  # None: the threads of cells that are not in this version
    cell_index: int | None
    threads: list[ThreadData]
    label: str = ""  # what the page shows for the cell ("In [3]", "Cell 7")


@dataclass(frozen=True)
class VersionThreads:
    version: int
    is_latest: bool
    can_comment: bool
    max_length: int
    threads: list[ThreadData]  # open threads first, then in cell order
    cell_choices: list[tuple[str, str]] = field(default_factory=list)
    cell_labels: dict[str, str] = field(default_factory=dict)  # cell id -> "In [3]"

    def cell_options(self) -> str:
        """``cell_choices`` as the ``<option>`` elements of the plain form (escaped): one join
        here instead of a template loop over every cell of the notebook."""
        return format_html_join("", '<option value="{}">{}</option>', self.cell_choices)

    def by_cell(self) -> list[CellThreads]:
        """The threads grouped by cell in page order, removed cells last."""
        ordered = sorted(
            self.threads,
            key=lambda t: (t.cell_id is None, t.cell_index or 0, t.resolved, t.id),
        )
        return [
            CellThreads(cell_id, group[0].cell_index, group, self._label(cell_id, group[0]))
            for cell_id, items in groupby(ordered, key=lambda t: t.cell_id)
            for group in [list(items)]
        ]

    def _label(self, cell_id: str | None, thread: ThreadData) -> str:
        if cell_id is None:
            return ""
        return self.cell_labels.get(cell_id) or f"Cell {(thread.cell_index or 0) + 1}"


def version_threads(
    version: NotebookVersion, access: permissions.Access, *, with_choices: bool = False
) -> VersionThreads:
    """Every thread of a version and what the reader may do, in one query.

    ``with_choices`` adds the cells a new thread can start on (latest version, comment rights),
    for the page's plain form.
    """
    notebook = version.notebook
    is_latest = version.pk == notebook.latest_version_id
    can_comment = permissions.can_post_comment(access, notebook)
    anchors, comments = _anchors_and_comments(version)
    urls = _Urls(notebook.pk)
    threads = [
        _thread(anchor, comments[anchor.thread_id], access, notebook, can_comment, urls)
        for anchor in anchors
    ]
    threads.sort(key=lambda t: (t.resolved, t.cell_index is None, t.cell_index or 0, t.id))
    found = VersionThreads(
        version=version.number,
        is_latest=is_latest,
        can_comment=can_comment,
        max_length=settings.COMMENT_MAX_LENGTH,
        threads=threads,
    )
    return with_cell_choices(found, version) if with_choices else found


def with_cell_choices(found: VersionThreads, version: NotebookVersion) -> VersionThreads:
    """``found`` with what the page's plain markup names cells by ("In [3]"), if it has
    threads, and the cells a new thread can start on, if the reader may start one."""
    may_start = found.can_comment and found.is_latest
    if not (may_start or found.threads):
        return found
    try:
        cells = sorted(version_cells(version).values(), key=lambda cell: cell.index)
    except STORE_ERRORS:  # the file store is away: the threads still show, new ones wait
        logger.warning("No cell list for %s: the file store is not reachable", version)
        return found
    labels = {cell.id: cell_label(cell) for cell in cells}
    choices = _choices(cells) if may_start else []
    return replace(found, cell_choices=choices, cell_labels=labels)


_ANCHOR_FIELDS = ("id", "cell_id", "cell_index", "source_sha256", "state")


def _thread_rows(version) -> QuerySet:
    return (
        Comment.objects.filter(thread__anchors__version=version)
        .select_related("thread__version")
        .annotate(**{f"anchor_{name}": F(f"thread__anchors__{name}") for name in _ANCHOR_FIELDS})
        .order_by("thread__anchors__id", "created_at", "id")
    )


_THREAD_ROWS = PreparedQuery(_thread_rows, "version")  # compiled once per process


def _anchors_and_comments(version: NotebookVersion):
    """The version's anchors (with their threads) and each thread's comments, in one query:
    the comments with their thread, the thread's first version and its anchor in ``version``
    (every thread keeps at least one comment: deleting the last one deletes the thread)."""
    rows = _THREAD_ROWS.fetch(version=version.pk)
    anchors: list[ThreadAnchor] = []
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in rows:
        if not anchors or anchors[-1].pk != comment.anchor_id:
            fields = {name: getattr(comment, f"anchor_{name}") for name in _ANCHOR_FIELDS}
            anchors.append(ThreadAnchor(**fields, thread=comment.thread, version=version))
        comments[comment.thread_id].append(comment)
    return anchors, comments


def cell_choices(version: NotebookVersion) -> list[tuple[str, str]]:
    """(cell id, label) for every cell, in order: "In [3] (code): first line of its source"."""
    return _choices(sorted(version_cells(version).values(), key=lambda cell: cell.index))


def _choices(cells) -> list[tuple[str, str]]:
    choices = []
    for cell in cells:
        first_line = cell.excerpt.split("\n", 1)[0].strip() or "(empty)"
        if len(first_line) > CHOICE_CHARS:
            first_line = first_line[: CHOICE_CHARS - 1].rstrip() + "…"
        choices.append((cell.id, f"{cell_label(cell)} ({cell.cell_type}): {first_line}"))
    return choices


def _thread(anchor, comments, access, notebook, can_comment, urls) -> ThreadData:
    thread = anchor.thread
    removed = anchor.state == ThreadAnchor.State.REMOVED
    return ThreadData(
        id=thread.pk,
        cell_id=None if removed else anchor.cell_id,
        cell_index=anchor.cell_index,
        state=anchor.state,
        excerpt=thread.excerpt,
        cell_type=thread.cell_type,
        started_on_version=thread.version.number,
        created_at=thread.created_at,
        resolved=thread.is_resolved,
        resolved_by=thread.resolved_by_name,
        resolved_at=thread.resolved_at,
        can_reply=can_comment,
        urls=urls.thread(thread.pk) if can_comment else {},
        comments=[_comment(c, access, notebook, urls) for c in comments],
    )


def _comment(comment: Comment, access, notebook, urls) -> CommentData:
    can_edit = permissions.can_edit_comment(access, notebook, comment)
    can_delete = permissions.can_delete_comment(access, notebook, comment)
    return CommentData(
        id=comment.pk,
        author=comment.author_name,
        author_removed=comment.author_id is None,
        mine=can_edit,
        body=comment.body if can_edit else None,
        html=comment.body_html,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        urls=urls.comment(comment.pk, can_edit, can_delete),
    )


class _Urls:
    """Endpoint addresses, reversed once per page rather than once per comment."""

    SENTINEL = 987654321

    def __init__(self, notebook_pk: int) -> None:
        def pattern(name: str) -> str:
            return reverse(f"sharing:{name}", args=[notebook_pk, self.SENTINEL])

        self._reply = pattern("comment-reply")
        self._resolve = pattern("comment-resolve")
        self._reopen = pattern("comment-reopen")
        self._edit = pattern("comment-edit")
        self._delete = pattern("comment-delete")

    def _fill(self, template: str, pk: int) -> str:
        return template.replace(f"/{self.SENTINEL}/", f"/{pk}/")

    def thread(self, pk: int) -> dict[str, str]:
        return {
            "reply": self._fill(self._reply, pk),
            "resolve": self._fill(self._resolve, pk),
            "reopen": self._fill(self._reopen, pk),
        }

    def comment(self, pk: int, can_edit: bool, can_delete: bool) -> dict[str, str]:
        urls = {}
        if can_edit:
            urls["edit"] = self._fill(self._edit, pk)
        if can_delete:
            urls["delete"] = self._fill(self._delete, pk)
        return urls
