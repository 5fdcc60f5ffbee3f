"""The notification settings form: one box per kind of notice and channel."""

from __future__ import annotations

from django import forms

from sharing.notifications.models import Channel, Kind, NotificationPreference


class NotificationChoicesForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            for channel, channel_label in Channel.choices:
                self.fields[NotificationPreference.field_name(kind, channel)] = forms.BooleanField(
                    required=False, label=f"{label}: {channel_label.lower()}"
                )

    def rows(self) -> list[tuple[str, list]]:
        """(kind label, [bound field per channel]) for the settings table."""
        return [
            (label, [self[NotificationPreference.field_name(kind, c)] for c, _ in Channel.choices])
            for kind, label in Kind.choices
        ]
