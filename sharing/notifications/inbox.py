"""Reading the inbox: a person's notices about notebooks they may still see.

A notice about a notebook the person lost access to is hidden, not deleted: it shows again if
access comes back. Unread counts and pages are single queries.
"""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from sharing.models import Notebook
from sharing.notifications.models import Notification


def site_address(request) -> str:
    """The site's address as the request reached it, for links in e-mails (no trailing /)."""
    return request.build_absolute_uri("/").rstrip("/")


def notices_for(user) -> QuerySet:
    """The person's inbox, newest first, with what its page shows."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient=user,
        in_inbox=True,
        notebook__in=Notebook.objects.visible_to(user).values("pk"),
    ).select_related("notebook", "version", "thread")


def unread_count(user) -> int:
    return notices_for(user).filter(read_at__isnull=True).count()


def unread_count_expression(user_pk, superuser: bool = False) -> Coalesce:
    """``unread_count`` of the active, signed-in person ``user_pk`` as a column of another
    query (the notebook page reads it with the notebook)."""
    unread = Notification.objects.filter(
        recipient_id=user_pk,
        in_inbox=True,
        read_at__isnull=True,
        notebook__in=Notebook.objects.visible_to_id(user_pk, superuser).values("pk"),
    )
    counted = unread.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0, output_field=IntegerField())


def mark_read(user, notice_ids) -> int:
    """Mark these of the person's notices read; returns how many changed."""
    return Notification.objects.filter(
        recipient=user, pk__in=notice_ids, read_at__isnull=True
    ).update(read_at=timezone.now())


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
