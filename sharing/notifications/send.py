"""Making notices: one row per person for the inbox, and e-mail handed to the background worker.

Every function here is called after the change it reports is made. A notice goes only to
active people who may see the notebook at that moment (``permissions.people_who_may_see``),
never to the person who acted, and only on the channels they want; the e-mail task checks the
same again when it sends (``sharing.notifications.mail``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from sharing import permissions
from sharing.comments.threads import participants
from sharing.models import (
    Comment,
    CommentThread,
    Notebook,
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
    NotebookVersion,
)
from sharing.notifications import following, mail
from sharing.notifications.models import Channel, Kind, Notification, NotificationPreference

logger = logging.getLogger(__name__)

# Why someone hears of a comment, strongest first (the comment e-mail says which).
MENTION, OWNER, PARTICIPANT = "mention", "owner", "participant"


def notify(
    notebook: Notebook,
    actor,
    recipients: dict[int, tuple[str, str]],
    base_url: str = "",
    **about,
) -> list[Notification]:
    """Notify each of ``recipients`` (user id -> (kind, reason)) about ``notebook``.

    ``about`` fills the notice's other fields (version, thread, comment, excerpt). Returns the
    notices made; their e-mails are queued for the worker, never sent here.
    """
    recipients = {pk: why for pk, why in recipients.items() if pk != getattr(actor, "pk", None)}
    if not recipients:
        return []
    people = permissions.people_who_may_see(
        notebook, get_user_model().objects.filter(pk__in=recipients)
    ).select_related("notification_preference")
    made = []
    for person in people:
        kind, reason = recipients[person.pk]
        inbox = _wants(person, kind, Channel.INBOX)
        email = bool(person.email) and _wants(person, kind, Channel.EMAIL)
        if not inbox and not email:
            continue
        made.append(
            Notification(
                recipient=person,
                kind=kind,
                notebook=notebook,
                actor=actor,
                actor_name=actor.get_username() if actor else "",
                detail=reason,
                in_inbox=inbox,
                email=Notification.Email.PENDING if email else Notification.Email.NONE,
                **about,
            )
        )
    Notification.objects.bulk_create(made)
    pending = [n.pk for n in made if n.email == Notification.Email.PENDING]
    if pending:
        mail.send_emails.enqueue(pending, settings.SITE_URL or base_url)
    return made


def _wants(person, kind: str, channel: str) -> bool:
    try:
        choice = person.notification_preference
    except NotificationPreference.DoesNotExist:
        return True
    return getattr(choice, NotificationPreference.field_name(kind, channel))


def holds_grant(notebook: Notebook, *, person=None, group: Group | None = None) -> bool:
    """Whether the person or group already holds a role of their own on ``notebook`` (a new
    grant is news; a changed role is not)."""
    if person is not None:
        rows = NotebookUserObjectPermission.objects.filter(content_object=notebook, user=person)
    else:
        rows = NotebookGroupObjectPermission.objects.filter(content_object=notebook, group=group)
    return rows.exists()


def shared_with_person(notebook: Notebook, actor, person, role: str, base_url: str = ""):
    return notify(notebook, actor, {person.pk: (Kind.SHARED, role)}, base_url)


def shared_with_group(notebook: Notebook, actor, group: Group, role: str, base_url: str = ""):
    """Every member hears of it (people who could see it already learn of their new role)."""
    members = group.user_set.values_list("pk", flat=True)
    reason = f"{role} through {group.name}"[:150]
    return notify(notebook, actor, dict.fromkeys(members, (Kind.SHARED, reason)), base_url)


def version_published(version: NotebookVersion, actor, base_url: str = ""):
    notebook = version.notebook
    people = following.followers(notebook).values_list("pk", flat=True)
    return notify(
        notebook,
        actor,
        dict.fromkeys(people, (Kind.VERSION, "")),
        base_url,
        version=version,
        excerpt=version.note[:300],
    )


def comment_posted(comment: Comment, mentioned: list[str], base_url: str = ""):
    """Mentioned people, the notebook's owner and the thread's participants, each once."""
    thread = comment.thread
    notebook = thread.notebook
    recipients: dict[int, tuple[str, str]] = {}
    users = get_user_model().objects.filter(username__in=mentioned)
    for pk in users.values_list("pk", flat=True):
        recipients[pk] = (Kind.MENTION, MENTION)
    recipients.setdefault(notebook.owner_id, (Kind.COMMENT, OWNER))
    for pk in participants(thread):
        recipients.setdefault(pk, (Kind.COMMENT, PARTICIPANT))
    return notify(
        notebook,
        comment.author,
        recipients,
        base_url,
        thread=thread,
        comment=comment,
        excerpt=comment.body[:300],
    )


def thread_resolved(thread: CommentThread, actor, base_url: str = ""):
    people = set(participants(thread)) | {thread.notebook.owner_id}
    return notify(
        thread.notebook,
        actor,
        dict.fromkeys(people, (Kind.RESOLVED, "")),
        base_url,
        thread=thread,
        excerpt=thread.excerpt,
    )
