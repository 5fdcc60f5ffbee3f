"""Forms for comments and comment e-mail settings."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from sharing.cells import Cell


class CommentForm(forms.Form):
    body = forms.CharField(
        strip=True,
        widget=forms.Textarea,
        error_messages={"required": "Write a comment first."},
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").replace("\r", "\n")
        limit = settings.COMMENT_MAX_LENGTH
        if len(body) > limit:
            raise ValidationError(
                f"A comment can be at most {limit:,} characters long; this one has {len(body):,}.",
                code="too_long",
            )
        return body


class NewThreadForm(CommentForm):
    cell_id = forms.CharField(
        max_length=64, error_messages={"required": "Choose the cell to comment on."}
    )

    def __init__(self, *args, cells: Mapping[str, Cell], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cells = cells

    def clean_cell_id(self) -> Cell:
        cell = self.cells.get(self.cleaned_data["cell_id"])
        if cell is None:
            raise ValidationError(
                "That cell is not in this version of the notebook. Reload the page.",
                code="no_such_cell",
            )
        return cell
