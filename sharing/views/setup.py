"""The one-time setup page that creates the first administrator (sharing.accounts.setup)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sharing.accounts import setup
from sharing.accounts.forms import SetupForm
from sharing.ratelimit import limit, too_many_requests


@never_cache
@require_http_methods(["GET", "POST"])
def setup_page(request, token: str):
    if request.method == "POST":
        # Guessing a 256-bit token is hopeless, but each try still costs a database write.
        wait = limit(request, "signup")
        if wait is not None:
            return too_many_requests(request, wait)
    if not setup.token_usable(token) or not setup.needs_setup():
        return render(request, "registration/setup_gone.html", status=410)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = setup.create_administrator(
            token,
            form.cleaned_data["username"],
            form.cleaned_data["email"],
            form.cleaned_data["password1"],
        )
        if user is None:
            return render(request, "registration/setup_gone.html", status=410)
        login(request, user, backend="sharing.accounts.sessions.SessionPersonBackend")
        messages.success(request, f"Welcome, {user.username}: you administer this site.")
        return redirect("sharing:dashboard")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/setup.html", {"form": form}, status=status)
