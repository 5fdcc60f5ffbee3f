"""Whom people may find and reach: the person search, group pages, and who a notice about a
notebook may go to."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from sharing import groups
from sharing.models import Notebook, NotebookGroupObjectPermission, NotebookUserObjectPermission
from sharing.roles import VIEW


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
