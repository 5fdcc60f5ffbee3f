"""Searching: one function for the results page and the API (see docs/search.md).

The permission rules are not copied anywhere: the notebooks a person may see are the SQL of
``Notebook.objects.visible_to`` (or ``owned_by`` / ``shared_with``), plus what their share
links lend (``Access.link_scope``), placed inside the same statement as the match. Someone who
loses access stops finding the notebook at their next search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from sharing.models import CommentThread, Notebook
from sharing.permissions import Access
from sharing.search.backends import Hit, Scope, SearchTimeout, backend
from sharing.search.highlight import Excerpt, excerpt
from sharing.search.models import SearchEntry
from sharing.search.query import Query, parse

WHICH = ("all", "mine", "shared")
KIND_FILTERS = {"code": ("code",), "markdown": ("markdown",), "outputs": ("output",)}
MAX_PAGE = 50  # deeper pages than candidates allow make no sense
KIND_LABELS = dict(SearchEntry.Kind.choices)


@dataclass(frozen=True)
class Filters:
    owner: str = ""
    which: str = "all"  # all / mine / shared
    has_comments: bool = False
    kind: str = ""  # "" / code / markdown / outputs
    all_versions: bool = False


@dataclass(frozen=True)
class Result:
    notebook_id: int
    title: str
    owner: str
    version_number: int | None  # None for titles and comments
    kind: str
    cell_id: str
    cell_index: int | None
    excerpt: Excerpt
    url: str
    rank: float

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass
class SearchPage:
    query: Query
    filters: Filters
    page: int
    page_size: int
    results: list[Result] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    timed_out: bool = False

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total and self.page < MAX_PAGE

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search(access: Access, text: str, filters: Filters, page: int = 1, page_size: int = 20):
    """A page of results (the best cell of each notebook, best first).

    Raises ``QueryTooLong``; a search past its time bound returns a page with ``timed_out``.
    """
    query = parse(text)
    result = SearchPage(query, filters, page, page_size)
    kinds = _kinds(query, filters)
    if query.is_empty or kinds is None or page > MAX_PAGE:
        return result
    scope = _scope(access, filters, query.owner)
    if scope is None:
        return result
    try:
        hits = backend().search(
            query,
            scope,
            all_versions=filters.all_versions,
            kinds=kinds,
            candidates=settings.SEARCH_CANDIDATES,
            limit=page_size,
            offset=(page - 1) * page_size,
            milliseconds=settings.SEARCH_TIMEOUT_MS,
        )
    except SearchTimeout:
        result.timed_out = True
        return result
    result.total, result.capped = hits.total, hits.capped
    result.results = _results(hits.hits, query)
    return result


def _kinds(query: Query, filters: Filters) -> tuple[str, ...] | None:
    """The kinds of entry to look in ((): all); None when the filters exclude every kind."""
    chosen = KIND_FILTERS.get(filters.kind, ())
    if query.kinds and chosen:
        both = tuple(kind for kind in query.kinds if kind in chosen)
        return both or None
    return query.kinds or chosen


def _scope(access: Access, filters: Filters, owner_in_query: str | None) -> Scope | None:
    user = access.user
    if not access.active:
        notebooks = Notebook.objects.none()
    elif filters.which == "mine":
        notebooks = Notebook.objects.owned_by(user)
    elif filters.which == "shared":
        notebooks = Notebook.objects.shared_with(user)
    else:
        notebooks = Notebook.objects.visible_to(user)
    whole, pinned = access.link_scope(latest_only=not filters.all_versions)
    if filters.which != "mine" and whole:
        notebooks = notebooks | Notebook.objects.filter(pk__in=whole)
    owner = filters.owner or owner_in_query or ""
    sql_params = _ids_sql(_narrowed(notebooks, owner, filters))
    pinned_part = None
    pinned = {pk: versions for pk, versions in pinned.items() if pk not in whole}
    if pinned and filters.which != "mine":
        pinned_sql = _ids_sql(_narrowed(Notebook.objects.filter(pk__in=pinned), owner, filters))
        if pinned_sql is not None:
            versions = sorted(v for found in pinned.values() for v in found)
            pinned_part = (pinned_sql[0], pinned_sql[1], versions)
    if sql_params is None:
        if pinned_part is None:
            return None
        sql_params = ("SELECT id FROM sharing_notebook WHERE 1 = 0", ())
    return Scope(sql_params[0], sql_params[1], pinned_part)


def _narrowed(notebooks: QuerySet, owner: str, filters: Filters) -> QuerySet:
    if owner:
        notebooks = notebooks.filter(owner__username=owner)
    if filters.has_comments:
        notebooks = notebooks.filter(Exists(CommentThread.objects.filter(notebook=OuterRef("pk"))))
    return notebooks


def _ids_sql(notebooks: QuerySet) -> tuple[str, tuple] | None:
    try:
        return notebooks.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:
        return None


def _results(hits: list[Hit], query: Query) -> list[Result]:
    tokens = query.highlight_tokens
    results = []
    for hit in hits:
        if hit.version_number is not None and not hit.is_latest:
            url = reverse("sharing:version-detail", args=[hit.notebook_id, hit.version_number])
        else:
            url = reverse("sharing:notebook-detail", args=[hit.notebook_id])
        if hit.cell_id:
            url += f"#cell-{hit.cell_id}"
        results.append(
            Result(
                notebook_id=hit.notebook_id,
                title=hit.title,
                owner=hit.owner,
                version_number=hit.version_number,
                kind=hit.kind,
                cell_id=hit.cell_id,
                cell_index=hit.cell_index,
                excerpt=excerpt(hit.text, tokens),
                url=url,
                rank=hit.rank,
            )
        )
    return results


def describe(page: SearchPage) -> list[str]:
    """What was searched, in words (for the results page and its empty state)."""
    query, filters = page.query, page.filters
    said = [f"“{term}”" for term in query.terms]
    said += [f"the phrase “{' '.join(phrase)}”" for phrase in query.phrases]
    said += [f"not “{' '.join(phrase)}”" for phrase in query.excluded]
    owner = filters.owner or query.owner
    if owner:
        said.append(f"owned by {owner}")
    kinds = _kinds(query, filters)
    if kinds:
        said.append("in " + " and ".join(KIND_LABELS[k].lower() for k in kinds))
    elif kinds is None:
        said.append("in parts that exclude each other (code and outputs, say)")
    if filters.which == "mine":
        said.append("in your notebooks")
    elif filters.which == "shared":
        said.append("in notebooks shared with you")
    if filters.has_comments:
        said.append("with comments")
    said.append("in every version" if filters.all_versions else "in latest versions")
    return said
