"""The search page's and the API's parameters, checked once."""

from __future__ import annotations

from django import forms

from sharing.search.query import MAX_QUERY_CHARS
from sharing.search.service import MAX_PAGE, Filters

WHICH_CHOICES = [("all", "All I can read"), ("mine", "Mine"), ("shared", "Shared with me")]
KIND_CHOICES = [
    ("", "All parts"),
    ("code", "Code"),
    ("markdown", "Markdown"),
    ("outputs", "Outputs"),
]


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=False, label="Search")
    owner = forms.CharField(required=False, max_length=150, label="Owner")
    which = forms.ChoiceField(choices=WHICH_CHOICES, required=False, label="Notebooks")
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False, label="Look in")
    comments = forms.BooleanField(required=False, label="Has comments")
    versions = forms.ChoiceField(
        choices=[("latest", "Latest versions"), ("all", "Every version")],
        required=False,
        label="Versions",
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_q(self) -> str:
        text = self.cleaned_data["q"].replace("\x00", "")
        if len(text) > MAX_QUERY_CHARS:
            raise forms.ValidationError(
                "Search for at most %(limit)s characters.",
                code="too_long",
                params={"limit": f"{MAX_QUERY_CHARS:,}"},
            )
        return text

    def clean_owner(self) -> str:
        return self.cleaned_data["owner"].replace("\x00", "").strip()

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            owner=data["owner"],
            which=data["which"] or "all",
            has_comments=bool(data["comments"]),
            kind=data["kind"] or "",
            all_versions=data["versions"] == "all",
        )
