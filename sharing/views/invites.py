"""Invites page for staff: make an invite link (shown once), list invites, revoke one.

The new link crosses the redirect in a short-lived signed, HTTP-only cookie scoped to this
page, as new API tokens do: the server keeps only its hash.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sharing.accounts import invites
from sharing.accounts.forms import InviteForm
from sharing.accounts.signup import signup_enabled
from sharing.models import Invite

NEW_INVITE_COOKIE = "new_invite"
NEW_INVITE_MAX_AGE = 300


def _salt(request) -> str:
    return f"sharing.invite.{request.user.pk}"


@staff_member_required
@never_cache
@require_http_methods(["GET", "POST"])
def invites_page(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, status=400)
        new = invites.create_invite(
            request.user,
            email=form.cleaned_data["email"],
            days=form.cleaned_data["days"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Invite created: copy its link now, it is shown only once.")
        response = redirect("sharing:invites")
        response.set_signed_cookie(
            NEW_INVITE_COOKIE,
            request.build_absolute_uri(reverse("sharing:signup-invite", args=[new.raw])),
            salt=_salt(request),
            max_age=NEW_INVITE_MAX_AGE,
            path=reverse("sharing:invites"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        return response
    return _page(request, form)


def _page(request, form, status: int = 200):
    new_link = request.get_signed_cookie(
        NEW_INVITE_COOKIE, default=None, salt=_salt(request), max_age=NEW_INVITE_MAX_AGE
    )
    now = timezone.now()
    rows = [
        (invite, _status(invite, now))
        for invite in Invite.objects.select_related("created_by", "used_by")[:100]
    ]
    context = {
        "form": form,
        "rows": rows,
        "new_link": new_link,
        "signup_enabled": signup_enabled(),
    }
    response = render(request, "sharing/invites.html", context, status=status)
    if NEW_INVITE_COOKIE in request.COOKIES:
        response.delete_cookie(NEW_INVITE_COOKIE, path=reverse("sharing:invites"))
    return response


def _status(invite: Invite, now) -> str:
    if invite.used_at:
        return "used"
    if invite.revoked_at:
        return "revoked"
    return "expired" if invite.expires_at <= now else "pending"


@staff_member_required
@require_POST
def revoke(request, invite_id: int):
    invite = get_object_or_404(Invite, pk=invite_id)
    invites.revoke(invite)
    messages.success(request, "The invite is revoked: its link no longer works.")
    return redirect("sharing:invites")
