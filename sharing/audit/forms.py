"""The audit page's filters: who, which notebook, what, and when."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from sharing.audit.models import Action, Outcome
from sharing.models import Notebook


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        required=False,
        max_length=150,
        label="Actor",
        help_text="Username, API token prefix or share link number.",
    )
    notebook = forms.CharField(
        required=False, max_length=200, label="Notebook", help_text="Number or words of the title."
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *Action.choices], label="Action"
    )
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *Outcome.choices], label="Outcome"
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise ValidationError("“From” must be on or before “To”.", code="date_order")
        return data

    def filter(self, events: QuerySet) -> QuerySet:
        """``events`` narrowed to the valid choices (call after ``is_valid``)."""
        data = self.cleaned_data
        if actor := data.get("actor", "").strip():
            events = events.filter(Q(actor_name__iexact=actor) | Q(actor_ref=actor))
        if notebook := data.get("notebook", "").strip():
            if notebook.isdigit():
                events = events.filter(notebook_id=int(notebook))
            else:
                # Notebooks titled so now, and events that named a notebook so at the time.
                current = Notebook.objects.filter(title__icontains=notebook).values("pk")
                events = events.filter(
                    Q(notebook_id__in=current)
                    | Q(object_type="notebook", object_title__icontains=notebook)
                )
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("outcome"):
            events = events.filter(outcome=data["outcome"])
        if data.get("since"):
            events = events.filter(at__gte=_start_of(data["since"]))
        if data.get("until"):
            events = events.filter(at__lt=_start_of(data["until"] + timedelta(days=1)))
        return events


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
