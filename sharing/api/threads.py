"""/api/v1/notebooks/{id}/threads and /api/v1/threads/{id}/…: comment threads on cells.

The rules are the notebook page's: whoever may view the notebook reads its threads, whoever may
comment on it starts threads, replies, resolves and reopens (``sharing.permissions``). Bodies
go through the page's ``NewThreadForm`` / ``CommentForm`` and the work is done by
``sharing.comments``, which also sends the same e-mails.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from sharing import permissions, roles
from sharing.api.errors import ApiError, check_rate_limit, error_responses, form_error
from sharing.api.schemas import (
    MAX_VERSION,
    CommentIn,
    NotebookId,
    PostedOut,
    ResolvedOut,
    ThreadId,
    ThreadIn,
    ThreadsOut,
)
from sharing.comments import notifications
from sharing.comments import threads as comment_threads
from sharing.comments.cells import version_cells
from sharing.comments.data import version_threads
from sharing.comments.forms import CommentForm, NewThreadForm
from sharing.comments.threads import OLD_VERSION, BodyTooComplex, StaleVersion
from sharing.models import Comment, CommentThread, Notebook
from sharing.notifications.inbox import site_address

router = Router(tags=["comment threads"])

NO_SUCH_THREAD = "No such thread."


class ThreadQuery(Schema):
    # Not "int | None": the document would then allow null, which a query cannot send.
    version: int = Field(
        None,
        ge=1,
        le=MAX_VERSION,
        description="The version whose threads to list; without it, the latest (or the only "
        "version your share link shows).",
    )


@router.get(
    "/notebooks/{notebook_id}/threads",
    response={200: ThreadsOut, **error_responses(404)},
    summary="List the comment threads of a version",
    url_name="thread-list",
)
def list_threads(request: HttpRequest, notebook_id: NotebookId, query: Query[ThreadQuery]):
    """Every thread anchored in the version, with its comments: the data the notebook page's
    comment panel reads. Threads whose cell is not in this version have `state` `removed`."""
    if query.version is None:
        notebook = permissions.get_notebook_or_404(request, notebook_id)
        version = permissions.shown_version(permissions.access_for(request), notebook)
        if version is None:
            raise Http404("No such version.")
        version.notebook = notebook
    else:
        version = permissions.get_version_or_404(request, notebook_id, query.version)
    return version_threads(version, permissions.access_for(request))


@router.post(
    "/notebooks/{notebook_id}/threads",
    response={201: PostedOut, **error_responses(400, 403, 404, 409, 413)},
    summary="Start a comment thread on a cell",
    url_name="thread-list",
)
def start_thread(request: HttpRequest, notebook_id: NotebookId, body: ThreadIn):
    """Threads start on the latest version. Send `version` (the one you read the cell from)
    to be refused with 409 if another was published since. Commenters, editors and owners."""
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.COMMENT)
    check_rate_limit(request, "comment")
    version = permissions.shown_version(permissions.access_for(request), notebook)
    if body.version is not None:
        version = permissions.get_version_or_404(request, notebook_id, body.version, roles.COMMENT)
    if version is None or version.pk != notebook.latest_version_id:
        raise ApiError(409, OLD_VERSION, "old_version")
    form = NewThreadForm({"cell_id": body.cell_id, "body": body.body}, cells=version_cells(version))
    if not form.is_valid():
        raise form_error(form)
    try:
        comment, rendered = comment_threads.start_thread(
            notebook, version, form.cleaned_data["cell_id"], request.user, form.cleaned_data["body"]
        )
    except StaleVersion:
        raise ApiError(409, OLD_VERSION, "old_version") from None
    except BodyTooComplex as exc:
        raise _too_complex(exc) from None
    _notify(request, notebook, comment, rendered.mentioned)
    return Status(201, PostedOut(thread=comment.thread_id, comment=comment.pk))


@router.post(
    "/threads/{thread_id}/replies",
    response={201: PostedOut, **error_responses(400, 403, 404, 413)},
    summary="Reply in a thread",
    url_name="thread-replies",
)
def reply(request: HttpRequest, thread_id: ThreadId, body: CommentIn):
    """Commenters, editors and owners of the thread's notebook."""
    thread = _thread(request, thread_id)
    check_rate_limit(request, "comment")
    form = CommentForm({"body": body.body})
    if not form.is_valid():
        raise form_error(form)
    try:
        comment, rendered = comment_threads.reply(thread, request.user, form.cleaned_data["body"])
    except BodyTooComplex as exc:
        raise _too_complex(exc) from None
    _notify(request, thread.notebook, comment, rendered.mentioned)
    return Status(201, PostedOut(thread=thread.pk, comment=comment.pk))


@router.post(
    "/threads/{thread_id}/resolve",
    response={200: ResolvedOut, **error_responses(403, 404)},
    summary="Resolve a thread",
    url_name="thread-resolve",
)
def resolve(request: HttpRequest, thread_id: ThreadId):
    """Resolving a resolved thread changes nothing. Commenters, editors and owners."""
    thread = _thread(request, thread_id)
    was_resolved = thread.is_resolved
    comment_threads.set_resolved(thread, request.user, True)
    if not was_resolved:
        notifications.thread_resolved(thread, request.user, base_url=site_address(request))
    return ResolvedOut(thread=thread.pk, resolved=thread.is_resolved)


@router.post(
    "/threads/{thread_id}/reopen",
    response={200: ResolvedOut, **error_responses(403, 404)},
    summary="Reopen a resolved thread",
    url_name="thread-reopen",
)
def reopen(request: HttpRequest, thread_id: ThreadId):
    """Reopening an open thread changes nothing. Commenters, editors and owners."""
    thread = comment_threads.set_resolved(_thread(request, thread_id), request.user, False)
    return ResolvedOut(thread=thread.pk, resolved=thread.is_resolved)


def _thread(request: HttpRequest, thread_id: int) -> CommentThread:
    """The thread, if the caller may comment on it (404 if they cannot see it)."""
    return permissions.get_thread_or_404(request, thread_id)


def _notify(request: HttpRequest, notebook: Notebook, comment: Comment, mentioned: list) -> None:
    """The notices the web page sends for a new comment."""
    notifications.comment_posted(comment, mentioned, base_url=site_address(request))


def _too_complex(exc: BodyTooComplex) -> ApiError:
    errors = [{"field": "body", "message": exc.message, "code": exc.code}]
    return ApiError(400, exc.message, exc.code, errors)
