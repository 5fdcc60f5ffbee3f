"""Every access rule in one place.

Roles are sets of django-guardian object permissions on a notebook, granted to people and
groups. People who may not see a notebook get 404 (its existence is not leaked); people who
may see it but not do what they asked get 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.core import ObjectPermissionChecker

from sharing.models import Notebook, NotebookVersion

VIEW = "view_notebook"
COMMENT = "comment_notebook"
EDIT = "change_notebook"  # upload versions, rename, create share links
MANAGE = "manage_notebook"  # manage access, transfer ownership
DELETE = "delete_notebook"

VIEWER, COMMENTER, EDITOR, OWNER = "viewer", "commenter", "editor", "owner"
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    VIEWER: (VIEW,),
    COMMENTER: (VIEW, COMMENT),
    EDITOR: (VIEW, COMMENT, EDIT),
    OWNER: (VIEW, COMMENT, EDIT, MANAGE, DELETE),
}
GRANTABLE_ROLES = (VIEWER, COMMENTER, EDITOR)
ROLE_CHOICES = [(VIEWER, "Viewer"), (COMMENTER, "Commenter"), (EDITOR, "Editor")]
ROLE_DESCRIPTIONS = {
    VIEWER: "can read every version and download",
    COMMENTER: "can also comment",
    EDITOR: "can also upload versions, rename and create share links",
    OWNER: "can do everything, including sharing and deleting",
}
_ALL = frozenset(ROLE_PERMISSIONS[OWNER])
_BY_VISIBILITY = {
    Notebook.Visibility.PRIVATE: frozenset(),
    Notebook.Visibility.ORG_VIEW: frozenset(ROLE_PERMISSIONS[VIEWER]),
    Notebook.Visibility.ORG_COMMENT: frozenset(ROLE_PERMISSIONS[COMMENTER]),
}


def role_for(perms: Iterable[str]) -> str | None:
    """The highest role whose permissions are all in ``perms``."""
    held = set(perms)
    for role in (OWNER, EDITOR, COMMENTER, VIEWER):
        if held.issuperset(ROLE_PERMISSIONS[role]):
            return role
    return None


class Access:
    """What one person may do with notebooks, computed once per request.

    Wraps guardian's ``ObjectPermissionChecker`` so that a page asks the database once per
    notebook, and lists can prefetch the permissions of a whole page of notebooks.
    """

    def __init__(self, user) -> None:
        self.user = user
        self.active = bool(user.is_authenticated and user.is_active)
        self._checker = ObjectPermissionChecker(user) if self.active else None

    def prefetch(self, notebooks: list[Notebook]) -> None:
        if self._checker is not None and notebooks and not self.user.is_superuser:
            self._checker.prefetch_perms(notebooks)

    def perms(self, notebook: Notebook) -> frozenset[str]:
        if not self.active:
            return frozenset()
        if self.user.is_superuser:
            return _ALL
        granted = frozenset(self._checker.get_perms(notebook))
        return granted | _BY_VISIBILITY.get(notebook.visibility, frozenset())

    def can(self, perm: str, notebook: Notebook) -> bool:
        return perm in self.perms(notebook)

    def role(self, notebook: Notebook) -> str | None:
        if self.active and notebook.owner_id == self.user.pk:
            return OWNER
        return role_for(self.perms(notebook))


def access_for(request) -> Access:
    """The request's ``Access``, created on first use."""
    if getattr(request, "_notebook_access", None) is None:
        request._notebook_access = Access(request.user)
    return request._notebook_access


def get_notebook_or_404(request, pk: int, perm: str = VIEW) -> Notebook:
    """The notebook if the person may ``perm`` it; 404 if they cannot see it, else 403."""
    notebook = Notebook.objects.visible_to(request.user).with_latest().filter(pk=pk).first()
    access = access_for(request)
    if notebook is None or not access.can(VIEW, notebook):
        raise Http404("No such notebook.")
    if not access.can(perm, notebook):
        raise PermissionDenied("You cannot do that with this notebook.")
    return notebook


def get_version_or_404(request, pk: int, number: int) -> NotebookVersion:
    notebook = get_notebook_or_404(request, pk, VIEW)
    version = notebook.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.notebook = notebook
    return version
