"""The sign-in pages (password and providers), and our pages for allauth's named steps."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render

from sharing.sso.forms import SignInForm
from sharing.sso.policy import providers, sign_in_csp


class SignInView(auth_views.LoginView):
    """Our sign-in page: "Sign in with <provider>" buttons, and the password form unless
    SSO_ONLY (then only on the break-glass page, for superusers)."""

    authentication_form = SignInForm
    break_glass = False

    @property
    def password_form_shown(self) -> bool:
        return self.break_glass or not settings.SSO_ONLY

    def post(self, request, *args, **kwargs):
        if not self.password_form_shown:
            return HttpResponseForbidden("Password sign-in is turned off on this site.")
        return super().post(request, *args, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["providers"]:
            response._csp_config = sign_in_csp(context["providers"])
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            providers=[] if self.break_glass else providers(),
            password_form_shown=self.password_form_shown,
            break_glass=self.break_glass,
            sso_only=settings.SSO_ONLY,
        )
        return context


def sign_in_again(request, *args, **kwargs):
    """allauth's "sign in", "sign up" and "sign-in cancelled" steps: our sign-in page."""
    return redirect("login")


def not_available(request, *args, **kwargs):
    """allauth's own pages we do not offer (its sign-up form, account connections)."""
    context = {
        "title": "Sign-in failed",
        "message": "The sign-in could not be completed. Ask an administrator.",
    }
    return render(request, "registration/sso_error.html", context, status=404)


def account_inactive(request):
    context = {
        "title": "Account deactivated",
        "message": "This account is deactivated. Ask an administrator.",
    }
    return render(request, "registration/sso_error.html", context, status=403)
