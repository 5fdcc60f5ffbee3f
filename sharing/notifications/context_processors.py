"""The unread count in the page header: one query, only when a page shows it."""

from __future__ import annotations

from functools import cache

from sharing.notifications.inbox import unread_count


def inbox(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread() -> int:
        return unread_count(user)

    return {"unread_notices": unread}
