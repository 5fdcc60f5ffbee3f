"""Index updates that follow the models: titles and comment threads (versions are indexed by
``sharing.notebooks`` once stored, as they are rendered)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from sharing.models import Comment, Notebook
from sharing.search.indexing import index_thread, index_title


def _title_saved(sender, instance: Notebook, created: bool, update_fields=None, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata (a restore): the backup brings its own index rows
        return
    if created or update_fields is None or "title" in update_fields:
        index_title(instance)


def _comment_saved(sender, instance: Comment, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    index_thread(instance.thread_id)


def _comment_deleted(sender, instance: Comment, **kwargs) -> None:
    # After the commit: the thread itself may be going in the same deletion.
    thread_id = instance.thread_id
    transaction.on_commit(lambda: index_thread(thread_id))


def connect() -> None:
    post_save.connect(_title_saved, sender=Notebook, dispatch_uid="search-title")
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="search-comment")
    post_delete.connect(_comment_deleted, sender=Comment, dispatch_uid="search-comment-delete")
