"""E-mail about new comments: to people mentioned, the notebook's owner and the thread's
participants. Never to the author, to someone who can no longer see the notebook, to an
inactive account or to someone who turned comment e-mails off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string

from sharing import permissions, roles
from sharing.comments.threads import participants
from sharing.models import Comment, NotificationPreference

logger = logging.getLogger(__name__)

MENTION, OWNER, PARTICIPANT = "mention", "owner", "participant"


@dataclass(frozen=True)
class Recipient:
    user: object
    reason: str


def wants_comment_emails(user) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or preference.comment_emails


def set_comment_emails(user, enabled: bool) -> None:
    NotificationPreference.objects.update_or_create(user=user, defaults={"comment_emails": enabled})


def recipients(comment: Comment, mentioned: list[str]) -> list[Recipient]:
    """Who hears about ``comment``, each once, with the strongest reason."""
    thread = comment.thread
    notebook = thread.notebook
    reasons: dict[int, str] = {}
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.exclude(notification_preference__comment_emails=False)
    for person in users.filter(username__in=mentioned):
        reasons[person.pk] = MENTION
    reasons.setdefault(notebook.owner_id, OWNER)
    for pk in participants(thread):
        reasons.setdefault(pk, PARTICIPANT)
    reasons.pop(comment.author_id, None)
    found = users.filter(pk__in=reasons).order_by("username")
    return [
        Recipient(person, reasons[person.pk])
        for person in found
        if permissions.user_can(person, roles.VIEW, notebook)
    ]


def comment_posted(comment: Comment, mentioned: list[str], page_url: str, settings_url: str) -> int:
    """Send the e-mails about a new comment; returns how many were sent.

    ``page_url`` is the absolute address of the notebook page, ``settings_url`` that of the
    notification settings. A mail server that fails is logged, never shown to the commenter.
    """
    messages = [
        _message(comment, recipient, page_url, settings_url)
        for recipient in recipients(comment, mentioned)
    ]
    if not messages:
        return 0
    try:
        return mailers.default.send_messages(messages) or 0
    except Exception:
        logger.exception("comment e-mails could not be sent")
        return 0


def _message(
    comment: Comment, recipient: Recipient, page_url: str, settings_url: str
) -> EmailMultiAlternatives:
    thread = comment.thread
    context = {
        "comment": comment,
        "thread": thread,
        "notebook": thread.notebook,
        "recipient": recipient.user,
        "reason": recipient.reason,
        "link": f"{page_url}#cell-{thread.cell_id}",
        "settings_url": settings_url,
        "site_name": settings.SITE_NAME,
        "is_reply": comment.pk != thread.comments.values_list("pk", flat=True).first(),
    }
    subject = " ".join(render_to_string("emails/comment_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/comment_body.txt", context),
        to=[recipient.user.email],
    )
    message.attach_alternative(render_to_string("emails/comment_body.html", context), "text/html")
    return message
