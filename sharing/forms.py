"""Forms: one clean_<field> per rule, errors with codes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from sharing.accounts.lookup import find_person
from sharing.ingest import NotebookRejected, Upload, format_bytes
from sharing.links import latest_expiry
from sharing.models import Notebook, ShareLink
from sharing.roles import ROLE_CHOICES
from sharing.uploads import raw_upload_name, upload_was_too_large

MAX_NOTE_LENGTH = 500


class NotebookFileForm(forms.Form):
    """A single .ipynb file, validated completely before anything is stored."""

    file = forms.FileField(
        label="Notebook file",
        help_text="A Jupyter notebook (.ipynb), nbformat 3 or 4.",
        error_messages={
            "required": "Choose a .ipynb file to upload.",
            "empty": "The file is empty.",
            "invalid": "No file was received: choose a .ipynb file to upload.",
        },
        required=False,
    )

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.upload: Upload | None = None
        self.fields["file"].widget.attrs.update({"accept": ".ipynb,application/x-ipynb+json"})

    def clean_file(self):
        if self.request is not None and upload_was_too_large(self.request):
            raise ValidationError(
                f"The file is too large; the limit is {format_bytes(settings.MAX_UPLOAD_BYTES)}.",
                code="too_large",
            )
        uploaded = self.cleaned_data.get("file")
        if not uploaded:
            raise ValidationError(self.fields["file"].error_messages["required"], "required")
        name = raw_upload_name(self.request, uploaded.name) if self.request else uploaded.name
        try:
            self.upload = Upload.from_file(name, uploaded)  # read from its file in chunks
        except NotebookRejected as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        return uploaded


class VersionUploadForm(NotebookFileForm):
    """A new version of a notebook, with an optional note of what changed."""

    note = forms.CharField(
        label="What changed",
        max_length=MAX_NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. Shown in the version list and when comparing versions.",
        error_messages={"max_length": "Keep the note under %(limit_value)d characters."},
    )

    def clean_note(self) -> str:
        return self.cleaned_data["note"].strip()


class UploadForm(NotebookFileForm):
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave empty to use the notebook's own title or the file name.",
    )


class RenameForm(forms.ModelForm):
    class Meta:
        model = Notebook
        fields = ["title"]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError("The title cannot be empty.", code="required")
        return title


class _PersonForm(forms.Form):
    """A form about one notebook whose ``who`` names an active account other than its owner."""

    who = forms.CharField(
        label="Person", max_length=254, help_text="Username, or a verified e-mail address."
    )
    owner_message = "The owner already has every right."

    def __init__(self, *args, notebook: Notebook, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.notebook = notebook

    def clean_who(self):
        self.cleaned_data["who_text"] = self.cleaned_data["who"].strip()
        user = find_person(self.cleaned_data["who"])
        if user.pk == self.notebook.owner_id:
            raise ValidationError(self.owner_message, code="owner")
        return user


class ShareWithPersonForm(_PersonForm):
    """Who and which role; ``confirm_user`` is the account the owner saw and confirmed."""

    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="viewer")
    confirm_user = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        confirmed, person = cleaned.get("confirm_user"), cleaned.get("who")
        if confirmed is not None and person is not None and confirmed != person.pk:
            raise ValidationError(
                "The account this name matches has changed since you confirmed: check again.",
                code="confirm_mismatch",
            )
        return cleaned

    @property
    def confirmed(self) -> bool:
        return self.cleaned_data.get("confirm_user") is not None


class ShareWithGroupForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"), empty_label="Choose a group…"
    )
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="viewer")


class VisibilityForm(forms.ModelForm):
    class Meta:
        model = Notebook
        fields = ["visibility"]
        widgets = {"visibility": forms.RadioSelect}


class TransferOwnershipForm(_PersonForm):
    owner_message = "That person already owns this notebook."
    confirm = forms.BooleanField(
        label="I understand that I will stay on as an editor and can no longer manage access.",
        error_messages={"required": "Tick the box to confirm the transfer."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].label = "New owner"


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "Never")]

    name = forms.CharField(
        max_length=100,
        help_text="What will use it, e.g. “CI of the forecasting repository”.",
        error_messages={"required": "Give the token a name."},
    )
    expires = forms.ChoiceField(label="Expires after", choices=EXPIRY_CHOICES, initial="90")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the token a name.", code="required")
        return name

    def clean_expires(self) -> int | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else int(value)


# --- share links -------------------------------------------------------------------------

# (value, label, lifetime); "date" and "never" are handled apart.
LINK_PRESETS = [
    ("1h", "1 hour", timedelta(hours=1)),
    ("1d", "1 day", timedelta(days=1)),
    ("7d", "7 days", timedelta(days=7)),
    ("30d", "30 days", timedelta(days=30)),
]
DEFAULT_LINK_EXPIRY = "7d"
LINK_EXPIRIES = (*(value for value, _, _ in LINK_PRESETS), "date", "never")
LINK_FOLLOW = ("latest", "pinned")  # always the latest version, or only the current one
LINK_ROLE_CHOICES = [
    (ShareLink.Role.VIEWER, "Viewer: can read and download"),
    (ShareLink.Role.COMMENTER, "Commenter: can also comment"),
]


class ShareLinkForm(forms.Form):
    role = forms.ChoiceField(
        choices=LINK_ROLE_CHOICES,
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
        presets = [(value, label) for value, label, life in LINK_PRESETS if life <= max_lifetime]
        choices = [*presets, ("date", "On a date…")]
        if settings.SHARE_LINKS_ALLOW_NEVER:
            choices.append(("never", "Never"))
        self.fields["expires"].choices = choices
        self.fields["expires"].initial = (
            DEFAULT_LINK_EXPIRY if DEFAULT_LINK_EXPIRY in dict(presets) else presets[-1][0]
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
            end = self.now + {value: life for value, _, life in LINK_PRESETS}[choice]
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
