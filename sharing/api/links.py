"""/api/v1/notebooks/{id}/links and /api/v1/links/{id}: list, create and revoke share links.

The rules are the "Share links" page's: whoever may edit the notebook (``roles.EDIT``)
lists, creates and revokes its links. Choices go through the page's ``ShareLinkForm`` (same
checks, same messages and codes) and every change through ``sharing.links``. The raw token
appears once, in the answer to the POST that created it, and nowhere else.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from sharing import links, permissions, roles
from sharing.api.errors import ApiError, error_responses, form_error
from sharing.api.notebooks import PageQuery, page_of
from sharing.api.schemas import LinkId, LinkIn, LinkOut, LinkPage, NewLinkOut, NotebookId
from sharing.forms import ShareLinkForm
from sharing.models import ShareLink

router = Router(tags=["share links"])

NO_SUCH_LINK = "No such link."


def link_out(link: ShareLink, schema: type[LinkOut] = LinkOut, **extra) -> LinkOut:
    return schema(
        id=link.pk,
        label=link.label,
        role=link.role,
        created_by=link.created_by.get_username() if link.created_by else None,
        created_at=link.created_at,
        expires_at=link.expires_at,
        last_used_at=link.last_used_at,
        uses=link.use_count,
        state=links.state(link),
        revoked_at=link.revoked_at,
        pinned_version=link.pinned_version.number if link.pinned_version else None,
        anonymous=link.anonymous,
        **extra,
    )


@router.get(
    "/notebooks/{notebook_id}/links",
    response={200: LinkPage, **error_responses(403, 404)},
    summary="List a notebook's share links",
    url_name="link-list",
)
def list_links(request: HttpRequest, notebook_id: NotebookId, query: Query[PageQuery]):
    """Newest first, ended links included, as on the notebook's "Share links" page.

    Editors and owners only. Tokens are never shown again after creation.
    """
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.EDIT)
    rows = links.with_creator_rights(
        notebook.share_links.select_related("created_by", "pinned_version")
    )
    count, items = page_of(rows, query)
    return {
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "results": [link_out(link) for link in items],
    }


@router.post(
    "/notebooks/{notebook_id}/links",
    response={201: NewLinkOut, **error_responses(400, 403, 404, 413)},
    summary="Create a share link",
    url_name="link-list",
)
def create_link(
    request: HttpRequest, response: HttpResponse, notebook_id: NotebookId, body: LinkIn
):
    """A link lending the viewer or commenter role to whoever opens it, until it expires.

    The answer's `url` holds the secret token: this is the only time it is shown (the server
    stores only a keyed hash). Lost it? Revoke the link and create another.
    Editors and owners only; the choices and their checks are the web form's.
    """
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.EDIT)
    form = ShareLinkForm(_form_data(body), notebook=notebook)
    if not form.is_valid():
        raise form_error(form)
    choices = form.create_kwargs()
    # The form offers "no sign-in" only where the site allows it; links.create_link says no
    # (with its own words) when asked for it anyway.
    choices["anonymous"] = choices["anonymous"] or body.anonymous
    try:
        link, token = links.create_link(notebook, request.user, **choices)
    except ValueError as refused:
        raise ApiError(400, str(refused), "not_allowed") from None
    link = links.find_by_pk(link.pk)
    url = request.build_absolute_uri(reverse("sharing:share-link-open", args=[token]))
    response["Cache-Control"] = "no-store"
    return Status(201, link_out(link, NewLinkOut, url=url))


def _form_data(body: LinkIn) -> dict:
    data = body.model_dump(exclude={"anonymous"}, exclude_none=True)
    if body.anonymous:
        data["anonymous"] = "on"
    return data


@router.delete(
    "/links/{link_id}",
    response={204: None, **error_responses(403, 404)},
    summary="Revoke a share link",
    url_name="link-detail",
)
def revoke_link(request: HttpRequest, link_id: LinkId):
    """Ends the link at once: everyone who came through it loses that access at their next
    request. Revoking a revoked link changes nothing. Editors and owners of its notebook."""
    notebook_id = ShareLink.objects.filter(pk=link_id).values_list("notebook", flat=True).first()
    if notebook_id is None:
        raise Http404(NO_SUCH_LINK)
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.EDIT)
    link = notebook.share_links.filter(pk=link_id).first()
    if link is None:
        raise Http404(NO_SUCH_LINK)
    links.revoke(link, request.user)
    return Status(204, None)
