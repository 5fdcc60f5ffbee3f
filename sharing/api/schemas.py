"""What the API sends and accepts. The OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Schema
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict

from sharing.models import Notebook, NotebookVersion

MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
NotebookId = Annotated[int, Path(ge=1, le=MAX_ID, description="The notebook's id.")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION, description="Version number, from 1.")]


class Role(StrEnum):
    viewer = "viewer"
    commenter = "commenter"
    editor = "editor"


class CallerRole(StrEnum):
    viewer = "viewer"
    commenter = "commenter"
    editor = "editor"
    owner = "owner"


class Visibility(StrEnum):
    private = Notebook.Visibility.PRIVATE.value
    org_view = Notebook.Visibility.ORG_VIEW.value
    org_comment = Notebook.Visibility.ORG_COMMENT.value


class NotebookFilter(StrEnum):
    all = "all"
    mine = "mine"
    shared = "shared"


class VersionOut(Schema):
    number: int
    filename: str
    size: int = Field(description="Size of the uploaded file in bytes.")
    sha256: str = Field(description="SHA-256 of the uploaded bytes.")
    cell_count: int
    source_nbformat: str
    uploaded_by: str | None = Field(description="Username of the uploader, if still known.")
    created_at: datetime
    html_url: str = Field(description="This version's web page.")
    ipynb_url: str = Field(description="The uploaded file, byte for byte.")

    @classmethod
    def of(cls, request: HttpRequest, version: NotebookVersion) -> VersionOut:
        ipynb = reverse(
            "api-1:version-ipynb",
            kwargs={"notebook_id": version.notebook_id, "number": version.number},
        )
        return cls(
            number=version.number,
            filename=version.filename,
            size=version.size,
            sha256=version.sha256,
            cell_count=version.cell_count,
            source_nbformat=version.source_nbformat,
            uploaded_by=version.uploaded_by.get_username() if version.uploaded_by else None,
            created_at=version.created_at,
            html_url=request.build_absolute_uri(version.get_absolute_url()),
            ipynb_url=request.build_absolute_uri(ipynb),
        )


class NotebookOut(Schema):
    id: int
    title: str
    owner: str = Field(description="The owner's username.")
    visibility: Visibility
    role: CallerRole | None = Field(description="Your role on this notebook.")
    created_at: datetime
    updated_at: datetime
    latest_version: VersionOut | None
    html_url: str = Field(description="The notebook's web page (its latest version).")

    @classmethod
    def of(cls, request: HttpRequest, notebook: Notebook, role: str | None) -> NotebookOut:
        latest = notebook.latest_version
        if latest is not None:
            latest.notebook = notebook
        return cls(
            id=notebook.pk,
            title=notebook.title,
            owner=notebook.owner.get_username(),
            visibility=Visibility(notebook.visibility),
            role=CallerRole(role) if role else None,
            created_at=notebook.created_at,
            updated_at=notebook.updated_at,
            latest_version=VersionOut.of(request, latest) if latest else None,
            html_url=request.build_absolute_uri(notebook.get_absolute_url()),
        )


class NotebookPage(Schema):
    count: int = Field(description="How many notebooks match, on all pages.")
    page: int
    page_size: int
    results: list[NotebookOut]


class VersionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[VersionOut]


class Input(BaseModel):
    """Request bodies: plain data only, no unknown fields.

    (Ninja's ``Schema`` reads attributes of any object, so a bare JSON string would pass.)
    """

    model_config = ConfigDict(extra="forbid")


class NotebookPatch(Input):
    title: str = Field(min_length=1, max_length=200)


class UserGrantOut(Schema):
    username: str
    role: Role


class GroupGrantOut(Schema):
    id: int
    name: str
    role: Role


class AccessOut(Schema):
    owner: str
    visibility: Visibility
    users: list[UserGrantOut]
    groups: list[GroupGrantOut]


class UserGrantIn(Input):
    username: str = Field(
        min_length=1, max_length=254, description="Username or e-mail address of an account."
    )
    role: Role


class GroupGrantIn(Input):
    id: int = Field(ge=1, le=MAX_ID, description="The group's id (see GET …/access).")
    role: Role


class AccessIn(Input):
    """The complete new state: people and groups left out lose their access."""

    visibility: Visibility
    users: list[UserGrantIn] = Field(default=[], max_length=1000)
    groups: list[GroupGrantIn] = Field(default=[], max_length=1000)


class TokenOut(Schema):
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None


class MeOut(Schema):
    username: str
    token: TokenOut | None = Field(description="The token this request used, if any.")


class NotebookFile(UploadedFile):
    """An uploaded .ipynb file; documented as non-empty, since empty files are refused."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler) -> dict:
        return {
            "type": "string",
            "format": "binary",
            "minLength": 1,
            "description": "A Jupyter notebook (.ipynb), nbformat 3 or 4.",
        }
