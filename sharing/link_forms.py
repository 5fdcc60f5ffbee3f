"""The form that creates a share link: one clean_<field> per rule, errors with codes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from sharing.links import latest_expiry
from sharing.models import Notebook, ShareLink

# (value, label, lifetime); "date" and "never" are handled apart.
PRESETS = [
    ("1h", "1 hour", timedelta(hours=1)),
    ("1d", "1 day", timedelta(days=1)),
    ("7d", "7 days", timedelta(days=7)),
    ("30d", "30 days", timedelta(days=30)),
]
DEFAULT_EXPIRY = "7d"
ROLE_CHOICES = [
    (ShareLink.Role.VIEWER, "Viewer: can read and download"),
    (ShareLink.Role.COMMENTER, "Commenter: can also comment"),
]


class ShareLinkForm(forms.Form):
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        initial=ShareLink.Role.VIEWER,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "A link gives the viewer or commenter role."},
    )
    expires = forms.ChoiceField(
        label="Expires after",
        error_messages={"invalid_choice": "Choose one of the offered expiry times."},
    )
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="With “On a date”: the link works until the end of that day.",
        error_messages={"invalid": "Enter a date like 2030-01-31."},
    )
    label = forms.CharField(
        max_length=100,
        required=False,
        help_text="For your own list, e.g. “for the Friday review”.",
    )
    follow = forms.ChoiceField(
        label="Version",
        widget=forms.RadioSelect,
        initial="latest",
        error_messages={"invalid_choice": "Choose the latest or the current version."},
    )
    anonymous = forms.BooleanField(
        label="Anyone with the link, no sign-in",
        required=False,
        help_text="People without an account on this site can read it too.",
    )

    def __init__(self, *args, notebook: Notebook, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.notebook = notebook
        self.now = timezone.now()
        max_lifetime = timedelta(days=settings.SHARE_LINK_MAX_DAYS)
        presets = [(value, label) for value, label, life in PRESETS if life <= max_lifetime]
        choices = [*presets, ("date", "On a date…")]
        if settings.SHARE_LINKS_ALLOW_NEVER:
            choices.append(("never", "Never"))
        self.fields["expires"].choices = choices
        self.fields["expires"].initial = (
            DEFAULT_EXPIRY if DEFAULT_EXPIRY in dict(presets) else presets[-1][0]
        )
        last = timezone.localtime(latest_expiry(self.now)).date()
        self.fields["expires_on"].widget.attrs.update(
            {"min": timezone.localdate(self.now).isoformat(), "max": last.isoformat()}
        )
        version = notebook.latest_version
        self.fields["follow"].choices = [
            ("latest", "Always the latest version"),
            ("pinned", f"Only the current version ({version.number})"),
        ]
        if not settings.SHARE_LINKS_ALLOW_ANONYMOUS:
            del self.fields["anonymous"]

    def clean_expires_on(self) -> date | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        if day < timezone.localdate(self.now):
            raise ValidationError("That date has passed.", code="past")
        if day > timezone.localtime(latest_expiry(self.now)).date():
            raise ValidationError(
                f"Links on this site last at most {settings.SHARE_LINK_MAX_DAYS} days.",
                code="too_long",
            )
        return day

    def clean_label(self) -> str:
        return self.cleaned_data["label"].strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        wants_date = cleaned.get("expires") == "date" and not self.has_error("expires_on")
        if wants_date and cleaned.get("expires_on") is None:
            self.add_error(
                "expires_on", ValidationError("Choose the expiry date.", code="required")
            )
        return cleaned

    def expires_at(self) -> datetime | None:
        """When the link stops working, capped by the site's maximum lifetime."""
        choice = self.cleaned_data["expires"]
        if choice == "never":
            return None
        if choice == "date":
            next_day = self.cleaned_data["expires_on"] + timedelta(days=1)
            end = timezone.make_aware(datetime.combine(next_day, time.min))
        else:
            end = self.now + {value: life for value, _, life in PRESETS}[choice]
        return min(end, latest_expiry(self.now))

    def pinned_version(self):
        if self.cleaned_data["follow"] == "pinned":
            return self.notebook.latest_version
        return None

    def create_kwargs(self) -> dict:
        return {
            "role": self.cleaned_data["role"],
            "expires_at": self.expires_at(),
            "label": self.cleaned_data["label"],
            "pinned_version": self.pinned_version(),
            "anonymous": self.cleaned_data.get("anonymous", False),
        }
