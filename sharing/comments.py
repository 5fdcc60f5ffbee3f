"""Comment threads on cells: starting, replying, editing, resolving, and following the cells
from one version to the next (see docs/comments.md).

A thread remembers the cell it was started on (id, a hash of its source, a short excerpt).
Every version since then has one ``ThreadAnchor`` per thread saying where the thread sits in
that version: on a cell as it was (current), on a cell that changed (outdated), or nowhere
(removed). Re-uploading never deletes a thread.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nbformat
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharing import permissions
from sharing.comment_markdown import RenderedBody, mention_candidates, render_body
from sharing.models import Comment, CommentThread, Notebook, NotebookVersion, ThreadAnchor

EXCERPT_LINES = 6
EXCERPT_CHARS = 300
_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # as the renderer accepts for cell anchors


class StaleVersion(Exception):
    """A thread was started on a version that is no longer the latest."""


@dataclass(frozen=True)
class Cell:
    id: str
    index: int
    cell_type: str
    source_sha256: str
    excerpt: str


def source_hash(source: str) -> str:
    """Hash of a cell's source; trailing whitespace does not count as a change."""
    return hashlib.sha256(source.rstrip().encode("utf-8")).hexdigest()


def excerpt_of(source: str) -> str:
    lines = source.strip("\n").splitlines()
    text = "\n".join(line.rstrip() for line in lines[:EXCERPT_LINES])
    if len(lines) > EXCERPT_LINES or len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
    return text


def cells_of(nb: Mapping[str, Any]) -> tuple[Cell, ...]:
    """The cells of a validated notebook, with the ids the rendered page uses."""
    cells = []
    for index, cell in enumerate(nb.get("cells") or []):
        if not isinstance(cell, Mapping):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        cell_id = cell.get("id")
        if not (isinstance(cell_id, str) and _CELL_ID.fullmatch(cell_id)):
            cell_id = f"index-{index}"
        cell_type = str(cell.get("cell_type", "raw"))[:16]
        cells.append(Cell(cell_id, index, cell_type, source_hash(source), excerpt_of(source)))
    return tuple(cells)


@lru_cache(maxsize=32)
def _stored_cells(name: str) -> tuple[Cell, ...]:
    # Stored files never change (every version gets new random names), so caching is safe.
    with default_storage.open(name, "rb") as handle:
        return cells_of(nbformat.reads(handle.read().decode("utf-8"), 4))


def version_cells(version: NotebookVersion) -> dict[str, Cell]:
    """Cell id -> cell, read from the version's stored normalised notebook."""
    return {cell.id: cell for cell in _stored_cells(version.normalized.name)}


# --- following cells to a new version --------------------------------------------------


def carry_threads(version: NotebookVersion, nb: Mapping[str, Any]) -> int:
    """Anchor every thread of the previous version in ``version`` (whose content is ``nb``).

    Follow the cell id; if the id is gone, find a cell with the same source (of the same type,
    nearest to where it was). A cell whose source differs from the commented one makes the thread
    outdated; no cell at all puts it under removed cells. Returns the number of anchors made.
    """
    cells = cells_of(nb)
    by_id = {cell.id: cell for cell in cells}
    by_hash: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_hash[cell.source_sha256].append(cell)
    previous = ThreadAnchor.objects.filter(
        version__notebook_id=version.notebook_id, version__number=version.number - 1
    ).select_related("thread")
    anchors = []
    for old in previous:
        thread = old.thread
        cell = by_id.get(old.cell_id) or _same_source(by_hash, old, thread)
        if cell is None:
            anchors.append(
                ThreadAnchor(
                    thread=thread,
                    version=version,
                    cell_id=old.cell_id,  # kept, so a cell that comes back is found again
                    source_sha256=old.source_sha256,
                    state=ThreadAnchor.State.REMOVED,
                )
            )
            continue
        changed = cell.source_sha256 != thread.source_sha256
        anchors.append(
            ThreadAnchor(
                thread=thread,
                version=version,
                cell_id=cell.id,
                cell_index=cell.index,
                source_sha256=cell.source_sha256,
                state=ThreadAnchor.State.OUTDATED if changed else ThreadAnchor.State.CURRENT,
            )
        )
    ThreadAnchor.objects.bulk_create(anchors)
    return len(anchors)


def _same_source(
    by_hash: Mapping[str, list[Cell]], old: ThreadAnchor, thread: CommentThread
) -> Cell | None:
    for digest in (old.source_sha256, thread.source_sha256):
        candidates = by_hash.get(digest) if digest else None
        if candidates:
            where = old.cell_index if old.cell_index is not None else 0
            return min(
                candidates,
                key=lambda cell: (cell.cell_type != thread.cell_type, abs(cell.index - where)),
            )
    return None


# --- writing ----------------------------------------------------------------------------


def render_for(notebook: Notebook, body: str) -> RenderedBody:
    """Render a body, linking @mentions of active people who can see the notebook."""
    names = mention_candidates(body)
    people = {}
    if names:
        for person in get_user_model().objects.filter(username__in=names, is_active=True):
            if permissions.user_can(person, permissions.VIEW, notebook):
                people[person.get_username()] = reverse(
                    "sharing:person", args=[person.get_username()]
                )
    return render_body(body, people)


def _new_comment(thread: CommentThread, user, body: str, rendered: RenderedBody) -> Comment:
    return Comment.objects.create(
        thread=thread,
        author=user,
        author_name=user.get_username(),
        body=body,
        body_html=rendered.html,
    )


def start_thread(
    notebook: Notebook, version: NotebookVersion, cell: Cell, user, body: str
) -> tuple[Comment, RenderedBody]:
    """Start a thread on a cell of the latest version, with its first comment."""
    rendered = render_for(notebook, body)
    with transaction.atomic():
        # The same lock add_version takes: a thread is anchored before or after an upload.
        locked = Notebook.objects.select_for_update().get(pk=notebook.pk)
        if locked.latest_version_id != version.pk:
            raise StaleVersion
        thread = CommentThread.objects.create(
            notebook=notebook,
            version=version,
            cell_id=cell.id,
            cell_type=cell.cell_type,
            source_sha256=cell.source_sha256,
            excerpt=cell.excerpt,
            created_by=user,
        )
        ThreadAnchor.objects.create(
            thread=thread,
            version=version,
            cell_id=cell.id,
            cell_index=cell.index,
            source_sha256=cell.source_sha256,
        )
        comment = _new_comment(thread, user, body, rendered)
    return comment, rendered


def reply(thread: CommentThread, user, body: str) -> tuple[Comment, RenderedBody]:
    rendered = render_for(thread.notebook, body)
    return _new_comment(thread, user, body, rendered), rendered


def edit_comment(comment: Comment, body: str) -> Comment:
    """Replace the body. Edits do not send mail again."""
    comment.body = body
    comment.body_html = render_for(comment.thread.notebook, body).html
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def delete_comment(comment: Comment) -> bool:
    """Delete a comment; a thread left without comments goes too. True if it did."""
    with transaction.atomic():
        thread = comment.thread
        comment.delete()
        if not thread.comments.exists():
            thread.delete()
            return True
    return False


def set_resolved(thread: CommentThread, user, resolved: bool) -> CommentThread:
    if resolved and not thread.is_resolved:
        thread.resolved_at = timezone.now()
        thread.resolved_by = user
        thread.resolved_by_name = user.get_username()
    elif not resolved:
        thread.resolved_at, thread.resolved_by, thread.resolved_by_name = None, None, ""
    thread.save(update_fields=["resolved_at", "resolved_by", "resolved_by_name"])
    return thread


# --- reading ----------------------------------------------------------------------------


def version_data(version: NotebookVersion, access: permissions.Access) -> dict[str, Any]:
    """What the comment panel (and the API) reads about one version: its threads and rights."""
    notebook = version.notebook
    return {
        "version": version.number,
        "is_latest": version.pk == notebook.latest_version_id,
        "can_comment": permissions.can_post_comment(access, notebook),
        "max_length": settings.COMMENT_MAX_LENGTH,
        "threads": threads_data(version, access),
    }


def threads_data(version: NotebookVersion, access: permissions.Access) -> list[dict[str, Any]]:
    """Every thread of a version as plain data, in two queries whatever their number."""
    notebook = version.notebook
    anchors = ThreadAnchor.objects.filter(version=version).select_related("thread__version")
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in Comment.objects.filter(thread__anchors__version=version):
        comments[comment.thread_id].append(comment)
    can_comment = permissions.can_post_comment(access, notebook)
    urls = _Urls(notebook.pk)
    threads = [
        _thread_data(anchor, comments[anchor.thread_id], access, notebook, can_comment, urls)
        for anchor in anchors
    ]
    threads.sort(key=_thread_order)
    return threads


def _thread_order(thread: dict[str, Any]) -> tuple:
    index = thread["cell_index"]
    return (thread["resolved"], index is None, index or 0, thread["id"])


def _thread_data(anchor, comments, access, notebook, can_comment, urls) -> dict[str, Any]:
    thread = anchor.thread
    removed = anchor.state == ThreadAnchor.State.REMOVED
    return {
        "id": thread.pk,
        "cell_id": None if removed else anchor.cell_id,
        "cell_index": anchor.cell_index,
        "state": anchor.state,
        "excerpt": thread.excerpt,
        "cell_type": thread.cell_type,
        "started_on_version": thread.version.number,
        "created_at": thread.created_at.isoformat(),
        "resolved": thread.is_resolved,
        "resolved_by": thread.resolved_by_name,
        "resolved_at": thread.resolved_at.isoformat() if thread.resolved_at else None,
        "can_reply": can_comment,
        "urls": urls.thread(thread.pk) if can_comment else {},
        "comments": [_comment_data(c, access, notebook, urls) for c in comments],
    }


def _comment_data(comment: Comment, access, notebook, urls) -> dict[str, Any]:
    can_edit = permissions.can_edit_comment(access, notebook, comment)
    can_delete = permissions.can_delete_comment(access, notebook, comment)
    return {
        "id": comment.pk,
        "author": comment.author_name,
        "author_removed": comment.author_id is None,
        "mine": can_edit,
        "body": comment.body if can_edit else None,
        "html": comment.body_html,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "urls": urls.comment(comment.pk, can_edit, can_delete),
    }


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


def participants(thread: CommentThread) -> Iterable[int]:
    """Ids of the people who wrote in a thread (deleted accounts left out)."""
    ids = set(thread.comments.exclude(author=None).values_list("author_id", flat=True))
    if thread.created_by_id:
        ids.add(thread.created_by_id)
    return ids
