"""JSON endpoints for comment threads on cells (used by static/js/comments.js).

Reading needs the view permission, writing the comment permission: people who cannot see the
notebook get 404, people who can see it but not comment get 403. Errors are JSON
``{"errors": {field: [{"message", "code"}]}}`` with status 400 (bad input) or 409 (the page is
out of date).

The same endpoints take the plain HTML forms the page shows when JavaScript is off: a request
that asks for HTML (``Accept: text/html``, as browsers send for form posts, and not JSON) gets a
message and a redirect back to the notebook page at the cell instead (post/redirect/get).
"""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from sharing import permissions, roles
from sharing.audit import record as audit
from sharing.audit.models import Action
from sharing.cells import cell_label
from sharing.comments import notifications
from sharing.comments import threads as comment_threads
from sharing.comments.cells import version_cells
from sharing.comments.data import VersionThreads, version_threads
from sharing.comments.forms import CommentForm, NewThreadForm
from sharing.comments.threads import OLD_VERSION, BodyTooComplex, StaleVersion
from sharing.models import Comment, CommentThread, Notebook, ThreadAnchor
from sharing.notifications.inbox import site_address
from sharing.pages import conditional, memo
from sharing.ratelimit import limit, wait_text


@permissions.login_or_share_link_required
@require_http_methods(["GET", "POST"])
def threads(request, pk: int, number: int):
    """GET: every thread of a version, with its comments, in one response. POST: a new thread.

    Whoever may read the notebook reads its threads, share-link holders included; writing
    needs a signed-in person, since every comment has an author.
    """
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _start_thread(request, pk, number)
    version = permissions.get_shown_version_or_404(request, pk, number)
    access = permissions.access_for(request)
    found = version_threads(version, access)
    notebook = version.notebook
    etag = conditional.page_etag(
        request, "comments", sorted(access.perms(notebook)), notebook.latest_version_id, found
    )
    if etag is not None:  # made of the database alone (a link holder's is never kept)
        memo.offer(request, etag)
    if (unchanged := conditional.not_modified(request, etag)) is not None:
        return unchanged
    return conditional.mark(JsonResponse(threads_json(found)), etag)


def _named(cell) -> str:
    """A cell as a sentence names it: "In [3]" or "cell 7"."""
    label = cell_label(cell)
    return label if cell.execution_count is not None else label.lower()


def _start_thread(request, pk: int, number: int):
    version = permissions.get_version_or_404(request, pk, number, roles.COMMENT)
    notebook = version.notebook
    if version.pk != notebook.latest_version_id:
        return _error(request, notebook, OLD_VERSION, "old_version", 409)
    if (refused := _too_many(request, notebook)) is not None:
        return refused
    form = NewThreadForm(request.POST, cells=version_cells(version))
    if not form.is_valid():
        return _invalid(request, form, notebook)
    cell = form.cleaned_data["cell_id"]
    try:
        comment, rendered = comment_threads.start_thread(
            notebook, version, cell, request.user, form.cleaned_data["body"]
        )
    except StaleVersion:
        return _error(request, notebook, OLD_VERSION, "old_version", 409)
    except BodyTooComplex as exc:
        form.add_error("body", ValidationError(exc.message, code=exc.code))
        return _invalid(request, form, notebook)
    _notify(request, comment, rendered.mentioned)
    if _wants_page(request):
        messages.success(request, f"Thread started on {_named(cell)}.")
        return _back_to_page(request, notebook, comment.thread)
    return JsonResponse({"thread": comment.thread_id, "comment": comment.pk}, status=201)


@login_required
@require_POST
def reply(request, pk: int, thread_id: int):
    thread = _thread(request, pk, thread_id)
    if (refused := _too_many(request, thread.notebook)) is not None:
        return refused
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, thread.notebook, thread)
    try:
        comment, rendered = comment_threads.reply(thread, request.user, form.cleaned_data["body"])
    except BodyTooComplex as exc:
        form.add_error("body", ValidationError(exc.message, code=exc.code))
        return _invalid(request, form, thread.notebook, thread)
    _notify(request, comment, rendered.mentioned)
    if _wants_page(request):
        messages.success(request, "Reply posted.")
        return _back_to_page(request, thread.notebook, thread)
    return JsonResponse({"thread": thread.pk, "comment": comment.pk}, status=201)


@login_required
@require_POST
def resolve(request, pk: int, thread_id: int):
    return _set_resolved(request, pk, thread_id, True)


@login_required
@require_POST
def reopen(request, pk: int, thread_id: int):
    return _set_resolved(request, pk, thread_id, False)


def _set_resolved(request, pk: int, thread_id: int, resolved: bool):
    thread = _thread(request, pk, thread_id)
    was_resolved = thread.is_resolved
    comment_threads.set_resolved(thread, request.user, resolved)
    if resolved and not was_resolved:
        notifications.thread_resolved(thread, request.user, base_url=site_address(request))
    if _wants_page(request):
        messages.success(request, "Thread resolved." if resolved else "Thread reopened.")
        return _back_to_page(request, thread.notebook, thread)
    return JsonResponse({"thread": thread.pk, "resolved": thread.is_resolved})


@login_required
@require_POST
def edit(request, pk: int, comment_id: int):
    notebook, comment = _comment(request, pk, comment_id)
    if not permissions.can_edit_comment(permissions.access_for(request), notebook, comment):
        raise PermissionDenied("Only its author can edit a comment.")
    if (refused := _too_many(request, notebook)) is not None:
        return refused
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, notebook)
    try:
        comment_threads.edit_comment(comment, form.cleaned_data["body"])
    except BodyTooComplex as exc:
        form.add_error("body", ValidationError(exc.message, code=exc.code))
        return _invalid(request, form, notebook)
    return JsonResponse({"thread": comment.thread_id, "comment": comment.pk})


@login_required
@require_POST
def delete(request, pk: int, comment_id: int):
    notebook, comment = _comment(request, pk, comment_id)
    if not permissions.can_delete_comment(permissions.access_for(request), notebook, comment):
        raise PermissionDenied("Only its author or the notebook's owner can delete a comment.")
    thread_id = comment.thread_id
    if comment.author_id != request.user.pk:  # a moderator's deletion goes on record
        audit.record(
            Action.COMMENT_DELETED,
            obj=audit.Target("comment", str(comment.pk), f"Comment by {comment.author_name}"),
            notebook=notebook,
            details={"author": comment.author_name, "thread": thread_id},
        )
    thread_deleted = comment_threads.delete_comment(comment)
    return JsonResponse({"thread": thread_id, "thread_deleted": thread_deleted})


def _thread(request, pk: int, thread_id: int):
    return permissions.get_thread_or_404(request, thread_id, notebook_pk=pk)


def _comment(request, pk: int, comment_id: int):
    return permissions.get_comment_or_404(request, pk, comment_id)


def _notify(request, comment: Comment, mentioned: list[str]) -> None:
    notifications.comment_posted(comment, mentioned, base_url=site_address(request))


def _wants_page(request) -> bool:
    """A plain form post from the page (JavaScript off) rather than the script or a client."""
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "application/json" not in accept


def _back_to_page(request, notebook: Notebook, thread: CommentThread | None = None):
    """The notebook page the form was on (field ``version``, else the latest), at the thread's
    cell in that version, or at the comment panel when the cell is not in it."""
    number = request.POST.get("version", "")
    anchors = ThreadAnchor.objects.filter(thread=thread) if thread else ThreadAnchor.objects.none()
    if number.isascii() and number.isdigit() and len(number) < 10:
        url = reverse("sharing:version-detail", args=[notebook.pk, int(number)])
        anchors = anchors.filter(version__number=int(number))
    else:
        url = notebook.get_absolute_url()
        anchors = anchors.filter(version_id=notebook.latest_version_id)
    anchor = anchors.exclude(state=ThreadAnchor.State.REMOVED).first()
    return HttpResponseRedirect(f"{url}#cell-{anchor.cell_id}" if anchor else f"{url}#comments")


def _invalid(request, form, notebook: Notebook, thread: CommentThread | None = None):
    if _wants_page(request):
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Not posted: {error}")
        return _back_to_page(request, notebook, thread)
    return JsonResponse({"errors": form.errors.get_json_data()}, status=400)


def _too_many(request, notebook: Notebook):
    """Comments send e-mail: past the per-account or per-address limit, refuse (429)."""
    wait = limit(request, "comment")
    if wait is None:
        return None
    message = f"Too many comments in a short time; wait {wait_text(wait)} and try again."
    response = _error(request, notebook, message, "rate_limited", 429)
    response["Retry-After"] = str(wait)
    return response


def _error(request, notebook: Notebook, message: str, code: str, status: int):
    if _wants_page(request):
        messages.error(request, message)
        return _back_to_page(request, notebook)
    return JsonResponse(
        {"errors": {"__all__": [{"message": message, "code": code}]}}, status=status
    )


def threads_json(data: VersionThreads) -> dict:
    """The JSON the page script reads (embedded in the page, then from ``threads``)."""
    payload = asdict(data)
    del payload["cell_choices"], payload["cell_labels"]  # for the plain markup only
    for thread in payload["threads"]:
        _iso(thread, "created_at", "resolved_at")
        for comment in thread["comments"]:
            _iso(comment, "created_at", "edited_at")
    return payload


def _iso(item: dict, *keys: str) -> None:
    for key in keys:
        if item[key] is not None:
            item[key] = item[key].isoformat()
