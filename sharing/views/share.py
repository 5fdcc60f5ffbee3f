"""The Share page: people, groups, visibility and ownership of one notebook (its owner only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sharing import grants, permissions, roles
from sharing.accounts.lookup import is_verified
from sharing.forms import (
    ShareWithGroupForm,
    ShareWithPersonForm,
    TransferOwnershipForm,
    VisibilityForm,
)
from sharing.notifications import send
from sharing.notifications.inbox import site_address
from sharing.views.links import share_link_context


def _access_url(notebook) -> str:
    return reverse("sharing:notebook-access", args=[notebook.pk])


def _page(request, notebook, status: int = 200, **forms):
    users, groups = grants.grants(notebook)
    context = {
        "notebook": notebook,
        "user_grants": users,
        "group_grants": groups,
        "role_choices": roles.ROLE_CHOICES,
        "role_descriptions": roles.ROLE_DESCRIPTIONS,
        "person_form": forms.get("person_form") or ShareWithPersonForm(notebook=notebook),
        "group_form": forms.get("group_form") or ShareWithGroupForm(),
        "visibility_form": forms.get("visibility_form") or VisibilityForm(instance=notebook),
        "has_groups": Group.objects.exists(),
        "show_activity_link": True,
        **share_link_context(notebook),
    }
    return render(request, "sharing/access.html", context, status=status)


@login_required
@require_GET
def access_page(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    return _page(request, notebook)


@login_required
@require_POST
def share_with_person(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    form = ShareWithPersonForm(request.POST, notebook=notebook)
    if not form.is_valid():
        return _page(request, notebook, status=400, person_form=form)
    person, role = form.cleaned_data["who"], form.cleaned_data["role"]
    if not form.confirmed:
        # Show who was matched before anything changes.
        context = {
            "notebook": notebook,
            "person": person,
            "role": role,
            "who": form.cleaned_data["who_text"],
            "email_verified": is_verified(person),
            "current_role": permissions.Access(person).role(notebook),
        }
        return render(request, "sharing/access_confirm.html", context)
    is_new = not send.holds_grant(notebook, person=person)
    grants.set_user_role(notebook, person, role)
    if is_new:
        send.shared_with_person(notebook, request.user, person, role, site_address(request))
    messages.success(request, f"{person.get_username()} now has the {role} role.")
    return redirect(_access_url(notebook))


@login_required
@require_POST
def remove_person(request, pk: int, user_id: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    person = get_object_or_404(get_user_model(), pk=user_id)
    if person.pk == notebook.owner_id:
        messages.error(request, "The owner cannot be removed; transfer ownership instead.")
        return redirect(_access_url(notebook))
    grants.set_user_role(notebook, person, None)
    messages.success(request, f"{person.get_username()} no longer has access.")
    return redirect(_access_url(notebook))


@login_required
@require_POST
def share_with_group(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    form = ShareWithGroupForm(request.POST)
    if not form.is_valid():
        return _page(request, notebook, status=400, group_form=form)
    group, role = form.cleaned_data["group"], form.cleaned_data["role"]
    is_new = not send.holds_grant(notebook, group=group)
    grants.set_group_role(notebook, group, role)
    if is_new:
        send.shared_with_group(notebook, request.user, group, role, site_address(request))
    messages.success(request, f"The group {group.name} now has the {role} role.")
    return redirect(_access_url(notebook))


@login_required
@require_POST
def remove_group(request, pk: int, group_id: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    group = get_object_or_404(Group, pk=group_id)
    grants.set_group_role(notebook, group, None)
    messages.success(request, f"The group {group.name} no longer has access.")
    return redirect(_access_url(notebook))


@login_required
@require_POST
def change_visibility(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    form = VisibilityForm(request.POST, instance=notebook)
    if not form.is_valid():
        return _page(request, notebook, status=400, visibility_form=form)
    form.save()
    messages.success(request, f"Visibility: {notebook.get_visibility_display()}.")
    return redirect(_access_url(notebook))


@login_required
@require_http_methods(["GET", "POST"])
def transfer_ownership(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    form = TransferOwnershipForm(request.POST or None, notebook=notebook)
    if request.method == "POST":
        if form.is_valid():
            new_owner = form.cleaned_data["who"]
            grants.transfer_ownership(notebook, new_owner)
            messages.success(request, f"{new_owner.get_username()} now owns “{notebook.title}”.")
            return redirect(notebook)
        return render(
            request, "sharing/transfer.html", {"notebook": notebook, "form": form}, status=400
        )
    return render(request, "sharing/transfer.html", {"notebook": notebook, "form": form})


@login_required
@require_GET
def my_groups(request):
    groups = (
        request.user.groups.order_by("name")
        .annotate(members=Count("user", distinct=True))
        .annotate(notebooks=Count("notebookgroupobjectpermission__content_object", distinct=True))
    )
    return render(request, "sharing/groups.html", {"groups": groups})
