"""Share links: opening a link, the 410 pages, and what the Share page's links section needs
(creating, re-issuing and revoking are on the Share page: sharing/views/share.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.signing import BadSignature
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

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
        "share_link_max_days": settings.SHARE_LINK_MAX_DAYS,
    }


def link_activity(notebook: Notebook) -> list[ShareLinkEvent]:
    events = ShareLinkEvent.objects.filter(link__notebook=notebook)
    return list(events.select_related("actor", "link")[:EVENTS_SHOWN])


def new_link_url(request, notebook: Notebook) -> str | None:
    """The just-created (or re-issued) link's address, read once from a short-lived signed
    cookie scoped to the Share page."""
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


def remember_new_link(response, notebook: Notebook, link: ShareLink, token: str) -> None:
    """Carry a new token across the redirect to the Share page, and nowhere else."""
    response.set_signed_cookie(
        NEW_LINK_COOKIE,
        f"{link.pk}:{token}",
        salt=NEW_LINK_SALT,
        max_age=NEW_LINK_SECONDS,
        path=share_url(notebook),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def share_url(notebook: Notebook) -> str:
    return reverse("sharing:notebook-access", args=[notebook.pk])


@login_required
@require_GET
def manage(request, pk: int):
    """The former links page: its section of the Share page."""
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    return redirect(share_url(notebook) + "#links")


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
