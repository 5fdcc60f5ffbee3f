"""What the dashboard opens on: recent notices, what was shared with the person, and the
notebooks they opened through share links that still work. A few queries, however much there
is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from sharing import links
from sharing.models import Notebook, ShareLink
from sharing.notifications.inbox import notices_for
from sharing.notifications.models import LinkVisit, Notification

RECENT_NOTICES = 8
RECENT_SHARED = 6
LINKS_SHOWN = 10


@dataclass(frozen=True)
class Activity:
    notices: list[Notification]
    shared: list[Notebook]
    via_links: list[LinkVisit]

    @property
    def is_empty(self) -> bool:
        return not (self.notices or self.shared or self.via_links)

    @property
    def ends_at(self) -> datetime | None:
        """When the first listed link expires (and so leaves the list): until then the list
        changes only with the database."""
        return min((v.link.expires_at for v in self.via_links if v.link.expires_at), default=None)


def for_dashboard(user) -> Activity:
    notices = list(notices_for(user)[:RECENT_NOTICES])
    shared = list(Notebook.objects.shared_with(user).with_latest()[:RECENT_SHARED])
    working = links.usable(ShareLink.objects.all()).values("pk")
    via_links = list(
        LinkVisit.objects.filter(user=user, link__in=working).select_related(
            "link__notebook", "link__pinned_version"
        )[:LINKS_SHOWN]
    )
    return Activity(notices, shared, via_links)


def record_link_visit(user, link: ShareLink) -> None:
    """Remember that a signed-in person came through ``link`` (for "Opened through links")."""
    if user.is_authenticated:
        LinkVisit.objects.update_or_create(
            user=user, link=link, defaults={"last_opened_at": timezone.now()}
        )
