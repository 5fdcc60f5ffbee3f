"""Writing comment threads on cells: starting, replying, editing, deleting, resolving."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharing import permissions, roles
from sharing.budget import BudgetExceeded, run_within_budget
from sharing.cells import Cell
from sharing.comments.markdown import RenderedBody, mention_candidates, render_body
from sharing.models import Comment, CommentThread, Notebook, NotebookVersion, ThreadAnchor

OLD_VERSION = "This is an older version of the notebook: start new threads on the latest version."


class BodyTooComplex(Exception):
    """A comment body whose Markdown went past the comment budget; nothing was saved."""

    code = "too_complex"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleVersion(Exception):
    """A thread was started on a version that is no longer the latest."""


def render_for(notebook: Notebook, body: str) -> RenderedBody:
    """Render a body, linking @mentions of active people who can see the notebook."""
    names = mention_candidates(body)
    people = {}
    if names:
        for person in get_user_model().objects.filter(username__in=names, is_active=True):
            if permissions.user_can(person, roles.VIEW, notebook):
                people[person.get_username()] = reverse(
                    "sharing:person", args=[person.get_username()]
                )
    try:
        return run_within_budget(
            render_body,
            body,
            people,
            seconds=settings.COMMENT_RENDER_SECONDS,
            memory_mb=settings.COMMENT_RENDER_MEMORY_MB,
        )
    except BudgetExceeded as exc:
        raise BodyTooComplex(
            f"This comment cannot be shown: formatting it {exc.describe()}. "
            "Simplify its Markdown (fewer or shorter code blocks, less nesting)."
        ) from None


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


def participants(thread: CommentThread) -> Iterable[int]:
    """Ids of the people who wrote in a thread (deleted accounts left out)."""
    ids = set(thread.comments.exclude(author=None).values_list("author_id", flat=True))
    if thread.created_by_id:
        ids.add(thread.created_by_id)
    return ids
