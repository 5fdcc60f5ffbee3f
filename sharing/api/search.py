"""/api/v1/search: the results page's search, as JSON, with the same filters and rules."""

from __future__ import annotations

from enum import StrEnum

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from sharing import permissions
from sharing.api.errors import ApiError, error_responses
from sharing.search.query import MAX_QUERY_CHARS
from sharing.search.service import MAX_PAGE, Filters, describe, search

router = Router(tags=["search"])

MAX_PAGE_SIZE = 50


class Which(StrEnum):
    all = "all"
    mine = "mine"
    shared = "shared"


class Part(StrEnum):
    any = ""
    code = "code"
    markdown = "markdown"
    outputs = "outputs"


class Versions(StrEnum):
    latest = "latest"
    all = "all"


class SearchQuery(Schema):
    q: str = Field("", description='Words (all must match), "phrases", -excluded, owner:, in:.')
    owner: str = Field("", max_length=150, description="Only notebooks of this username.")
    filter: Which = Field(Which.all, description="all, mine, or shared (with you).")
    part: Part = Field(Part.any, description="Only code, markdown or outputs.")
    has_comments: bool = Field(False, description="Only notebooks with comment threads.")
    versions: Versions = Field(Versions.latest, description="latest, or every version.")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Results per page.")


class Highlight(Schema):
    start: int
    end: int


class SearchHit(Schema):
    notebook_id: int
    title: str
    owner: str
    version: int | None = Field(description="The version matched; empty for titles, comments.")
    part: str = Field(description="title, markdown, code, raw, output or comment.")
    cell_id: str = Field(description="The cell's id on the page (empty for titles).")
    excerpt: str = Field(description="Plain text around the match.")
    highlights: list[Highlight] = Field(description="Matched words as offsets in `excerpt`.")
    html_url: str = Field(description="The page, scrolled to the cell (#cell-<id>).")
    rank: float


class SearchPage(Schema):
    count: int = Field(description="How many notebooks match (among the best candidates).")
    page: int
    page_size: int
    searched: list[str] = Field(description="What was searched, in words.")
    notice: str = Field("", description="Why nothing was searched, if nothing was.")
    results: list[SearchHit]


@router.get(
    "/search",
    response={200: SearchPage, **error_responses(400, 503)},
    summary="Search the notebooks you may read",
    url_name="search",
)
def search_notebooks(request: HttpRequest, query: Query[SearchQuery]):
    """The best-matching cell of each notebook, best first. Empty or over-long queries are
    refused with 400; a query made only of common words or symbols returns no results and a
    `notice`."""
    text = query.q.replace("\x00", "")
    if not text.strip():
        raise ApiError(400, "Say what to search for with q.", "empty_query")
    if len(text) > MAX_QUERY_CHARS:
        raise ApiError(400, f"Search for at most {MAX_QUERY_CHARS:,} characters.", "too_long")
    filters = Filters(
        owner=query.owner.replace("\x00", "").strip(),
        which=query.filter.value,
        has_comments=query.has_comments,
        kind=query.part.value,
        all_versions=query.versions is Versions.all,
    )
    access = permissions.access_for(request)
    page = search(access, text, filters, query.page, query.page_size)
    if page.timed_out:
        raise ApiError(503, "The search took too long and was stopped.", "search_timeout")
    notice = ""
    if page.query.is_empty:
        notice = (
            "Only very common words: add a more specific one."
            if page.query.dropped_common
            else "No words to search for."
        )
    return {
        "count": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "searched": describe(page),
        "notice": notice,
        "results": [
            {
                "notebook_id": hit.notebook_id,
                "title": hit.title,
                "owner": hit.owner,
                "version": hit.version_number,
                "part": hit.kind,
                "cell_id": hit.cell_id,
                "excerpt": hit.excerpt.text,
                "highlights": [{"start": s, "end": e} for s, e in hit.excerpt.spans],
                "html_url": request.build_absolute_uri(hit.url),
                "rank": hit.rank,
            }
            for hit in page.results
        ],
    }
