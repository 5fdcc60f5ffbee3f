"""The API tokens settings page: create a token (shown once), list them, revoke one.

The new token crosses the redirect in a short-lived signed, HTTP-only cookie scoped to this
page, and is deleted as soon as the page has shown it: the server never stores it, not even
in the session.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sharing import permissions, tokens
from sharing.forms import ApiTokenForm

NEW_TOKEN_COOKIE = "new_api_token"  # noqa: S105 (a cookie name, not a secret)
NEW_TOKEN_MAX_AGE = 300  # seconds to follow the redirect


def _salt(request) -> str:
    return f"sharing.api-token.{request.user.pk}"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens_page(request):
    form = ApiTokenForm(request.POST or None, initial={"expires": _default_expiry()})
    if request.method == "POST":
        if form.is_valid():
            new = tokens.create_token(
                request.user, form.cleaned_data["name"], form.cleaned_data["expires"]
            )
            messages.success(request, f"Created the token “{new.token.name}”.")
            response = redirect("sharing:api-tokens")
            response.set_signed_cookie(
                NEW_TOKEN_COOKIE,
                new.raw,
                salt=_salt(request),
                max_age=NEW_TOKEN_MAX_AGE,
                path=reverse("sharing:api-tokens"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
        return _page(request, form, status=400)
    return _page(request, form)


def _page(request, form, status: int = 200):
    new_token = request.get_signed_cookie(
        NEW_TOKEN_COOKIE, default=None, salt=_salt(request), max_age=NEW_TOKEN_MAX_AGE
    )
    context = {
        "form": form,
        "rows": [(token, tokens.status(token)) for token in tokens.tokens_of(request.user)],
        "new_token": new_token,
        "new_prefix": new_token.split("_")[1] if new_token else None,
        "api_docs_url": reverse("api-1:openapi-view"),
        "api_notebooks_url": request.build_absolute_uri(reverse("api-1:notebook-list")),
    }
    response = render(request, "sharing/tokens.html", context, status=status)
    if NEW_TOKEN_COOKIE in request.COOKIES:
        response.delete_cookie(NEW_TOKEN_COOKIE, path=reverse("sharing:api-tokens"))
    return response


def _default_expiry() -> str:
    days = str(tokens.default_expiry_days() or "never")
    return days if days in dict(ApiTokenForm.EXPIRY_CHOICES) else "90"


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, token_id: int):
    token = permissions.get_api_token_or_404(request, token_id)
    if request.method == "POST":
        tokens.revoke(token)
        messages.success(request, f"Revoked the token “{token.name}”: it no longer works.")
        return redirect("sharing:api-tokens")
    return render(request, "sharing/token_confirm_revoke.html", {"token": token})
