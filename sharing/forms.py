"""Forms: one clean_<field> per rule, errors with codes."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError

from sharing.ingest import NotebookRejected, check_filename, check_size, format_bytes
from sharing.models import Notebook
from sharing.notebooks import Upload
from sharing.uploads import raw_upload_name, upload_was_too_large


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="Used for password resets and notifications.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError("An account with this e-mail address exists.", code="taken")
        return email


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
