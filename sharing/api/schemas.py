"""What the API sends and accepts. The OpenAPI document is generated from these."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import StrEnum
from typing import Annotated, get_type_hints

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Schema
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict, create_model

from sharing import links
from sharing.comments.data import CommentData, ThreadData, VersionThreads
from sharing.forms import DEFAULT_LINK_EXPIRY, LINK_EXPIRIES, LINK_FOLLOW
from sharing.models import Notebook, NotebookVersion, ShareLink, ThreadAnchor
from sharing.roles import GRANTABLE_ROLES
from sharing.roles import Role as RoleName

MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
NotebookId = Annotated[int, Path(ge=1, le=MAX_ID, description="The notebook's id.")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION, description="Version number, from 1.")]


def _api_enum(name: str, values) -> type[StrEnum]:
    """An enum for the OpenAPI document whose values are the domain's (never retyped)."""
    return StrEnum(name, {str(value): str(value) for value in values})


Role = _api_enum("Role", GRANTABLE_ROLES)
CallerRole = _api_enum("CallerRole", RoleName)
Visibility = _api_enum("Visibility", Notebook.Visibility)


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
    note: str = Field(description="What changed, as the uploader noted it; empty if not.")
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
            note=version.note,
            uploaded_by=version.uploaded_by.get_username() if version.uploaded_by else None,
            created_at=version.created_at,
            html_url=request.build_absolute_uri(version.get_absolute_url()),
            ipynb_url=request.build_absolute_uri(ipynb),
        )


class PublishedVersionOut(VersionOut):
    created: bool = Field(
        description="false: the file's content is identical to the latest version's, so no "
        "version was made and this is that version (status 200; 201 when created)."
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
    def of(
        cls, request: HttpRequest, notebook: Notebook, role: str | None, latest: NotebookVersion
    ) -> NotebookOut:
        """``latest``: the newest version the caller may see."""
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
            html_url=request.build_absolute_uri(
                latest.get_absolute_url()
                if latest and latest.pk != notebook.latest_version_id
                else notebook.get_absolute_url()
            ),
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


# Share links -----------------------------------------------------------------------------

LinkId = Annotated[int, Path(ge=1, le=MAX_ID, description="The share link's id.")]


LinkRole = _api_enum("LinkRole", ShareLink.Role)
LinkState = _api_enum("LinkState", links.State)
Expiry = _api_enum("Expiry", LINK_EXPIRIES)
Follow = _api_enum("Follow", LINK_FOLLOW)


class LinkOut(Schema):
    id: int
    label: str
    role: LinkRole
    created_by: str | None = Field(description="Username of its creator, if still known.")
    created_at: datetime
    expires_at: datetime | None = Field(description="When it stops working; null: never.")
    last_used_at: datetime | None
    uses: int = Field(description="How many times its address was opened.")
    state: LinkState = Field(
        description="active; expired; revoked; orphaned: its creator may no longer share the "
        "notebook (it works again if they regain that right)."
    )
    revoked_at: datetime | None
    pinned_version: int | None = Field(
        description="The only version it shows; null: it follows the latest version."
    )
    anonymous: bool = Field(description="Opens without signing in.")


class NewLinkOut(LinkOut):
    url: str = Field(
        description="The link's address, with its secret token. Shown only in this response: "
        "the server keeps no copy."
    )


class LinkPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[LinkOut]


class LinkIn(Input):
    """The choices of the web page's "Create link" form, with the same checks and messages."""

    role: LinkRole = LinkRole(ShareLink.Role.VIEWER)
    expires: Expiry = Field(
        Expiry(DEFAULT_LINK_EXPIRY),
        description="A lifetime, `date` (then `expires_on` is required) or `never` (only "
        "where the site allows it). Lifetimes longer than the site's maximum are refused.",
    )
    # A string the form parses, so a bad date gets the form's own message.
    expires_on: str = Field(
        None,
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        json_schema_extra={"format": "date"},
        description="With `expires=date`: the link works until the end of that day.",
    )
    label: str = Field("", description="For your own list; at most 100 characters.")
    follow: Follow = Field(
        Follow(LINK_FOLLOW[0]),
        description="`latest`: always the latest version; `pinned`: only the current one.",
    )
    anonymous: bool = Field(
        False, description="Anyone with the link, no sign-in (only where the site allows it)."
    )


# Comment threads -------------------------------------------------------------------------

ThreadId = Annotated[int, Path(ge=1, le=MAX_ID, description="The thread's id.")]


AnchorState = _api_enum("AnchorState", ThreadAnchor.State)


def _schema_of(data_class: type, name: str, descriptions: dict, types: dict | None = None):
    """The API's shape of one of ``sharing.comments.data``'s objects: the same fields and types
    (never retyped here), with descriptions for the OpenAPI document and a few types narrowed
    to the API's (enums, nested schemas). ``cell_choices`` and ``cell_labels`` are for the
    page's plain markup."""
    hints = get_type_hints(data_class)
    fields = {}
    for item in dataclasses.fields(data_class):
        if item.name in ("cell_choices", "cell_labels"):
            continue
        kind = (types or {}).get(item.name, hints[item.name])
        fields[item.name] = (kind, Field(description=descriptions.get(item.name)))
    return create_model(name, __base__=Schema, **fields)


CommentOut = _schema_of(
    CommentData,
    "CommentOut",
    {
        "mine": "You wrote it and may edit it.",
        "body": "The Markdown source, for its author only.",
        "html": "The rendered, sanitised body.",
        "urls": "The web page's edit/delete endpoints you may use.",
    },
)
ThreadOut = _schema_of(
    ThreadData,
    "ThreadOut",
    {
        "cell_id": "Its cell in this version; null if removed.",
        "state": "current; outdated: the cell changed since; removed: no such cell here.",
        "excerpt": "The commented cell's source when the thread started.",
        "urls": "The web page's reply/resolve/reopen endpoints.",
    },
    {"state": AnchorState, "comments": list[CommentOut]},
)
ThreadsOut = _schema_of(
    VersionThreads,
    "ThreadsOut",
    {
        "can_comment": "You may start threads, reply, resolve and reopen.",
        "max_length": "Longest comment body accepted, in characters.",
        "threads": "Open threads first, then in cell order.",
    },
    {"threads": list[ThreadOut]},
)


class CommentIn(Input):
    body: str = Field(description="Markdown; `@username` mentions someone.")


class ThreadIn(CommentIn):
    cell_id: str = Field(description="The cell's id (`data-cell-id` on the notebook page).")
    version: int = Field(
        None,
        ge=1,
        le=MAX_VERSION,
        description="The version you read the cell from: refused with 409 unless it is still "
        "the latest. Without it, the latest version.",
    )


class PostedOut(Schema):
    thread: int
    comment: int


class ResolvedOut(Schema):
    thread: int
    resolved: bool
