"""/api/v1/notebooks: list, publish, read, rename and delete notebooks.

Every rule comes from ``sharing.permissions`` (as for the web pages) and every upload is
checked by the web's upload form, so both refuse the same things with the same words.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from pydantic import Field

from sharing import permissions, roles
from sharing.api.errors import check_rate_limit, error_responses, form_error
from sharing.api.schemas import (
    NotebookFile,
    NotebookFilter,
    NotebookId,
    NotebookOut,
    NotebookPage,
    NotebookPatch,
)
from sharing.audit import record as audit
from sharing.audit.models import Action
from sharing.forms import RenameForm, UploadForm
from sharing.models import Notebook
from sharing.notebooks import create_notebook, delete_notebook

router = Router(tags=["notebooks"])

MAX_PAGE_SIZE = 100


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


class NotebookQuery(PageQuery):
    filter: NotebookFilter = Field(
        NotebookFilter.all,
        description="all: every notebook you may see; mine: yours; shared: shared with you.",
    )


def page_of(queryset: QuerySet, query: PageQuery) -> tuple[int, list]:
    """The total count and the items of one page (past the end: none)."""
    start = (query.page - 1) * query.page_size
    return queryset.count(), list(queryset[start : start + query.page_size])


def notebook_out(request: HttpRequest, notebook: Notebook) -> NotebookOut:
    access = permissions.access_for(request)
    shown = permissions.shown_version(access, notebook)
    return NotebookOut.of(request, notebook, access.role(notebook), shown)


@router.get(
    "/notebooks",
    response={200: NotebookPage, **error_responses()},
    summary="List the notebooks you may see",
    url_name="notebook-list",
)
def list_notebooks(request: HttpRequest, query: Query[NotebookQuery]):
    """Newest first. `filter=mine` lists your own, `filter=shared` those shared with you."""
    user = request.user
    notebooks = {
        NotebookFilter.all: Notebook.objects.visible_to(user),
        NotebookFilter.mine: Notebook.objects.owned_by(user),
        NotebookFilter.shared: Notebook.objects.shared_with(user),
    }[query.filter]
    notebooks = notebooks.with_latest().select_related("latest_version__uploaded_by")
    count, items = page_of(notebooks, query)
    permissions.access_for(request).prefetch(items)
    return {
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "results": [notebook_out(request, notebook) for notebook in items],
    }


@router.post(
    "/notebooks",
    response={201: NotebookOut, **error_responses(400, 403, 413)},
    summary="Publish a notebook",
    url_name="notebook-list",
)
def publish(
    request: HttpRequest,
    file: File[NotebookFile],
    title: Form[str] = "",
):
    """Upload a `.ipynb` file (multipart field `file`) as a new notebook that you own.

    `title` is optional: without it the notebook's own title or the file name is used.
    The checks and messages are the upload page's.
    """
    check_rate_limit(request, "upload")
    form = UploadForm(request.POST, request.FILES, request=request)
    if not form.is_valid():
        raise form_error(form)
    notebook = create_notebook(request.user, form.upload, form.cleaned_data["title"])
    return Status(201, notebook_out(request, notebook))


@router.get(
    "/notebooks/{notebook_id}",
    response={200: NotebookOut, **error_responses(404)},
    summary="Read a notebook's details",
    url_name="notebook-detail",
)
def read(request: HttpRequest, notebook_id: NotebookId):
    notebook = permissions.get_notebook_or_404(request, notebook_id)
    return notebook_out(request, notebook)


@router.patch(
    "/notebooks/{notebook_id}",
    response={200: NotebookOut, **error_responses(400, 403, 404, 413)},
    summary="Rename a notebook",
    url_name="notebook-detail",
)
def rename(request: HttpRequest, notebook_id: NotebookId, body: NotebookPatch):
    """Editors and owners may rename."""
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.EDIT)
    form = RenameForm({"title": body.title}, instance=notebook)
    if not form.is_valid():
        raise form_error(form)
    before = form.initial["title"]
    form.save()
    if before != notebook.title:
        audit.record(
            Action.NOTEBOOK_RENAMED, obj=notebook, details={"from": before, "to": notebook.title}
        )
    return notebook_out(request, notebook)


@router.delete(
    "/notebooks/{notebook_id}",
    response={204: None, **error_responses(403, 404)},
    summary="Delete a notebook and all its versions",
    url_name="notebook-detail",
)
def delete(request: HttpRequest, notebook_id: NotebookId):
    """Only the owner may delete. This cannot be undone."""
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.DELETE)
    delete_notebook(notebook)
    return Status(204, None)
