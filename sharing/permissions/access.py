"""Who may do what with a notebook: ``Access``, the person's roles and share links in one object.

Roles are sets of django-guardian object permissions on a notebook, granted to people and
groups; notebooks open to the organisation grant a role to everyone signed in; share links lend
a role to whoever holds them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import CharField, OuterRef, QuerySet, StringAgg, Subquery, Value
from guardian.core import ObjectPermissionChecker

from sharing import links
from sharing.models import (
    Notebook,
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
    NotebookVersion,
)
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
        self._granted[notebook.pk] = granted_on(notebook)

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


GRANTABLE = (VIEW, COMMENT, EDIT, MANAGE, DELETE)
# The columns ``granted_columns`` adds: the codenames granted to the person on the row's
# notebook directly, and through their groups, each joined by commas (NULL for none).
GRANTED = ("granted_direct", "granted_grouped")


def granted_columns(user_pk, notebook: str = "pk") -> dict:
    """Annotations naming the notebook permissions the person ``user_pk`` holds directly and
    through groups (``GRANTED``), read from the guardian tables in the query they are added to:
    one aggregate per table, where a flag per permission and table took ten subqueries.
    ``notebook`` names the notebook's id on the row ("pk" for notebooks, "notebook_id" for
    versions). ``granted_on`` reads them back."""
    direct, grouped = GRANTED
    return {
        direct: _codenames(NotebookUserObjectPermission, notebook, user=user_pk),
        grouped: _codenames(NotebookGroupObjectPermission, notebook, group__user=user_pk),
    }


def _codenames(table, notebook: str, **who) -> Subquery:
    rows = table.objects.filter(content_object=OuterRef(notebook), **who).order_by()
    joined = StringAgg("permission__codename", Value(","), output_field=CharField())
    return Subquery(
        rows.values("content_object").annotate(codenames=joined).values("codenames"),
        output_field=CharField(),
    )


def granted_on(row) -> frozenset[str]:
    """The permissions ``granted_columns`` read on ``row``."""
    names = set()
    for column in GRANTED:
        names.update((getattr(row, column, None) or "").split(","))
    return frozenset(names.intersection(GRANTABLE))


def with_granted(queryset: QuerySet, user, notebook: str = "pk") -> QuerySet:
    """``queryset`` with ``granted_columns`` of ``user`` (none for people not signed in);
    ``Access.take_granted`` turns a row into permissions."""
    if not user.is_authenticated or not user.is_active:
        return queryset.annotate(**{column: Value(None, CharField()) for column in GRANTED})
    return queryset.annotate(**granted_columns(user.pk, notebook))


# Extra columns a page reads with the version: (a key naming them, a function making them).


def user_can(user, perm: str, notebook: Notebook) -> bool:
    """Whether someone other than the requester may ``perm`` a notebook (mentions, e-mail)."""
    return Access(user).can(perm, notebook)


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
