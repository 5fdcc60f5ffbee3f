"""Share links: the management page (owners and editors), opening a link, the 410 pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.signing import BadSignature
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from sharing import links, permissions, roles
from sharing.forms import ShareLinkForm
from sharing.models import Notebook, ShareLink, ShareLinkEvent
from sharing.notifications.activity import record_link_visit
from sharing.ratelimit import rate_limit

NEW_LINK_COOKIE = "share_link_new"
NEW_LINK_SALT = "sharing.views.links.new"
NEW_LINK_SECONDS = 300
EVENTS_SHOWN = 100
GONE_MESSAGES = {
    links.State.EXPIRED: (
        "This link has expired",
        "The link you opened was valid until a date that has passed.",
    ),
    links.State.REVOKED: ("This link was revoked", "The person who shared it has turned it off."),
    links.State.ORPHANED: (
        "This link no longer works",
        "The person who created it can no longer share this notebook.",
    ),
}


def _links_url(notebook: Notebook) -> str:
    return reverse("sharing:notebook-links", args=[notebook.pk])


def share_link_context(notebook: Notebook, form: ShareLinkForm | None = None) -> dict:
    """What the share-links section needs: the notebook's links with their state, a form."""
    rows = links.with_creator_rights(
        notebook.share_links.select_related("created_by", "revoked_by", "pinned_version")
    )
    rows = list(rows)
    for link in rows:
        link.state = links.state(link)
        link.state_label = links.STATE_LABELS[link.state]
    return {
        "share_links": rows,
        "link_form": form or ShareLinkForm(notebook=notebook),
        "links_url": _links_url(notebook),
        "share_link_max_days": settings.SHARE_LINK_MAX_DAYS,
    }


def _page(request, notebook: Notebook, form: ShareLinkForm | None = None, status: int = 200):
    events = ShareLinkEvent.objects.filter(link__notebook=notebook)
    events = events.select_related("actor", "link")[:EVENTS_SHOWN]
    context = {
        "notebook": notebook,
        "events": events,
        "new_link_url": _new_link_url(request, notebook),
        **share_link_context(notebook, form),
    }
    response = render(request, "sharing/link_manage.html", context, status=status)
    if context["new_link_url"]:
        response.delete_cookie(NEW_LINK_COOKIE, path=_links_url(notebook))
    response["Cache-Control"] = "no-store"
    return response


def _new_link_url(request, notebook: Notebook) -> str | None:
    """The just-created link's address, read once from a short-lived signed cookie."""
    try:
        value = request.get_signed_cookie(
            NEW_LINK_COOKIE, salt=NEW_LINK_SALT, max_age=NEW_LINK_SECONDS
        )
    except (KeyError, BadSignature):
        return None
    link_id, _, token = value.partition(":")
    link = notebook.share_links.filter(pk=int(link_id) if link_id.isdigit() else 0).first()
    if link is None or not links.matches(link, token):
        return None
    return request.build_absolute_uri(reverse("sharing:share-link-open", args=[token]))


@login_required
@require_GET
def manage(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    return _page(request, notebook)


@login_required
@require_POST
def create(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    form = ShareLinkForm(request.POST, notebook=notebook)
    if not form.is_valid():
        return _page(request, notebook, form, status=400)
    link, token = links.create_link(notebook, request.user, **form.create_kwargs())
    messages.success(request, "Link created.")
    response = redirect(_links_url(notebook))
    response.set_signed_cookie(
        NEW_LINK_COOKIE,
        f"{link.pk}:{token}",
        salt=NEW_LINK_SALT,
        max_age=NEW_LINK_SECONDS,
        path=_links_url(notebook),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


@login_required
@require_POST
def revoke(request, pk: int, link_id: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    link = get_object_or_404(ShareLink, pk=link_id, notebook=notebook)
    if links.revoke(link, request.user):
        messages.success(request, f"Revoked “{link}”. Nobody can use it any more.")
    else:
        messages.info(request, f"“{link}” was already revoked.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = _links_url(notebook)
    return redirect(back)


@rate_limit("links")
@require_GET
def open_link(request, token: str):
    """Open a share link: remember it in the session, then leave the token's address."""
    link = links.find(token)
    if link is None:
        raise Http404("No such link.")
    link_state = links.state(link)
    if link_state is not links.State.ACTIVE:
        links.record_refusal(link, link_state, request.user, "opened the link")
        return gone(request, link_state)
    if not links.counts_for(link, request.user):
        return redirect_to_login(request.get_full_path())
    links.use(request, link)
    record_link_visit(request.user, link)
    return redirect(links.landing_url(link))


def gone(request, link_state: links.State):
    heading, text = GONE_MESSAGES[link_state]
    context = {"heading": heading, "text": text, "state": str(link_state)}
    return render(request, "sharing/link_gone.html", context, status=410)
