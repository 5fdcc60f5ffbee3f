"""Groups in the app: list mine, create one, and (owners) add or remove members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sharing import groups, permissions
from sharing.accounts.lookup import find_person


@login_required
@require_GET
def my_groups(request):
    return render(request, "sharing/groups.html", {"groups": groups.for_person(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    error, name = None, ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            group = groups.create_group(name, request.user)
        except ValidationError as failure:
            error = failure.messages[0]
        else:
            messages.success(request, f"Group “{group.name}” created. Add its members below.")
            return redirect("sharing:group-detail", group.pk)
    context = {"error": error, "name": name[:200]}
    return render(request, "sharing/group_new.html", context, status=400 if error else 200)


def _detail(request, group, status: int = 200, error: str | None = None, who: str = ""):
    owner_ids = set(groups.owners(group).values_list("pk", flat=True))
    members = [(member, member.pk in owner_ids) for member in group.user_set.order_by("username")]
    context = {
        "group": group,
        "members": members,
        "owners": groups.owners(group),
        "can_manage": permissions.can_manage_group(request.user, group),
        "error": error,
        "who": who[:200],
    }
    return render(request, "sharing/group_detail.html", context, status=status)


@login_required
@require_GET
def detail(request, pk: int):
    return _detail(request, permissions.get_group_or_404(request, pk))


@login_required
@require_POST
def add_member(request, pk: int):
    group = permissions.get_group_or_404(request, pk, manage=True)
    who = request.POST.get("who", "")
    try:
        person = find_person(who)
    except ValidationError as failure:
        return _detail(request, group, status=400, error=failure.messages[0], who=who)
    if groups.add_member(group, person):
        messages.success(request, f"{person.get_username()} is now in {group.name}.")
    else:
        messages.info(request, f"{person.get_username()} was already in {group.name}.")
    return redirect("sharing:group-detail", group.pk)


@login_required
@require_POST
def remove_member(request, pk: int, user_id: int):
    group = permissions.get_group_or_404(request, pk, manage=True)
    person = get_object_or_404(get_user_model(), pk=user_id, groups=group)
    try:
        groups.remove_member(group, person)
    except ValidationError as failure:
        return _detail(request, group, status=400, error=failure.messages[0])
    messages.success(request, f"{person.get_username()} is no longer in {group.name}.")
    return redirect("sharing:group-detail", group.pk)


@login_required
@require_POST
def make_owner(request, pk: int, user_id: int):
    group = permissions.get_group_or_404(request, pk, manage=True)
    person = get_object_or_404(get_user_model(), pk=user_id, groups=group, is_active=True)
    groups.make_owner(group, person)
    messages.success(request, f"{person.get_username()} now co-owns {group.name}.")
    return redirect("sharing:group-detail", group.pk)
