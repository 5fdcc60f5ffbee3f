"""The inbox: a person's notices, newest first, and marking them read; following a notebook."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sharing import permissions
from sharing.notifications import following, inbox
from sharing.notifications.mail import target_path


@login_required
@require_GET
def inbox_page(request):
    notices = inbox.notices_for(request.user)
    page = Paginator(notices, settings.NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(notice, target_path(notice)) for notice in page.object_list]
    return render(request, "sharing/inbox.html", {"page": page, "rows": rows})


@login_required
@require_GET
def open_notice(request, notice_id: int):
    """Follow a notice to what it is about, marking it read (404 if it is not yours to see)."""
    notice = get_object_or_404(inbox.notices_for(request.user), pk=notice_id)
    inbox.mark_read(request.user, [notice.pk])
    return redirect(target_path(notice))


@login_required
@require_POST
def mark_read(request):
    ids = [int(pk) for pk in request.POST.getlist("notice") if pk.isdigit()]
    changed = inbox.mark_read(request.user, ids)
    messages.success(request, "Marked read." if changed else "Nothing to mark.")
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request):
    changed = inbox.mark_all_read(request.user)
    messages.success(request, f"Marked {changed} notice{'s' if changed != 1 else ''} read.")
    return redirect(_back(request))


def _back(request) -> str:
    page = request.POST.get("page", "")
    url = reverse("sharing:inbox")
    return f"{url}?page={page}" if page.isdigit() else url


@login_required
@require_POST
def follow(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk)
    wanted = request.POST.get("following") == "1"
    following.set_following(request.user, notebook, wanted)
    if wanted:
        messages.success(request, f"You follow “{notebook}”: you hear of its new versions.")
    else:
        messages.success(request, f"You no longer follow “{notebook}”.")
    return redirect(notebook)
