"""Dashboard, upload, notebook and version pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET, require_http_methods

from sharing import permissions, roles
from sharing.audit import record as audit
from sharing.audit.models import Action
from sharing.comments.data import version_threads, with_cell_choices
from sharing.diff.pairs import compare_url
from sharing.forms import RenameForm, UploadForm, VersionUploadForm
from sharing.models import Notebook, Rendering
from sharing.notebooks import (
    create_notebook,
    delete_notebook,
    download_response,
    publish_version,
)
from sharing.notifications import activity, following, send
from sharing.notifications.inbox import site_address, unread_count_expression
from sharing.pages import bodies, compress, conditional, fragments, memo
from sharing.pages.fragments import FRAGMENT_MARK
from sharing.ratelimit import rate_limit
from sharing.rendering.jobs import rendering_status, request_rendering
from sharing.uploads import raw_upload_name
from sharing.views.comments import threads_json
from sharing.views.sandbox import allow_chart_frames, notebook_page_parts

DASHBOARD_TABS = {
    "mine": "My notebooks",
    "shared": "Shared with me",
    "everyone": "Open to everyone",
}


@login_required
@require_GET
def dashboard(request):
    tab = request.GET.get("tab", "mine")
    if tab not in DASHBOARD_TABS:
        tab = "mine"
    notebooks = {
        "mine": Notebook.objects.owned_by(request.user),
        "shared": Notebook.objects.shared_with(request.user),
        "everyone": Notebook.objects.exclude(visibility=Notebook.Visibility.PRIVATE).exclude(
            owner=request.user
        ),
    }[tab]
    page = Paginator(notebooks, settings.NOTEBOOKS_PER_PAGE).get_page(request.GET.get("page"))
    # The page's rows, with their latest versions and the person's grants, in one query: the
    # grants are read for the rows of this page only, whatever the length of the list.
    shown = Notebook.objects.filter(pk__in=page.object_list.values("pk")).with_latest()
    on_page = list(permissions.with_granted(shown, request.user))
    access = permissions.access_for(request)
    for notebook in on_page:
        access.take_granted(notebook)
    rows = [(notebook, access.role(notebook)) for notebook in on_page]
    # The first page opens on what matters to the person: news, shares, links they used.
    shown_activity = activity.for_dashboard(request.user) if _opening(request, tab) else None
    context = {
        "page": page,
        "rows": rows,
        "tab": tab,
        "tabs": DASHBOARD_TABS,
        "tab_label": DASHBOARD_TABS[tab],
        "activity": shown_activity,
    }
    if not conditional.one_time_messages(request):  # made of the database (and the clock)
        ends = shown_activity.ends_at if shown_activity is not None else None
        memo.offer_body(request, until=ends)
    return conditional.mark(render(request, "sharing/dashboard.html", context), None)


def _opening(request, tab: str) -> bool:
    return tab == "mine" and request.GET.get("page") in (None, "", "1")


@login_required
@rate_limit("upload", methods=("POST",))
@require_http_methods(["GET", "POST"])
def upload(request):
    if request.method == "POST" and len(request.FILES.getlist("file")) > 1:
        return _upload_many(request)
    form = UploadForm(*_bound(request), request=request)
    if request.method == "POST":
        if form.is_valid():
            notebook = create_notebook(request.user, form.upload, form.cleaned_data["title"])
            url = notebook.get_absolute_url()
            return _uploaded(request, url, f"Uploaded “{notebook}”.", title=str(notebook))
        return _invalid_upload(request, form, "sharing/upload.html", {})
    return render(request, "sharing/upload.html", {"form": form})


def _upload_many(request):
    """Several files at once (the form without JavaScript): each becomes its own notebook, or
    gets its own error; the title field applies to single files only."""
    results = []
    for uploaded in request.FILES.getlist("file"):
        form = UploadForm({}, MultiValueDict({"file": [uploaded]}), request=request)
        name = raw_upload_name(request, uploaded.name)
        if form.is_valid():
            notebook = create_notebook(request.user, form.upload)
            url = notebook.get_absolute_url()
            results.append({"name": name, "url": url, "title": str(notebook)})
        else:
            results.append({"name": name, "errors": list(form.errors.get("file", []))})
    failed = sum(1 for result in results if "errors" in result)
    if _wants_json(request):
        status = 201 if not failed else (400 if failed == len(results) else 200)
        return JsonResponse({"results": results}, status=status)
    if not failed:
        messages.success(request, f"Uploaded {len(results)} notebooks.")
        return redirect("sharing:dashboard")
    context = {"form": UploadForm(request=request), "results": results}
    return render(request, "sharing/upload.html", context, status=400)


@login_required
@rate_limit("upload", methods=("POST",))
@require_http_methods(["GET", "POST"])
def upload_version(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    form = VersionUploadForm(*_bound(request), request=request)
    context = {"form": form, "notebook": notebook}
    if request.method == "POST":
        if form.is_valid():
            version, created = publish_version(
                notebook, request.user, form.upload, note=form.cleaned_data["note"]
            )
            if not created:
                return _uploaded(
                    request,
                    version.get_absolute_url(),
                    f"Identical to version {version.number}: no new version was made.",
                    created=False,
                )
            send.version_published(version, request.user, site_address(request))
            return _uploaded(
                request, notebook.get_absolute_url(), f"Uploaded version {version.number}."
            )
        return _invalid_upload(request, form, "sharing/upload_version.html", context)
    return render(request, "sharing/upload_version.html", context)


def _bound(request) -> tuple:
    """Form data for a POST even when it is empty (a refused upload leaves no fields)."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _uploaded(request, url: str, message: str, created: bool = True, title: str = ""):
    if request.POST.get("batch") != "1":  # one of several files: the page lists them itself
        (messages.success if created else messages.info)(request, message)
    if _wants_json(request):
        body = {"url": url, "created": created, "message": message, "title": title}
        return JsonResponse(body, status=201 if created else 200)
    return redirect(url)


def _invalid_upload(request, form, template: str, context: dict):
    codes = {error.code for error in form.errors.as_data().get("file", [])}
    status = 413 if "too_large" in codes else 400
    if _wants_json(request):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=status)
    return render(request, template, {**context, "form": form}, status=status)


@permissions.login_or_share_link_required
@require_GET
def notebook_detail(request, pk: int):
    version = permissions.get_shown_version_or_404(
        request, pk, columns=fragments.rendering_columns(), personal=_personal_columns(request)
    )
    pinned = permissions.access_for(request).pinned_version(version.notebook)
    if pinned is not None:  # a share link for one version only
        return redirect(pinned)
    return _version_page(request, version.notebook, version)


@permissions.login_or_share_link_required
@require_GET
def version_detail(request, pk: int, number: int):
    version = permissions.get_shown_version_or_404(
        request,
        pk,
        number,
        columns=fragments.rendering_columns(),
        personal=_personal_columns(request),
    )
    return _version_page(request, version.notebook, version)


def _personal_columns(request) -> permissions.PersonalColumns:
    """The person's own parts of the page, read with the version: whether they follow the
    notebook, and the header's unread count."""
    superuser = request.user.is_superuser

    def columns(user_pk) -> dict:
        return {
            "page_following": following.following_flag(user_pk),
            "page_unread": unread_count_expression(user_pk, superuser),
        }

    return (("personal", superuser), columns)


class _FragmentSlot:
    """Stands for a ready rendering in the template: the HTML goes in after rendering."""

    status = Rendering.Status.READY
    error = ""
    html = FRAGMENT_MARK


def _version_page(request, notebook: Notebook, version):
    """The notebook page in four queries (the session with its person; the version with the
    notebook, the person's grants, their Follow state and unread count and its rendering's
    key; the comment threads; the audit insert); a 304 after the same checks when the person
    already holds this exact page, and the bytes sent before when this process kept them."""
    version.notebook = notebook  # already loaded: the comment data reads it
    access = permissions.access_for(request)
    comments = version_threads(version, access, with_choices=False)
    # The person's own parts of the page: the Follow button and the header's unread count.
    follows = bool(getattr(version, "page_following", False))
    unread = getattr(version, "page_unread", 0) or 0
    etag = conditional.page_etag(
        request,
        "notebook-page",
        (follows, unread),
        sorted(access.perms(notebook)),
        access.role(notebook),
        access.allowed_versions(notebook),
        (notebook.pk, notebook.title, notebook.visibility, notebook.owner.get_username()),
        (notebook.latest_version_id, notebook.updated_at),
        (version.pk, version.uploaded_by.get_username() if version.uploaded_by else None),
        (version.rendering_id, version.rendering_status, version.rendering_updated),
        comments,
    )
    # Every view is recorded, a revalidated one (304) too: one insert, after the response.
    link = access.lending_link(notebook)
    viewed = audit.record(Action.NOTEBOOK_VIEWED, obj=notebook, version=version.number, link=link)
    if link is None and not access.holds_links():  # made of the database alone: may be kept
        memo.offer(request, etag, viewed)
    if (unchanged := conditional.not_modified(request, etag)) is not None:
        return unchanged
    # The same page sent before to this person (same ETag): its bytes, not a new render.
    if (kept := bodies.find(request, etag, compress.accepts_gzip(request))) is not None:
        response = bodies.response(kept)
        response = allow_chart_frames(request, response, {"has_charts": kept.has_charts})
        return conditional.mark(response, etag)
    fragment = fragments.ready_fragment(version)  # by key; kept once fetched
    if fragment is None:  # a rendering still to come is a page that will change
        memo.withdraw(request)
        rendering = request_rendering(version, inline_allowed=False)
    else:
        rendering = _FragmentSlot()
    versions = fragments.version_list(notebook)
    # The latest version's number for the "see the latest" note, without another query.
    latest = [v for v in versions if v.pk == notebook.latest_version_id]
    if latest:
        notebook.latest_version = latest[0]
    allowed = access.allowed_versions(notebook)
    if allowed is not None:
        versions = [v for v in versions if v.pk in allowed]
    earlier = [v.number for v in versions if v.number < version.number]
    context = {
        "notebook": notebook,
        "version": version,
        "is_latest": version.pk == notebook.latest_version_id,
        "versions": versions,
        # Comparing: the version before this one, and the form to pick any two.
        "previous_number": max(earlier, default=None),
        "changes_url": compare_url(notebook.pk, max(earlier), version.number) if earlier else "",
        "picker_numbers": [v.number for v in versions],
        "picker_from": max(earlier, default=None),
        "picker_to": version.number,
        "pinned_only": allowed is not None,
        "rendering": rendering,
        **_notebook_parts(request, rendering, fragment),
        "can_edit": access.can(roles.EDIT, notebook),
        "can_manage": access.can(roles.MANAGE, notebook),
        "can_delete": access.can(roles.DELETE, notebook),
        "role": access.role(notebook),
        "following": follows,
        "unread_notices": unread,
    }
    # One set of thread objects: the plain markup (JavaScript off) is drawn from them, and the
    # page script starts from the same data as JSON instead of fetching it again.
    comments = with_cell_choices(comments, version)
    context["comments"] = comments
    context["comments_json"] = threads_json(comments)
    html = render_to_string("sharing/notebook_detail.html", context, request)
    response = allow_chart_frames(request, _page_response(request, html, fragment), context)
    if fragment is not None:  # a rendering still to come is a page that will change
        bodies.keep(request, etag, response, fragment.has_charts)
    return conditional.mark(response, etag)


def _notebook_parts(request, rendering, fragment) -> dict:
    """The notebook HTML and its charts: a ready fragment goes in after the page is rendered
    (its chart data with it, so the author's content is never compressed with the page)."""
    if fragment is None:
        return notebook_page_parts(request, rendering)
    return {"notebook_html": FRAGMENT_MARK, "chart_data": "", "has_charts": fragment.has_charts}


def _page_response(request, html: str, fragment) -> HttpResponse:
    """The page, with the fragment put in place; gzip-compressed around the fragment's own
    precompressed stream when the client accepts it."""
    if fragment is None:
        return HttpResponse(html)
    prefix, _, suffix = html.partition(FRAGMENT_MARK)
    if not compress.accepts_gzip(request):
        return HttpResponse(b"".join((prefix.encode(), fragment.encoded, suffix.encode())))
    return compress.mark_gzipped(
        HttpResponse(compress.gzip_around(prefix.encode(), fragment, suffix.encode()))
    )


@permissions.login_or_share_link_required
@require_GET
def render_status(request, pk: int, number: int):
    version = permissions.get_version_or_404(request, pk, number)
    status = rendering_status(version)
    finished = status in (Rendering.Status.READY, Rendering.Status.FAILED)
    return JsonResponse({"status": status, "finished": finished})


@permissions.login_or_share_link_required
@require_GET
def download(request, pk: int, number: int):
    version = permissions.get_shown_version_or_404(request, pk, number)
    audit.record(
        Action.NOTEBOOK_DOWNLOADED,
        obj=version.notebook,
        version=version.number,
        link=permissions.access_for(request).lending_link(version.notebook),
    )
    return download_response(version)


@login_required
@require_http_methods(["GET", "POST"])
def rename(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    form = RenameForm(request.POST or None, instance=notebook)
    if request.method == "POST":
        if form.is_valid():
            before = form.initial["title"]
            form.save()
            if before != notebook.title:
                details = {"from": before, "to": notebook.title}
                audit.record(Action.NOTEBOOK_RENAMED, obj=notebook, details=details)
            messages.success(request, "Notebook renamed.")
            return redirect(notebook)
        return render(
            request, "sharing/rename.html", {"form": form, "notebook": notebook}, status=400
        )
    return render(request, "sharing/rename.html", {"form": form, "notebook": notebook})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.DELETE)
    if request.method == "POST":
        title = notebook.title
        delete_notebook(notebook)
        messages.success(request, f"Deleted “{title}” and all its versions.")
        return redirect("sharing:dashboard")
    return render(request, "sharing/notebook_confirm_delete.html", {"notebook": notebook})
