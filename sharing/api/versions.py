"""/api/v1/notebooks/{id}/versions: list versions, publish a new one, download the original."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status

from sharing import notebooks, permissions, roles
from sharing.api.errors import ApiError, check_rate_limit, error_responses, form_error
from sharing.api.notebooks import PageQuery, page_of
from sharing.api.schemas import (
    MAX_VERSION,
    NotebookFile,
    NotebookId,
    PublishedVersionOut,
    VersionNumber,
    VersionOut,
    VersionPage,
)
from sharing.audit import record as audit
from sharing.audit.models import Action
from sharing.forms import MAX_NOTE_LENGTH, VersionUploadForm
from sharing.notebooks import IPYNB_MIME, VersionConflict, download_response
from sharing.notifications import send
from sharing.notifications.inbox import site_address

router = Router(tags=["versions"])


@router.get(
    "/notebooks/{notebook_id}/versions",
    response={200: VersionPage, **error_responses(404)},
    summary="List a notebook's versions",
    url_name="version-list",
)
def list_versions(request: HttpRequest, notebook_id: NotebookId, query: Query[PageQuery]):
    """Newest first."""
    notebook = permissions.get_notebook_or_404(request, notebook_id)
    access = permissions.access_for(request)
    versions = access.visible_versions(notebook, notebook.versions.select_related("uploaded_by"))
    count, items = page_of(versions, query)
    for version in items:
        version.notebook = notebook
    return {
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "results": [VersionOut.of(request, version) for version in items],
    }


@router.post(
    "/notebooks/{notebook_id}/versions",
    response={
        200: PublishedVersionOut,
        201: PublishedVersionOut,
        **error_responses(400, 403, 404, 409, 413),
    },
    summary="Publish a new version",
    url_name="version-list",
)
def publish_version(
    request: HttpRequest,
    notebook_id: NotebookId,
    file: File[NotebookFile],
    # Not "int | None": the document would then allow null, which a form field cannot send.
    expected_latest: Annotated[
        int,  # noqa: RUF013
        Form(ge=0, le=MAX_VERSION, description="Refuse with 409 unless this is the latest."),
    ] = None,
    note: Annotated[
        str, Form(max_length=MAX_NOTE_LENGTH, description="What changed (optional).")
    ] = "",
):
    """Upload a `.ipynb` file (multipart field `file`) as the next version. Editors and owners.

    Send `expected_latest` (the version number you last saw) to be refused with 409 instead
    of publishing over a version someone else uploaded meanwhile, and `note` to say what
    changed. A file whose content is identical to the latest version's makes no new version:
    the answer is 200 with that version and `"created": false` (201 and `true` otherwise), so
    CI can publish on every push.
    """
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.EDIT)
    check_rate_limit(request, "upload")
    form = VersionUploadForm(request.POST, request.FILES, request=request)
    if not form.is_valid():
        raise form_error(form)
    try:
        version, created = notebooks.publish_version(
            notebook, request.user, form.upload, expected_latest, form.cleaned_data["note"]
        )
    except VersionConflict as conflict:
        raise ApiError(
            409,
            f"Version {conflict.latest} was published after version {expected_latest}: "
            "fetch the notebook and try again.",
            "conflict",
        ) from None
    version.notebook = notebook
    if created:
        send.version_published(version, request.user, site_address(request))
    body = PublishedVersionOut(**VersionOut.of(request, version).dict(), created=created)
    return Status(201 if created else 200, body)


@router.get(
    "/notebooks/{notebook_id}/versions/{number}/ipynb",
    response={200: None, **error_responses(404)},
    summary="Download a version's original file",
    url_name="version-ipynb",
    openapi_extra={
        "responses": {
            200: {
                "description": "The uploaded file, byte for byte, as an attachment.",
                # The bytes are a JSON notebook (uploads are checked to be one).
                "content": {IPYNB_MIME: {"schema": {"type": "object"}}},
            }
        }
    },
)
def download(request: HttpRequest, notebook_id: NotebookId, number: VersionNumber):
    version = permissions.get_shown_version_or_404(request, notebook_id, number)
    audit.record(Action.NOTEBOOK_DOWNLOADED, obj=version.notebook, version=version.number)
    return download_response(version)
