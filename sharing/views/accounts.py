"""Sign-up; sign-in, sign-out and password pages come from django.contrib.auth."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sharing.forms import SignUpForm
from sharing.ratelimit import rate_limit


@require_http_methods(["GET", "POST"])
def signup(request):
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is turned off on this site.")
    if request.user.is_authenticated:
        return redirect("sharing:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            # The first account of a fresh install administers it.
            if not get_user_model().objects.exists():
                user.is_staff = user.is_superuser = True
            user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Your account is ready.")
        return redirect("sharing:dashboard")
    return render(request, "registration/signup.html", {"form": form})


# Sign-in is Django's own view with a per-client limit on attempts (sharing/ratelimit.py).
sign_in = rate_limit("login", methods=("POST",))(auth_views.LoginView.as_view())
