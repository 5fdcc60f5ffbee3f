"""Forms: one clean_<field> per rule, errors with codes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from sharing.accounts.lookup import find_person
from sharing.ingest import NotebookRejected, check_filename, check_size, format_bytes
from sharing.models import Notebook
from sharing.notebooks import Upload
from sharing.permissions import ROLE_CHOICES
from sharing.uploads import raw_upload_name, upload_was_too_large


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
        from django.conf import settings

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
            check_filename(name)
            check_size(uploaded.size)
            self.upload = Upload.from_bytes(name, uploaded.read())
        except NotebookRejected as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        return uploaded


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
