"""Who follows a notebook, to hear of its new versions.

By default: its owner, the people it is shared with (directly or through a group) and everyone
who commented on it. Anyone who may see it can follow it, or stop following, on its page; that
choice (a ``Follow`` row) wins over the default.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from sharing.models import (
    Comment,
    Notebook,
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
)
from sharing.notifications.models import Follow


def _default_q(notebook: Notebook) -> Q:
    """Users who follow ``notebook`` unless they said otherwise."""
    direct = NotebookUserObjectPermission.objects.filter(
        content_object=notebook, user=OuterRef("pk")
    )
    group = NotebookGroupObjectPermission.objects.filter(
        content_object=notebook, group__user=OuterRef("pk")
    )
    commented = Comment.objects.filter(thread__notebook=notebook, author=OuterRef("pk"))
    return Q(pk=notebook.owner_id) | Exists(direct) | Exists(group) | Exists(commented)


def followers(notebook: Notebook) -> QuerySet:
    """Everyone following ``notebook``, as one query (permissions are checked by the caller)."""
    choice = Follow.objects.filter(notebook=notebook, user=OuterRef("pk"))
    return get_user_model().objects.filter(
        Exists(choice.filter(following=True))
        | (_default_q(notebook) & ~Exists(choice.filter(following=False)))
    )


def following_flag(user_pk, notebook: str = "notebook_id", owner: str = "notebook__owner_id"):
    """``is_following`` for the person ``user_pk`` as a column of a query over rows naming a
    notebook (``notebook`` its id, ``owner`` its owner's id; the defaults fit versions)."""
    choice = Follow.objects.filter(notebook=OuterRef(notebook), user=user_pk)
    direct = NotebookUserObjectPermission.objects.filter(
        content_object=OuterRef(notebook), user=user_pk
    )
    group = NotebookGroupObjectPermission.objects.filter(
        content_object=OuterRef(notebook), group__user=user_pk
    )
    commented = Comment.objects.filter(thread__notebook=OuterRef(notebook), author=user_pk)
    default = Q(**{owner: user_pk}) | Exists(direct) | Exists(group) | Exists(commented)
    chosen = Exists(choice.filter(following=True))
    return ExpressionWrapper(
        chosen | (default & ~Exists(choice.filter(following=False))), output_field=BooleanField()
    )


def is_following(user, notebook: Notebook) -> bool:
    if not user.is_authenticated:
        return False
    return followers(notebook).filter(pk=user.pk).exists()


def set_following(user, notebook: Notebook, following: bool) -> None:
    Follow.objects.update_or_create(user=user, notebook=notebook, defaults={"following": following})
