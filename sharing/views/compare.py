"""The comparison of two versions of a notebook: /n/<id>/compare/<a>...<b>/ (see docs/diff.md).

Both versions must be visible to the reader (else 404, as for any version). The diff itself
comes from ``sharing.diff.jobs``: cached, computed here for small pairs and by the worker for
big ones, while this page shows progress. Comment threads of the newer side ("to") are shown
on its cells, and can be started there when it is the latest version.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from sharing import permissions
from sharing.comments.data import version_threads
from sharing.diff.jobs import diff_status, request_diff
from sharing.diff.pairs import SPEC_HELP, BadComparison, check_pair, compare_url, parse_spec
from sharing.models import Notebook, VersionDiff
from sharing.views.comments import threads_json

LAYOUTS = ("split", "unified")
OUTPUTS = ("all", "changed", "none")


def _bad(request, notebook: Notebook, message: str):
    context = {"notebook": notebook, "message": message, **_picker(request, notebook)}
    return render(request, "sharing/compare_error.html", context, status=400)


def _picker(request, notebook: Notebook, old=None, new=None) -> dict:
    access = permissions.access_for(request)
    versions = list(access.visible_versions(notebook, notebook.versions.only("number")))
    numbers = [v.number for v in versions]
    return {
        "picker_numbers": numbers,
        "picker_from": old.number if old else (numbers[1] if len(numbers) > 1 else None),
        "picker_to": new.number if new else (numbers[0] if numbers else None),
    }


@permissions.login_or_share_link_required
@require_GET
def pick(request, pk: int):
    """The version list's form (?from=&to=) sent on to the comparison's address."""
    notebook = permissions.get_notebook_or_404(request, pk)
    raw_old, raw_new = request.GET.get("from", ""), request.GET.get("to", "")
    try:
        if not all(raw.isascii() and raw.isdigit() for raw in (raw_old, raw_new)):
            raise BadComparison(f"Choose two versions to compare. {SPEC_HELP}")
        if len(raw_old) > 9 or len(raw_new) > 9:
            raise Http404("No such version.")
        check_pair(int(raw_old), int(raw_new))
    except BadComparison as problem:
        return _bad(request, notebook, str(problem))
    return redirect(compare_url(notebook.pk, int(raw_old), int(raw_new)))


def _versions(request, pk: int, spec: str):
    notebook = permissions.get_notebook_or_404(request, pk)
    try:
        numbers = parse_spec(spec)
    except BadComparison as problem:
        return notebook, None, str(problem)
    old, new = permissions.get_versions_or_404(request, pk, *numbers)
    return notebook, (old, new), ""


def _view_options(request) -> dict:
    layout = request.GET.get("layout")
    outputs = request.GET.get("outputs")
    return {
        "layout": layout if layout in LAYOUTS else "split",
        "outputs": outputs if outputs in OUTPUTS else "all",
        "show_meta": request.GET.get("meta") == "1",
        "md_rendered": request.GET.get("markdown") == "rendered",
    }


@permissions.login_or_share_link_required
@require_GET
def compare(request, pk: int, spec: str):
    notebook, pair, problem = _versions(request, pk, spec)
    if pair is None:
        return _bad(request, notebook, problem)
    old, new = pair
    job = request_diff(old, new)
    access = permissions.access_for(request)
    summary = job.data["summary"] if job.status == VersionDiff.Status.READY else None
    context = {
        "notebook": notebook,
        "old": old,
        "new": new,
        "version": new,  # the comment panel shows the newer side's threads
        "reversed": old.number > new.number,
        "swap_url": compare_url(notebook.pk, new.number, old.number),
        "status_url": reverse("sharing:notebook-compare-status", args=[pk, spec]),
        "job": job,
        "summary": summary,
        "options": _view_options(request),
        "role": access.role(notebook),
        **_picker(request, notebook, old, new),
    }
    comments = version_threads(new, access, with_choices=True)
    context["comments"] = comments
    context["comments_json"] = threads_json(comments)
    return render(request, "sharing/compare.html", context)


@permissions.login_or_share_link_required
@require_GET
def status(request, pk: int, spec: str):
    """How far the comparison got, for the page's progress bar."""
    _notebook, pair, problem = _versions(request, pk, spec)
    if pair is None:
        return JsonResponse({"detail": problem, "code": "bad_comparison"}, status=400)
    job = diff_status(*pair)
    return JsonResponse(
        {"status": job.status, "finished": job.is_finished, "progress": job.progress}
    )
