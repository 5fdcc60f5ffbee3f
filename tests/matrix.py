"""Scaffolding shared by the permission matrices (pages, API, link holders).

Each matrix is a table: one row per endpoint or operation, one column per actor. These helpers
build the world every matrix starts from (a notebook shared with every kind of actor) and the
snapshot that proves a refused request changed nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import Group

from sharing.grants import set_group_role, set_user_role
from sharing.models import Comment, Notebook
from tests.conftest import grant_rows

GRANTED_ROLES = ("viewer", "commenter", "editor")
OWNER_NAME = "alice"
# The actors every matrix has, in its column order: no grant, each role directly and through
# a group, the owner, and a superuser who holds no grant.
EVERY_ROLE = (
    "outsider",
    *GRANTED_ROLES,
    *(f"group_{role}" for role in GRANTED_ROLES),
    "owner",
    "superuser",
)


def cases(matrix: Mapping[tuple[str, str], tuple], actors: tuple[str, ...]) -> list[tuple]:
    """(method, endpoint, actor, expected) for every cell of the table."""
    return [
        (method, endpoint, actor, expected)
        for (method, endpoint), row in matrix.items()
        for actor, expected in zip(actors, row, strict=True)
    ]


def case_ids(table: list[tuple], joiner: str = "as") -> list[str]:
    return [f"{method} {endpoint} {joiner} {actor}" for method, endpoint, actor, _ in table]


def make_people(make_user, names: Iterable[str], without: Iterable[str] = ()) -> dict:
    """An account per actor name (the owner is alice; "superuser" is made one)."""
    skip = {"owner", *without}
    people = {name: make_user(name) for name in names if name not in skip}
    people["owner"] = make_user(OWNER_NAME)
    if "superuser" in people:
        people["superuser"].is_superuser = True
        people["superuser"].save()
    return people


def share_with_every_role(notebook: Notebook, people: Mapping) -> None:
    """Grant each role to the actor of that name, and through a group to "group_<role>"."""
    for role in GRANTED_ROLES:
        set_user_role(notebook, people[role], role)
        group = Group.objects.create(name=f"team-{role}")
        group.user_set.add(people[f"group_{role}"])
        set_group_role(notebook, group, role)


def notebook_state(notebook_pk: int) -> tuple:
    """Everything about a notebook a request could change: compare before and after."""
    notebook = Notebook.objects.filter(pk=notebook_pk).first()
    if notebook is None:
        return ("deleted",)
    return (
        notebook.title,
        notebook.owner_id,
        notebook.visibility,
        notebook.versions.count(),
        *grant_rows(notebook),
        sorted(notebook.share_links.values_list("pk", "revoked_at")),
        sorted(notebook.threads.values_list("pk", "resolved_at")),
        sorted(Comment.objects.filter(thread__notebook=notebook).values_list("pk", "body")),
    )
