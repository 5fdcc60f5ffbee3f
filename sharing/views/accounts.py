"""Sign-up (by invite or allowed domain), e-mail verification, and the rate-limited
sign-in and password-reset pages (django.contrib.auth's own views)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sharing.accounts import invites, verification
from sharing.accounts import signup as policy
from sharing.accounts.forms import SignUpForm
from sharing.accounts.lookup import is_verified
from sharing.ratelimit import email_account, limit, login_account, rate_limit, too_many_requests
from sharing.sso.views import SignInView

SENT_SESSION_KEY = "signup_sent_to"

# Sign-in, on our page and the admin's, with one shared count (sharing/ratelimit.py).
sign_in = rate_limit("login", methods=("POST",), account=login_account)(SignInView.as_view())
break_glass_sign_in = rate_limit("login", methods=("POST",), account=login_account)(
    SignInView.as_view(break_glass=True)
)
admin_sign_in = rate_limit("login", methods=("POST",), account=login_account)(admin.site.login)
password_reset = rate_limit("password_reset", methods=("POST",), account=email_account)(
    auth_views.PasswordResetView.as_view()
)


def _link_for(request):
    return lambda token: request.build_absolute_uri(reverse("sharing:verify-email", args=[token]))


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request, token: str | None = None):
    if not policy.signup_enabled():
        raise Http404("Sign-up is turned off on this site.")
    if request.user.is_authenticated:
        return redirect("sharing:dashboard")
    invite = None
    if token is not None:
        invite = invites.find_invite(token)
        if invite is None:
            return render(request, "registration/invite_gone.html", status=410)
    elif not policy.open_signup():
        return render(request, "registration/signup_closed.html", status=403)
    form = SignUpForm(request.POST or None, invite=invite)
    if request.method == "POST":
        wait = limit(request, "signup", email_account(request)[0])
        if wait is not None:
            return too_many_requests(request, wait)
        if form.is_valid():
            with transaction.atomic():
                user = form.save(commit=False)
                user.is_active = False  # until the address is verified
                user.save()
                if invite is not None and not invites.claim(invite, user):
                    transaction.set_rollback(True)
                    user = None
            if user is None:
                return render(request, "registration/invite_gone.html", status=410)
            verification.send_verification(user, _link_for(request))
            request.session[SENT_SESSION_KEY] = user.email
            return redirect("sharing:signup-sent")
        return render(
            request, "registration/signup.html", {"form": form, "invite": invite}, status=400
        )
    return render(request, "registration/signup.html", {"form": form, "invite": invite})


@require_http_methods(["GET"])
def signup_sent(request):
    return render(
        request, "registration/signup_sent.html", {"email": request.session.get(SENT_SESSION_KEY)}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify_email(request, token: str):
    """GET asks to confirm (mail scanners follow links); POST verifies."""
    try:
        if request.method == "GET":
            verification.check(token)
            return render(request, "registration/verify_email.html", {"token": token})
        user = verification.verify(token)
    except verification.VerificationFailed as failure:
        context = {"message": failure.message, "code": failure.code}
        return render(request, "registration/verify_failed.html", context, status=400)
    messages.success(request, f"Thank you: {user.email} is verified.")
    if request.user.is_authenticated:
        return redirect("sharing:account-email")
    return redirect("login")


@login_required
@require_http_methods(["GET"])
def account_email(request):
    context = {"verified": is_verified(request.user)}
    return render(request, "registration/account_email.html", context)


@login_required
@require_POST
def send_verification(request):
    wait = limit(request, "verify")
    if wait is not None:
        return too_many_requests(request, wait)
    if not request.user.email:
        messages.error(request, "Your account has no e-mail address; ask an administrator.")
    elif is_verified(request.user):
        messages.info(request, "Your address is already verified.")
    elif verification.send_verification(request.user, _link_for(request)):
        messages.success(request, f"We sent a link to {request.user.email}.")
    else:
        messages.error(request, "The e-mail could not be sent; try again later.")
    return redirect("sharing:account-email")
