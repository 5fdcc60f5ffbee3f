"""The Share page: one page for people, groups, invitations, visibility, share links and
ownership of a notebook. Its owner manages people and groups; editors see the links section.

Role changes apply on choice: share.js posts the row's form with fetch (Accept: JSON) when its
select changes; without JavaScript the row's "Change" button posts the same form.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sharing import grants, links, permissions, roles
from sharing.accounts import invites
from sharing.accounts.lookup import is_verified, verified_email_accounts
from sharing.audit.views import NOTEBOOK_EVENTS_PARAM, notebook_events, rows_of
from sharing.forms import (
    ShareLinkForm,
    ShareWithGroupForm,
    ShareWithPersonForm,
    TransferOwnershipForm,
    VisibilityForm,
)
from sharing.models import Invite, ShareLink
from sharing.notifications import send
from sharing.notifications.inbox import site_address
from sharing.ratelimit import limit, rate_limit, too_many_requests
from sharing.views.links import (
    NEW_LINK_COOKIE,
    link_activity,
    new_link_url,
    remember_new_link,
    share_link_context,
)

SEARCH_MIN, SEARCH_RESULTS = 2, 8


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _access_url(notebook) -> str:
    return reverse("sharing:notebook-access", args=[notebook.pk])


def _page(request, notebook, status: int = 200, link_form=None, **forms):
    """The Share page: everything for the owner, the links section for editors."""
    can_manage = permissions.access_for(request).can(roles.MANAGE, notebook)
    context = {
        "notebook": notebook,
        "can_manage": can_manage,
        "new_link_url": new_link_url(request, notebook),
        "events": link_activity(notebook),
        **share_link_context(notebook, link_form),
    }
    if can_manage:
        users, groups = grants.grants(notebook)
        invite_email = forms.get("invite_email", "")
        person_form = forms.get("person_form") or ShareWithPersonForm(notebook=notebook)
        person_form.fields["who"].widget.attrs.update(
            {
                "list": "person-options",
                "autocomplete": "off",
                "data-people-search": reverse("sharing:people-search"),
            }
        )
        context.update(
            user_grants=users,
            group_grants=groups,
            role_choices=roles.ROLE_CHOICES,
            role_descriptions=roles.ROLE_DESCRIPTIONS,
            person_form=person_form,
            group_form=forms.get("group_form") or ShareWithGroupForm(),
            visibility_form=forms.get("visibility_form") or VisibilityForm(instance=notebook),
            has_groups=Group.objects.exists(),
            invites=invites.pending_for(notebook),
            invite_email=invite_email,
            invite_role=forms.get("invite_role", ""),
            can_invite=_invites_open(),
            **_events_context(request, notebook),
        )
    response = render(request, "sharing/access.html", context, status=status)
    if context["new_link_url"]:
        response.delete_cookie(NEW_LINK_COOKIE, path=_access_url(notebook))
    response["Cache-Control"] = "no-store"
    return response


def _invites_open() -> bool:
    return settings.SIGNUP_ENABLED and settings.SHARE_INVITES_ENABLED


def _events_context(request, notebook) -> dict:
    """The notebook's own audit events (who viewed, who shared), a page at a time."""
    page = notebook_events(request, notebook)
    return {
        "audit_page": page,
        "audit_rows": rows_of(page.object_list),
        "audit_param": NOTEBOOK_EVENTS_PARAM,
    }


@login_required
@require_GET
def access_page(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    return _page(request, notebook)


@login_required
@require_POST
def create_link(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    form = ShareLinkForm(request.POST, notebook=notebook)
    if not form.is_valid():
        return _page(request, notebook, status=400, link_form=form)
    link, token = links.create_link(notebook, request.user, **form.create_kwargs())
    messages.success(request, "Link created.")
    response = redirect(_access_url(notebook) + "#links")
    remember_new_link(response, notebook, link, token)
    return response


@login_required
@require_POST
def reissue_link(request, pk: int, link_id: int):
    """Copy a link again: it gets a new address (the old one stops working)."""
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    link = get_object_or_404(ShareLink, pk=link_id, notebook=notebook)
    token = links.reissue(link, request.user)
    response = redirect(_access_url(notebook) + "#links")
    if token is None:
        messages.error(request, f"“{link}” has ended: create a new link instead.")
        return response
    messages.success(request, f"“{link}” has a new address: copy it below.")
    remember_new_link(response, notebook, link, token)
    return response


@login_required
@require_POST
def revoke_link(request, pk: int, link_id: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.EDIT)
    link = get_object_or_404(ShareLink, pk=link_id, notebook=notebook)
    if links.revoke(link, request.user):
        messages.success(request, f"Revoked “{link}”. Nobody can use it any more.")
    else:
        messages.info(request, f"“{link}” was already revoked.")
    return redirect(_access_url(notebook) + "#links")


@login_required
@require_POST
def share_with_person(request, pk: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    form = ShareWithPersonForm(request.POST, notebook=notebook)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        unknown = _unknown_address(form)
        return _page(
            request,
            notebook,
            status=400,
            person_form=form,
            invite_email=unknown,
            invite_role=request.POST.get("role", ""),
        )
    person, role = form.cleaned_data["who"], form.cleaned_data["role"]
    if _wants_json(request):
        # A role changed in the list: the row names the account it shows.
        if not form.confirmed:
            return JsonResponse({"errors": {"confirm_user": [{"code": "required"}]}}, status=400)
        grants.set_user_role(notebook, person, role)
        return JsonResponse({"message": f"{person.get_username()} now has the {role} role."})
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
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return _page(request, notebook, status=400, group_form=form)
    group, role = form.cleaned_data["group"], form.cleaned_data["role"]
    is_new = not send.holds_grant(notebook, group=group)
    grants.set_group_role(notebook, group, role)
    if is_new:
        send.shared_with_group(notebook, request.user, group, role, site_address(request))
    message = f"The group {group.name} now has the {role} role."
    if _wants_json(request):
        return JsonResponse({"message": message})
    messages.success(request, message)
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
    previous = form.initial["visibility"]
    grants.set_visibility(notebook, form.cleaned_data["visibility"], previous=previous)
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


def _unknown_address(form) -> str:
    """The address typed when it matched no account: the page offers to invite it."""
    errors = form.errors.as_data().get("who", [])
    if not any(error.code == "unknown_user" for error in errors):
        return ""
    text = form.data.get("who", "").strip()
    try:
        validate_email(text)
    except ValidationError:
        return ""
    return text


def _address_has_account(email: str) -> bool:
    User = get_user_model()
    return (
        User.objects.filter(email__iexact=email).exists() or verified_email_accounts(email).exists()
    )


@login_required
@require_POST
def invite_by_email(request, pk: int):
    """Invite an address with no account: a one-time sign-up link that grants the role."""
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    email = request.POST.get("email", "").strip()[:254]
    role = request.POST.get("role", "")
    error = None
    try:
        validate_email(email)
    except ValidationError:
        error = "Enter a valid e-mail address."
    if error is None and role not in invites.NOTEBOOK_ROLES:
        error = "Choose a role."
    if error is None and not _invites_open():
        error = "Invitations are turned off on this site: ask an administrator for an account."
    if error is None and _address_has_account(email):
        error = "An account uses this address: share with its username instead."
    if (
        error is None
        and Invite.objects.filter(invites.usable(), notebook=notebook, email__iexact=email).exists()
    ):
        error = f"{email} is already invited: revoke that invitation to send a new one."
    if error is not None:
        messages.error(request, error)
        return redirect(_access_url(notebook))
    wait = limit(request, "invite")
    if wait is not None:
        return too_many_requests(request, wait)
    new = invites.create_invite(
        request.user,
        email=email,
        days=settings.SHARE_INVITE_DAYS,
        note=f"Invited to “{notebook.title}”"[:100],
        notebook=notebook,
        role=role,
    )
    link = request.build_absolute_uri(reverse("sharing:signup-invite", args=[new.raw]))
    if invites.send_notebook_invite(new, link):
        messages.success(request, f"Invitation sent to {email}.")
    else:
        invites.revoke(new.invite)
        messages.error(request, "The invitation could not be sent; try again later.")
    return redirect(_access_url(notebook))


@login_required
@require_POST
def revoke_invite(request, pk: int, invite_id: int):
    notebook = permissions.get_notebook_or_404(request, pk, roles.MANAGE)
    invite = get_object_or_404(Invite, pk=invite_id, notebook=notebook)
    invites.revoke(invite)
    messages.success(request, f"The invitation to {invite.email} is revoked.")
    return redirect(_access_url(notebook))


@login_required
@rate_limit("people")
@require_GET
def people_search(request):
    """Names for the person field: only people the requester may already see (their groups'
    members, or everyone when PEOPLE_DIRECTORY says so), at most a few, never e-mail addresses.
    """
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if len(query) >= SEARCH_MIN:
        people = permissions.people_visible_to(request.user).filter(
            Q(username__istartswith=query)
            | Q(first_name__istartswith=query)
            | Q(last_name__istartswith=query)
        )
        found = [
            {"username": person.get_username(), "name": person.get_full_name()}
            for person in people.order_by("username")[:SEARCH_RESULTS]
        ]
    response = JsonResponse({"people": found})
    response["Cache-Control"] = "private, no-store"
    return response
