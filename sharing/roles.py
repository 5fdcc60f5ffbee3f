"""Permission names and roles: the vocabulary of access, with no rules of its own.

A role is a set of django-guardian object permissions on a notebook. ``sharing.permissions`` decides
who holds which; ``grants.py`` changes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

VIEW = "view_notebook"
COMMENT = "comment_notebook"
EDIT = "change_notebook"  # upload versions, rename, create share links
MANAGE = "manage_notebook"  # manage access, transfer ownership
DELETE = "delete_notebook"


class Role(StrEnum):
    VIEWER = "viewer"
    COMMENTER = "commenter"
    EDITOR = "editor"
    OWNER = "owner"


VIEWER, COMMENTER, EDITOR, OWNER = Role.VIEWER, Role.COMMENTER, Role.EDITOR, Role.OWNER
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


def role_for(perms: Iterable[str]) -> Role | None:
    """The highest role whose permissions are all in ``perms``."""
    held = set(perms)
    for role in (OWNER, EDITOR, COMMENTER, VIEWER):
        if held.issuperset(ROLE_PERMISSIONS[role]):
            return role
    return None
