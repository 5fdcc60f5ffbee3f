"""Fetching what a request names, or 404 / 403 / 410: notebooks, versions, threads, comments
and API tokens. People who may not see a notebook get 404 (its existence is not leaked);
people who may see it but not do what they asked get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404

from sharing.links import ShareLinkGone
from sharing.models import ApiToken, Comment, CommentThread, Notebook, NotebookVersion, ThreadAnchor
from sharing.pages.prepared import PreparedQuery
from sharing.permissions.access import GRANTED, Access, access_for, granted_columns
from sharing.roles import COMMENT, VIEW


def _check(access: Access, pk: int, notebook: Notebook | None, perm: str) -> None:
    """404 (or 410 for an ended share link) unless the person may see the notebook found for
    ``pk``; 403 if they may see it but not ``perm`` it."""
    if notebook is None or not access.can(VIEW, notebook):
        why = access.ended_link(pk)
        if why is not None and Notebook.objects.filter(pk=pk).exists():
            raise ShareLinkGone(why)
        raise Http404("No such notebook.")
    if not access.can(perm, notebook):
        raise PermissionDenied("You cannot do that with this notebook.")


def get_notebook_or_404(request, pk: int, perm: str = VIEW) -> Notebook:
    """The notebook if the person may ``perm`` it; 404 if they cannot see it, else 403.

    Someone whose share link for it ended gets ``ShareLinkGone`` (a 410 page) instead of 404.
    """
    access = access_for(request)
    notebooks = Notebook.objects.with_latest().filter(pk=pk)
    if not access.has_link_to(pk):
        notebooks = notebooks.visible_to(request.user)
    notebook = notebooks.first()
    _check(access, pk, notebook, perm)
    return notebook


# --- the hot path: one query answers "may this person see it, with which role" ------------

type Columns = tuple[tuple, Callable[[], dict]]
# Columns that depend on the signed-in person: the callable gets the person's id.
type PersonalColumns = tuple[tuple, Callable[[object], dict]]

_shown_queries: dict[tuple, PreparedQuery] = {}


def _shown_query(
    latest: bool, signed_in: bool, columns: Columns | None, personal: PersonalColumns | None
) -> PreparedQuery:
    personal = personal if signed_in else None
    key = (latest, signed_in, columns[0] if columns else None, personal[0] if personal else None)
    query = _shown_queries.get(key)
    if query is not None:
        return query

    def build(**values) -> QuerySet:
        rows = NotebookVersion.objects.select_related("notebook__owner", "uploaded_by").filter(
            notebook_id=values["notebook"]
        )
        if latest:
            rows = rows.filter(pk=F("notebook__latest_version_id"))
        else:
            rows = rows.filter(number=values["number"])
        if signed_in:
            rows = rows.annotate(**granted_columns(values["user"], "notebook_id"))
        if columns:
            rows = rows.annotate(**columns[1]())
        if personal:
            rows = rows.annotate(**personal[1](values["user"]))
        return rows[:1]

    names = ("notebook",) + (() if latest else ("number",)) + (("user",) if signed_in else ())
    query = _shown_queries.setdefault(key, PreparedQuery(build, *names))
    return query


def get_shown_version_or_404(
    request,
    pk: int,
    number: int | None = None,
    perm: str = VIEW,
    columns: Columns | None = None,
    personal: PersonalColumns | None = None,
) -> NotebookVersion:
    """The version a page shows (``number``, or the latest), its notebook and owner, who
    uploaded it and the person's permissions, in one query compiled once per process; the
    same decisions as ``get_version_or_404`` (404, 403, 410 for ended share links).

    ``columns`` are read in the same query (the page's rendering status), and so are
    ``personal`` ones for a signed-in person (their parts of the page). A holder of links
    pinned to versions asking for the latest gets the latest: the page redirects.
    """
    access = access_for(request)
    user = request.user
    signed_in = bool(user.is_authenticated and user.is_active)
    values = {"notebook": pk}
    if number is not None:
        values["number"] = number
    if signed_in:
        values["user"] = user.pk
    found = _shown_query(number is None, signed_in, columns, personal).fetch(**values)
    version = found[0] if found else None
    notebook = version.notebook if version is not None else None
    if notebook is not None:
        for column in GRANTED:  # the grants were read on the version's row
            setattr(notebook, column, getattr(version, column, None))
        access.take_granted(notebook)
    _check(access, pk, notebook, perm)
    allowed = access.allowed_versions(notebook)
    if number is not None and allowed is not None and version.pk not in allowed:
        raise Http404("No such version.")
    return version


def get_version_or_404(request, pk: int, number: int, perm: str = VIEW) -> NotebookVersion:
    """A version the person may see (share links pinned to versions show only those)."""
    notebook = get_notebook_or_404(request, pk, perm)
    version = notebook.versions.filter(number=number).first()
    allowed = access_for(request).allowed_versions(notebook)
    if version is None or (allowed is not None and version.pk not in allowed):
        raise Http404("No such version.")
    version.notebook = notebook
    return version


def get_versions_or_404(request, pk: int, *numbers: int) -> list[NotebookVersion]:
    """Several versions of one notebook, all of which the person may see, else 404.

    One query for the versions whatever their number; a share link pinned to one version
    shows no other (comparing needs both sides visible).
    """
    notebook = get_notebook_or_404(request, pk, VIEW)
    allowed = access_for(request).allowed_versions(notebook)
    found = {v.number: v for v in notebook.versions.filter(number__in=set(numbers))}
    versions = []
    for number in numbers:
        version = found.get(number)
        if version is None or (allowed is not None and version.pk not in allowed):
            raise Http404("No such version.")
        version.notebook = notebook
        versions.append(version)
    return versions


def login_or_share_link_required(view):
    """Like ``login_required``, but lets in people holding a share link that needs no sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated or access_for(request).holds_links():
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapper


def shown_version(access: Access, notebook: Notebook) -> NotebookVersion | None:
    """The version that stands for "the latest" for this person: a holder of links pinned to
    versions gets the newest of those, everyone else the notebook's latest version."""
    return access.pinned_version(notebook) or notebook.latest_version


# --- comments ----------------------------------------------------------------------------

NO_SUCH_THREAD = "No such thread."


def get_thread_or_404(
    request, thread_id: int, notebook_pk: int | None = None, perm: str = COMMENT
) -> CommentThread:
    """A thread the person may ``perm``: on a notebook they may, and (for holders of links
    pinned to versions) shown on one of their versions. Anyone else gets 404."""
    if notebook_pk is None:
        found = CommentThread.objects.filter(pk=thread_id).values_list("notebook", flat=True)
        notebook_pk = found.first()
        if notebook_pk is None:
            raise Http404(NO_SUCH_THREAD)
    notebook = get_notebook_or_404(request, notebook_pk, perm)
    thread = notebook.threads.filter(pk=thread_id).first()
    if thread is None or not _thread_shown(access_for(request), notebook, thread.pk):
        raise Http404(NO_SUCH_THREAD)
    thread.notebook = notebook
    return thread


def get_comment_or_404(request, notebook_pk: int, comment_id: int) -> tuple[Notebook, Comment]:
    """A comment in a thread the person may comment on (see ``get_thread_or_404``)."""
    notebook = get_notebook_or_404(request, notebook_pk, COMMENT)
    comment = (
        Comment.objects.select_related("thread__notebook")
        .filter(pk=comment_id, thread__notebook=notebook)
        .first()
    )
    if comment is None or not _thread_shown(access_for(request), notebook, comment.thread_id):
        raise Http404("No such comment.")
    return notebook, comment


def _thread_shown(access: Access, notebook: Notebook, thread_pk: int) -> bool:
    allowed = access.allowed_versions(notebook)
    if allowed is None:
        return True
    return ThreadAnchor.objects.filter(thread_id=thread_pk, version_id__in=allowed).exists()


def get_api_token_or_404(request, pk: int):
    """One of the person's own API tokens; anyone else's is 404, as if it did not exist."""
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token
