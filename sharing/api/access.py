"""/api/v1/notebooks/{id}/access: who may do what, read and replaced as a whole.

The same rule as the Share page (only people who may manage access), the same forms to check
each person and group, and ``sharing.grants`` to change the grants.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from sharing import grants, permissions, roles
from sharing.api.errors import ApiError, error_responses
from sharing.api.schemas import AccessIn, AccessOut, NotebookId
from sharing.forms import ShareWithGroupForm, ShareWithPersonForm, VisibilityForm
from sharing.models import Notebook
from sharing.notifications import send
from sharing.notifications.inbox import site_address

router = Router(tags=["access"])


def access_out(notebook: Notebook) -> AccessOut:
    users, groups = grants.grants(notebook)
    return AccessOut(
        owner=notebook.owner.get_username(),
        visibility=notebook.visibility,
        users=[{"username": g.holder.get_username(), "role": g.role} for g in users],
        groups=[{"id": g.holder.pk, "name": g.holder.name, "role": g.role} for g in groups],
    )


@router.get(
    "/notebooks/{notebook_id}/access",
    response={200: AccessOut, **error_responses(403, 404)},
    summary="Read who has access to a notebook",
    url_name="notebook-access",
)
def read_access(request: HttpRequest, notebook_id: NotebookId):
    """Only people who may manage access (the owner) see the grants, as on the Share page."""
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.MANAGE)
    return access_out(notebook)


@router.put(
    "/notebooks/{notebook_id}/access",
    response={200: AccessOut, **error_responses(400, 403, 404, 413)},
    summary="Replace who has access to a notebook",
    url_name="notebook-access",
)
def replace_access(request: HttpRequest, notebook_id: NotebookId, body: AccessIn):
    """Send the complete new state: people and groups left out lose their access.

    People are named by username or by an e-mail address their account verified (never
    an address-like username), groups by id. If any entry is refused,
    nothing changes.
    """
    notebook = permissions.get_notebook_or_404(request, notebook_id, roles.MANAGE)
    errors: list[dict] = []
    users = _checked(
        errors,
        "users",
        [
            ShareWithPersonForm({"who": g.username, "role": g.role}, notebook=notebook)
            for g in body.users
        ],
        "who",
    )
    groups = _checked(
        errors,
        "groups",
        [ShareWithGroupForm({"group": g.id, "role": g.role}) for g in body.groups],
        "group",
    )
    # No instance: validating a ModelForm writes into its instance, which must wait.
    visibility = VisibilityForm({"visibility": body.visibility})
    if not visibility.is_valid():
        errors += _errors_of(visibility, "visibility")
    if errors:
        raise ApiError(400, errors[0]["message"], errors[0]["code"], errors)
    held_users, held_groups = grants.grants(notebook)
    before = {g.holder.pk for g in held_users}, {g.holder.pk for g in held_groups}
    grants.set_access(notebook, visibility.cleaned_data["visibility"], users, groups)
    base_url = site_address(request)
    for person, role in users.items():  # new grants are news; changed roles are not
        if person.pk not in before[0]:
            send.shared_with_person(notebook, request.user, person, role, base_url)
    for group, role in groups.items():
        if group.pk not in before[1]:
            send.shared_with_group(notebook, request.user, group, role, base_url)
    return access_out(notebook)


def _checked(errors: list[dict], field: str, forms: list, key: str) -> dict:
    """Holder -> role from valid forms; each problem appended to ``errors``."""
    chosen: dict = {}
    for index, form in enumerate(forms):
        where = f"{field}.{index}"
        if not form.is_valid():
            errors += _errors_of(form, where)
            continue
        holder = form.cleaned_data[key]
        if holder in chosen:
            errors.append(
                {"field": where, "message": f"{holder} is listed twice.", "code": "duplicate"}
            )
        chosen[holder] = form.cleaned_data["role"]
    return chosen


def _errors_of(form, where: str) -> list[dict]:
    return [
        {"field": where, "message": error.message % (error.params or {}), "code": error.code or ""}
        for field_errors in form.errors.as_data().values()
        for error in field_errors
    ]
