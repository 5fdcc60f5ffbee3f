"""Every access rule in one place.

People who may not see a notebook get 404 (its existence is not leaked); people who may see
it but not do the thing they asked get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sharing.models import Notebook, NotebookVersion

VIEW = "view"
EDIT = "edit"  # upload versions, rename
DELETE = "delete"


def can(user, action: str, notebook: Notebook) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or notebook.owner_id == user.pk


def get_notebook_or_404(user, pk: int, action: str = VIEW) -> Notebook:
    notebook = Notebook.objects.visible_to(user).with_latest().filter(pk=pk).first()
    if notebook is None:
        raise Http404("No such notebook.")
    if not can(user, action, notebook):
        raise PermissionDenied
    return notebook


def get_version_or_404(user, pk: int, number: int) -> NotebookVersion:
    notebook = get_notebook_or_404(user, pk, VIEW)
    version = notebook.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.notebook = notebook
    return version
