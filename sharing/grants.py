"""Changing who has which role on a notebook (the rules themselves: ``sharing.permissions``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from sharing.audit import record as audit
from sharing.audit.models import Action
from sharing.models import Notebook, NotebookGroupObjectPermission, NotebookUserObjectPermission
from sharing.roles import EDITOR, OWNER, ROLE_PERMISSIONS, role_for


def _permissions(role: str) -> list[Permission]:
    content_type = ContentType.objects.get_for_model(Notebook)
    return list(
        Permission.objects.filter(content_type=content_type, codename__in=ROLE_PERMISSIONS[role])
    )


def _set(model, notebook: Notebook, role: str | None, **holder) -> bool:
    """Replace the holder's grants; True if they held any before."""
    with transaction.atomic():
        deleted, _ = model.objects.filter(content_object=notebook, **holder).delete()
        if role is not None:
            model.objects.bulk_create(
                model(content_object=notebook, permission=permission, **holder)
                for permission in _permissions(role)
            )
    return deleted > 0


def _audit_grant(notebook: Notebook, held: bool, role: str | None, **whom) -> None:
    if role is None and not held:
        return  # nothing was there to remove
    action = (
        Action.ACCESS_REMOVED
        if role is None
        else Action.ACCESS_CHANGED
        if held
        else Action.ACCESS_GRANTED
    )
    audit.record(action, obj=notebook, details={**whom, "role": role})


def set_user_role(notebook: Notebook, user, role: str | None) -> None:
    """Give ``user`` exactly ``role`` on ``notebook`` (None removes their access)."""
    held = _set(NotebookUserObjectPermission, notebook, role, user=user)
    _audit_grant(notebook, held, role, user=user.get_username())


def set_group_role(notebook: Notebook, group: Group, role: str | None) -> None:
    held = _set(NotebookGroupObjectPermission, notebook, role, group=group)
    _audit_grant(notebook, held, role, group=group.name)


def grant_ownership(notebook: Notebook) -> None:
    """Give the notebook's owner every permission; called when a notebook is created."""
    _set(NotebookUserObjectPermission, notebook, OWNER, user=notebook.owner)


def transfer_ownership(notebook: Notebook, new_owner) -> None:
    """Make ``new_owner`` the owner; the previous owner stays on as an editor."""
    previous = notebook.owner
    with transaction.atomic():
        notebook.owner = new_owner
        notebook.save(update_fields=["owner", "updated_at"])
        _set(NotebookUserObjectPermission, notebook, OWNER, user=new_owner)
        _set(NotebookUserObjectPermission, notebook, EDITOR, user=previous)
        audit.record(
            Action.OWNERSHIP_TRANSFERRED,
            obj=notebook,
            details={"from": previous.get_username(), "to": new_owner.get_username()},
        )


@dataclass(frozen=True)
class Grant:
    holder: object  # a User or a Group
    role: str


def grants(notebook: Notebook) -> tuple[list[Grant], list[Grant]]:
    """Who has access to ``notebook`` directly, and which groups do: two queries."""
    users: dict[int, tuple[object, set[str]]] = {}
    for row in NotebookUserObjectPermission.objects.filter(content_object=notebook).select_related(
        "user", "permission"
    ):
        users.setdefault(row.user_id, (row.user, set()))[1].add(row.permission.codename)
    groups: dict[int, tuple[object, set[str]]] = {}
    for row in NotebookGroupObjectPermission.objects.filter(content_object=notebook).select_related(
        "group", "permission"
    ):
        groups.setdefault(row.group_id, (row.group, set()))[1].add(row.permission.codename)
    return _as_grants(users, exclude=notebook.owner_id), _as_grants(groups)


def _as_grants(holders: dict, exclude: int | None = None) -> list[Grant]:
    result = [
        Grant(holder, role)
        for pk, (holder, perms) in holders.items()
        if pk != exclude and (role := role_for(perms)) is not None
    ]
    return sorted(result, key=lambda grant: str(grant.holder).lower())


def set_access(notebook: Notebook, visibility: str, users: dict, groups: dict) -> None:
    """Make the notebook's visibility and grants exactly these, all at once or not at all.

    ``users`` maps people to roles and ``groups`` groups to roles; anyone holding a role who is
    not listed loses it. The owner is never touched.
    """
    current_users, current_groups = grants(notebook)
    with transaction.atomic():
        if notebook.visibility != visibility:
            set_visibility(notebook, visibility)
        for grant in current_users:
            if grant.holder not in users:
                set_user_role(notebook, grant.holder, None)
        for grant in current_groups:
            if grant.holder not in groups:
                set_group_role(notebook, grant.holder, None)
        held_users = {grant.holder: grant.role for grant in current_users}
        held_groups = {grant.holder: grant.role for grant in current_groups}
        for user, role in users.items():
            if held_users.get(user) != role:
                set_user_role(notebook, user, role)
        for group, role in groups.items():
            if held_groups.get(group) != role:
                set_group_role(notebook, group, role)


def set_visibility(notebook: Notebook, visibility: str, previous: str | None = None) -> None:
    """Open the notebook to everyone signed in (to view or to comment), or close it.

    ``previous``: the visibility before, when a form has already written the new one into
    ``notebook``.
    """
    previous = previous or notebook.visibility
    notebook.visibility = visibility
    notebook.save(update_fields=["visibility", "updated_at"])
    if previous != visibility:
        audit.record(
            Action.ACCESS_CHANGED,
            obj=notebook,
            details={"visibility": visibility, "previous": previous},
        )
