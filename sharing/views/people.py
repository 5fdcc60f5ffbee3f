"""A person's page (where @mentions link) and their notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from sharing.models import Notebook
from sharing.notifications import preferences
from sharing.notifications.forms import NotificationChoicesForm

NOTEBOOKS_SHOWN = 50


@login_required
@require_GET
def person(request, username: str):
    someone = get_object_or_404(get_user_model(), username=username, is_active=True)
    notebooks = list(
        Notebook.objects.visible_to(request.user).owned_by(someone).with_latest()[:NOTEBOOKS_SHOWN]
    )
    return render(request, "sharing/person.html", {"person": someone, "notebooks": notebooks})


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    form = NotificationChoicesForm(
        request.POST if request.method == "POST" else None,
        initial=preferences.choices_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        preferences.set_choices(request.user, form.cleaned_data)
        messages.success(request, "Your notification choices are saved.")
        return redirect("sharing:notification-settings")
    return render(request, "sharing/notification_settings.html", {"form": form})
