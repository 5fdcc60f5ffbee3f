"""E-mail for notices, sent by the background worker (``manage.py db_worker``).

The worker checks again, at sending time, that the person may still see the notebook and still
wants this kind of e-mail: a notice queued before they lost access is never mailed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from sharing import permissions
from sharing.notifications.models import Channel, Kind, Notification, NotificationPreference

logger = logging.getLogger(__name__)

COMMENT_KINDS = (Kind.COMMENT, Kind.MENTION)


@task()
def send_emails(notification_ids: list[int], base_url: str) -> str:
    """Send the pending e-mails of these notices; returns a summary for the task's result."""
    notices = list(
        Notification.objects.filter(pk__in=notification_ids, email=Notification.Email.PENDING)
        .select_related("recipient", "notebook", "version", "thread", "comment")
        .order_by("pk")
    )
    messages, sent, skipped = [], [], []
    for notice in notices:
        if _still_allowed(notice):
            messages.append(message_for(notice, base_url))
            sent.append(notice.pk)
        else:
            skipped.append(notice.pk)
    Notification.objects.filter(pk__in=skipped).update(email=Notification.Email.SKIPPED)
    if not messages:
        return f"sent 0, skipped {len(skipped)}"
    try:
        mailers.default.send_messages(messages)
    except Exception:
        logger.exception("notification e-mails could not be sent")
        Notification.objects.filter(pk__in=sent).update(email=Notification.Email.FAILED)
        return f"failed {len(sent)}, skipped {len(skipped)}"
    Notification.objects.filter(pk__in=sent).update(email=Notification.Email.SENT)
    return f"sent {len(sent)}, skipped {len(skipped)}"


def _still_allowed(notice: Notification) -> bool:
    person = notice.recipient
    if not person.email:
        return False
    field = NotificationPreference.field_name(notice.kind, Channel.EMAIL)
    people = (
        get_user_model()
        .objects.filter(pk=person.pk)
        .exclude(Q(**{f"notification_preference__{field}": False}))
    )
    return permissions.people_who_may_see(notice.notebook, people).exists()


def target_path(notice: Notification) -> str:
    """Where a notice leads: the cell of its thread, the version, or the notebook."""
    if notice.thread_id:
        return f"{notice.notebook.get_absolute_url()}#cell-{notice.thread.cell_id}"
    if notice.version_id:
        return notice.version.get_absolute_url()
    return notice.notebook.get_absolute_url()


def message_for(notice: Notification, base_url: str) -> EmailMultiAlternatives:
    context = {
        "notice": notice,
        "notebook": notice.notebook,
        "recipient": notice.recipient,
        "reason": notice.detail,
        "link": base_url + target_path(notice),
        "settings_url": base_url + reverse("sharing:notification-settings"),
        "site_name": settings.SITE_NAME,
    }
    if notice.kind in COMMENT_KINDS and notice.comment is not None:
        comment = notice.comment
        thread = notice.thread
        first = thread.comments.values_list("pk", flat=True).first()
        context.update(
            comment=comment, thread=thread, is_reply=comment.pk != first, reason=_reason(notice)
        )
        prefix = "emails/comment"
    else:
        prefix = "emails/notification"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{prefix}_body.txt", context),
        to=[notice.recipient.email],
    )
    message.attach_alternative(render_to_string(f"{prefix}_body.html", context), "text/html")
    return message


def _reason(notice: Notification) -> str:
    return "mention" if notice.kind == Kind.MENTION else notice.detail
