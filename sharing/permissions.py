"""Every access rule in one place.

Roles are sets of django-guardian object permissions on a notebook, granted to people and
groups. People who may not see a notebook get 404 (its existence is not leaked); people who
may see it but not do what they asked get 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404
from guardian.core import ObjectPermissionChecker

from sharing import groups, links
from sharing.links import ShareLinkGone
from sharing.models import (
    ApiToken,
    Comment,
    CommentThread,
    Notebook,
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
    NotebookVersion,
    ThreadAnchor,
)
from sharing.pages.prepared import PreparedQuery
from sharing.roles import (
    COMMENT,
    COMMENTER,
    DELETE,
    EDIT,
    MANAGE,
    OWNER,
    ROLE_PERMISSIONS,
    VIEW,
    VIEWER,
    role_for,
)

_ALL = frozenset(ROLE_PERMISSIONS[OWNER])
_BY_VISIBILITY = {
    Notebook.Visibility.PRIVATE: frozenset(),
    Notebook.Visibility.ORG_VIEW: frozenset(ROLE_PERMISSIONS[VIEWER]),
    Notebook.Visibility.ORG_COMMENT: frozenset(ROLE_PERMISSIONS[COMMENTER]),
}


class Access:
    """What one person may do with notebooks, computed once per request.

    Wraps guardian's ``ObjectPermissionChecker`` so that a page asks the database once per
    notebook, and lists can prefetch the permissions of a whole page of notebooks.
    """

    def __init__(self, user, links: Iterable = (), ended: dict | None = None) -> None:
        self.user = user
        self.active = bool(user.is_authenticated and user.is_active)
        self._checker = ObjectPermissionChecker(user) if self.active else None
        # Share links this request came through (already re-validated), by notebook id: a
        # link lends its role while it stays valid and is never turned into a grant.
        self._links: dict[int, list] = {}
        for link in links:
            self._links.setdefault(link.notebook_id, []).append(link)
        self._ended = ended or {}

        # Permissions already read with the notebook row (``with_granted``), by notebook id.
        self._granted: dict[int, frozenset[str]] = {}

    def prefetch(self, notebooks: list[Notebook]) -> None:
        if self._checker is not None and notebooks and not self.user.is_superuser:
            self._checker.prefetch_perms(notebooks)

    def take_granted(self, notebook: Notebook) -> None:
        """Remember the grants read with ``notebook`` (a row of ``with_granted``): no
        permission query is made for it afterwards."""
        self._granted[notebook.pk] = frozenset(
            perm for perm in _GRANTABLE if getattr(notebook, _granted_name(perm), False)
        )

    def perms(self, notebook: Notebook) -> frozenset[str]:
        lent = frozenset(
            perm
            for link in self._links.get(notebook.pk, ())
            for perm in ROLE_PERMISSIONS[link.role]
        )
        return self._own_perms(notebook) | lent

    def _own_perms(self, notebook: Notebook) -> frozenset[str]:
        if not self.active:
            return frozenset()
        if self.user.is_superuser:
            return _ALL
        granted = self._granted.get(notebook.pk)
        if granted is None:
            granted = frozenset(self._checker.get_perms(notebook))
        return granted | _BY_VISIBILITY.get(notebook.visibility, frozenset())

    def has_link_to(self, notebook_pk: int) -> bool:
        return notebook_pk in self._links

    def lending_link(self, notebook: Notebook):
        """The share link this person sees the notebook through, if they have no access of
        their own (for the audit log: the link is who acts)."""
        held = self._links.get(notebook.pk)
        if not held or VIEW in self._own_perms(notebook):
            return None
        return held[0]

    def holds_links(self) -> bool:
        return bool(self._links or self._ended)

    def ended_link(self, notebook_pk: int):
        """Why the share link this person used for the notebook ended, if it did."""
        return self._ended.get(notebook_pk)

    def link_scope(self, latest_only: bool) -> tuple[frozenset[int], dict[int, frozenset[int]]]:
        """What this request's share links lend, for queries over many notebooks (search):
        the ids of notebooks lent whole, and for the others the version ids their pinned
        links show (with ``latest_only``, the newest pinned version of each)."""
        whole: set[int] = set()
        pinned: dict[int, frozenset[int]] = {}
        for notebook_pk, lent in self._links.items():
            if any(link.pinned_version_id is None for link in lent):
                whole.add(notebook_pk)
            elif latest_only:
                newest = max((link.pinned_version for link in lent), key=lambda v: v.number)
                pinned[notebook_pk] = frozenset({newest.pk})
            else:
                pinned[notebook_pk] = frozenset(link.pinned_version_id for link in lent)
        return frozenset(whole), pinned

    def allowed_versions(self, notebook: Notebook) -> frozenset[int] | None:
        """Version ids this person may see, or None for all of them.

        Only people whose sole access is share links pinned to versions are limited.
        """
        links = self._links.get(notebook.pk, ())
        if not links or VIEW in self._own_perms(notebook):
            return None
        if any(link.pinned_version_id is None for link in links):
            return None
        return frozenset(link.pinned_version_id for link in links)

    def visible_versions(self, notebook: Notebook, versions):
        """``versions`` (a QuerySet of the notebook's versions) narrowed to what may be seen."""
        allowed = self.allowed_versions(notebook)
        return versions if allowed is None else versions.filter(pk__in=allowed)

    def pinned_version(self, notebook: Notebook) -> NotebookVersion | None:
        """The newest version a pinned-only link holder may see, else None."""
        if self.allowed_versions(notebook) is None:
            return None
        pinned = [link.pinned_version for link in self._links[notebook.pk]]
        return max(pinned, key=lambda version: version.number)

    def can(self, perm: str, notebook: Notebook) -> bool:
        return perm in self.perms(notebook)

    def role(self, notebook: Notebook) -> str | None:
        if self.active and notebook.owner_id == self.user.pk:
            return OWNER
        return role_for(self.perms(notebook))


def access_for(request) -> Access:
    """The request's ``Access``, created on first use."""
    if getattr(request, "_notebook_access", None) is None:
        held = links.held_links(request)
        request._notebook_access = Access(request.user, held.active, held.ended)
    return request._notebook_access


def get_notebook_or_404(request, pk: int, perm: str = VIEW) -> Notebook:
    """The notebook if the person may ``perm`` it; 404 if they cannot see it, else 403.

    Someone whose share link for it ended gets ``ShareLinkGone`` (a 410 page) instead of 404.
    """
    access = access_for(request)
    notebooks = Notebook.objects.with_latest().filter(pk=pk)
    if not access.has_link_to(pk):
        notebooks = notebooks.visible_to(request.user)
    notebook = notebooks.first()
    if notebook is None or not access.can(VIEW, notebook):
        why = access.ended_link(pk)
        if why is not None and Notebook.objects.filter(pk=pk).exists():
            raise ShareLinkGone(why)
        raise Http404("No such notebook.")
    if not access.can(perm, notebook):
        raise PermissionDenied("You cannot do that with this notebook.")
    return notebook


# --- the hot path: one query answers "may this person see it, with which role" ------------

_GRANTABLE = (VIEW, COMMENT, EDIT, MANAGE, DELETE)


def _granted_name(perm: str) -> str:
    return f"granted_{perm}"


def granted_flags(user_pk, notebook: str = "pk") -> dict:
    """Annotations saying whether the person ``user_pk`` holds each notebook permission
    directly or through a group (``granted_<codename>``), read from the guardian tables in the
    query they are added to. ``notebook`` names the notebook's id on the row ("pk" for
    notebooks, "notebook_id" for versions)."""
    flags = {}
    for perm in _GRANTABLE:
        direct = NotebookUserObjectPermission.objects.filter(
            content_object=OuterRef(notebook), user=user_pk, permission__codename=perm
        )
        grouped = NotebookGroupObjectPermission.objects.filter(
            content_object=OuterRef(notebook), group__user=user_pk, permission__codename=perm
        )
        flags[_granted_name(perm)] = ExpressionWrapper(
            Exists(direct) | Exists(grouped), output_field=BooleanField()
        )
    return flags


def with_granted(queryset: QuerySet, user, notebook: str = "pk") -> QuerySet:
    """``queryset`` with ``granted_flags`` of ``user`` (none for people not signed in);
    ``Access.take_granted`` turns a row into permissions."""
    if not user.is_authenticated or not user.is_active:
        return queryset.annotate(**{_granted_name(perm): Value(False) for perm in _GRANTABLE})
    return queryset.annotate(**granted_flags(user.pk, notebook))


# Extra columns a page reads with the version: (a key naming them, a function making them).
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
            rows = rows.annotate(**granted_flags(values["user"], "notebook_id"))
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
        for perm_name in _GRANTABLE:  # the flags were read on the version's row
            name = _granted_name(perm_name)
            setattr(notebook, name, getattr(version, name, False))
        access.take_granted(notebook)
    if notebook is None or not access.can(VIEW, notebook):
        why = access.ended_link(pk)
        if why is not None and Notebook.objects.filter(pk=pk).exists():
            raise ShareLinkGone(why)
        raise Http404("No such notebook.")
    if not access.can(perm, notebook):
        raise PermissionDenied("You cannot do that with this notebook.")
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


def user_can(user, perm: str, notebook: Notebook) -> bool:
    """Whether someone other than the requester may ``perm`` a notebook (mentions, e-mail)."""
    return Access(user).can(perm, notebook)


def people_who_may_see(notebook: Notebook, people: QuerySet) -> QuerySet:
    """Those of ``people`` (a user QuerySet) who may see ``notebook`` now, as one query:
    whom a notice about it may reach."""
    people = people.filter(is_active=True)
    if notebook.visibility != Notebook.Visibility.PRIVATE:
        return people
    user_grant = NotebookUserObjectPermission.objects.filter(
        content_object=notebook, user=OuterRef("pk"), permission__codename=VIEW
    )
    group_grant = NotebookGroupObjectPermission.objects.filter(
        content_object=notebook, group__user=OuterRef("pk"), permission__codename=VIEW
    )
    return people.filter(
        Q(is_superuser=True) | Q(pk=notebook.owner_id) | Exists(user_grant) | Exists(group_grant)
    )


def can_post_comment(access: Access, notebook: Notebook) -> bool:
    """Commenting needs the comment permission and a signed-in person (comments have authors)."""
    return access.user.is_authenticated and access.can(COMMENT, notebook)


def can_edit_comment(access: Access, notebook: Notebook, comment) -> bool:
    """Authors edit their own comments, while they may still comment on the notebook."""
    user = access.user
    return (
        user.is_authenticated
        and comment.author_id is not None
        and comment.author_id == user.pk
        and can_post_comment(access, notebook)
    )


def can_delete_comment(access: Access, notebook: Notebook, comment) -> bool:
    """Authors delete their own comments; people who manage the notebook delete any."""
    return can_edit_comment(access, notebook, comment) or access.can(MANAGE, notebook)


def get_api_token_or_404(request, pk: int):
    """One of the person's own API tokens; anyone else's is 404, as if it did not exist."""
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


# --- groups and people -------------------------------------------------------------------


def can_manage_group(user, group) -> bool:
    """Group owners (and staff) add and remove members; everyone else only looks."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.is_superuser or groups.is_owner(user, group)


def get_group_or_404(request, pk: int, manage: bool = False):
    """A group the person is in, owns, or (staff) may manage; 404 for anyone else, 403 for a
    member asking to change it."""
    group = Group.objects.filter(pk=pk).first()
    user = request.user
    if group is None:
        raise Http404("No such group.")
    may_manage = can_manage_group(user, group)
    if not may_manage and not group.user_set.filter(pk=user.pk).exists():
        raise Http404("No such group.")
    if manage and not may_manage:
        raise PermissionDenied("Only the group's owners change its members.")
    return group


def people_visible_to(user):
    """The active people ``user`` may find by name when sharing (the person autocomplete):
    members of the groups they are in, or everyone when PEOPLE_DIRECTORY is "everyone".
    Someone in no group finds nobody, so the search tells outsiders nothing."""
    User = get_user_model()
    if not (user.is_authenticated and user.is_active):
        return User.objects.none()
    people = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if settings.PEOPLE_DIRECTORY == "everyone":
        return people
    shared = Group.user_set.through.objects.filter(user=OuterRef("pk"), group__user=user)
    return people.filter(Exists(shared))
