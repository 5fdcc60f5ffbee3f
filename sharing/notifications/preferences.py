"""Which notices a person wants, per kind and channel (inbox, e-mail). Everything is on until
they say otherwise on the notification settings page."""

from __future__ import annotations

from django.db.models import Q

from sharing.notifications.models import Channel, Kind, NotificationPreference

KINDS = [kind for kind, _ in Kind.choices]
CHANNELS = [channel for channel, _ in Channel.choices]


def choices_of(user) -> dict[str, bool]:
    """``{"shared_inbox": True, ...}`` for every kind and channel."""
    row = NotificationPreference.objects.filter(user=user).first()
    return {
        name: getattr(row, name) if row else True
        for name in (NotificationPreference.field_name(k, c) for k in KINDS for c in CHANNELS)
    }


def set_choices(user, choices: dict[str, bool]) -> None:
    NotificationPreference.objects.update_or_create(user=user, defaults=choices)


def turned_off(kind: str, channel: str) -> Q:
    """A filter on users: those who turned this kind off on this channel."""
    field = NotificationPreference.field_name(kind, channel)
    return Q(**{f"notification_preference__{field}": False})
