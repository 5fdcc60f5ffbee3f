"""The search results page (the header box on every page submits here)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from sharing import permissions
from sharing.search.forms import SearchForm
from sharing.search.service import describe, search


@permissions.login_or_share_link_required
@require_GET
def search_page(request):
    # A NUL byte in a query string is refused by the database: dropped before the form sees it.
    data = request.GET.copy()
    for key in data:
        data.setlist(key, [value.replace("\x00", "") for value in data.getlist(key)])
    form = SearchForm(data)
    context = {"form": form, "q": data.get("q", "")[:200], "result": None}
    if not form.is_valid():
        return render(request, "sharing/search.html", context, status=400)
    text = form.cleaned_data["q"]
    result = search(
        permissions.access_for(request), text, form.filters(), form.cleaned_data["page"] or 1
    )
    params = data.copy()
    params.pop("page", None)
    context.update(
        result=result,
        searched=describe(result),
        q=text,
        base_query=params.urlencode(),
        filtered=any(data.get(k) for k in ("owner", "which", "kind", "comments", "versions")),
    )
    return render(request, "sharing/search.html", context, status=503 if result.timed_out else 200)
