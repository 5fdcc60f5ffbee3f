"""Sharing with people and groups: roles, lists, visibility and ownership."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from sharing.grants import set_group_role, set_user_role, transfer_ownership
from sharing.ingest import Upload
from sharing.models import Notebook
from sharing.notebooks import create_notebook
from sharing.permissions import Access
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db
SHARED = reverse("sharing:dashboard") + "?tab=shared"


def page_status(client, notebook) -> int:
    return client.get(notebook.get_absolute_url()).status_code


def test_role_change_takes_effect_at_the_next_request(client, alice, bob, make_notebook):
    # GIVEN bob is a viewer of alice's notebook
    notebook = make_notebook(alice)
    set_user_role(notebook, bob, "viewer")
    client.force_login(bob)
    rename = reverse("sharing:notebook-rename", args=[notebook.pk])
    assert client.get(rename).status_code == 403
    # WHEN alice makes him an editor, THEN his next request may rename
    set_user_role(notebook, bob, "editor")
    assert client.get(rename).status_code == 200
    # WHEN alice removes him, THEN the notebook no longer exists for him
    set_user_role(notebook, bob, None)
    assert page_status(client, notebook) == 404


def test_leaving_a_group_ends_access_through_it(client, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    team = Group.objects.create(name="analysts")
    team.user_set.add(bob)
    set_group_role(notebook, team, "commenter")
    client.force_login(bob)
    assert page_status(client, notebook) == 200
    team.user_set.remove(bob)
    assert page_status(client, notebook) == 404


def test_joining_a_group_gives_its_access(client, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    team = Group.objects.create(name="analysts")
    set_group_role(notebook, team, "viewer")
    client.force_login(bob)
    assert page_status(client, notebook) == 404
    team.user_set.add(bob)
    assert page_status(client, notebook) == 200


def test_removing_a_group_grant_takes_effect_at_once(client, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    team = Group.objects.create(name="analysts")
    team.user_set.add(bob)
    set_group_role(notebook, team, "viewer")
    client.force_login(bob)
    assert page_status(client, notebook) == 200
    owner = client.__class__()
    owner.force_login(alice)
    url = reverse("sharing:access-group-remove", args=[notebook.pk, team.pk])
    assert owner.post(url).status_code == 302
    assert page_status(client, notebook) == 404


def test_model_wide_permission_does_not_reveal_other_notebooks(alice, bob, make_notebook):
    notebook = make_notebook(alice)
    bob.user_permissions.add(Permission.objects.get(codename="view_notebook"))
    assert not Notebook.objects.visible_to(bob).filter(pk=notebook.pk).exists()


def test_visible_to_is_one_query(alice, bob, make_notebook, django_assert_num_queries):
    for _ in range(3):
        set_user_role(make_notebook(alice), bob, "viewer")
    with django_assert_num_queries(1):
        assert len(list(Notebook.objects.visible_to(bob))) == 3


def test_organisation_wide_visibility(client, alice, carol, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(carol)
    assert page_status(client, notebook) == 404
    Notebook.objects.filter(pk=notebook.pk).update(visibility="org_view")
    assert page_status(client, notebook) == 200
    access = Access(carol)
    notebook.refresh_from_db()
    assert access.role(notebook) == "viewer"
    Notebook.objects.filter(pk=notebook.pk).update(visibility="org_comment")
    notebook.refresh_from_db()
    assert Access(carol).role(notebook) == "commenter"
    everyone = client.get(reverse("sharing:dashboard") + "?tab=everyone").content.decode()
    assert notebook.title in everyone


def test_share_by_email_from_the_share_page(client, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:access-person", args=[notebook.pk])
    response = client.post(url, {"who": "BOB@example.com", "role": "commenter"})
    assert response.status_code == 200  # who was matched, before anything changes
    assert 'data-matched="bob"' in response.text
    assert Access(bob).role(notebook) is None
    confirmed = {"who": "BOB@example.com", "role": "commenter", "confirm_user": bob.pk}
    assert client.post(url, confirmed).status_code == 302
    assert Access(bob).role(notebook) == "commenter"
    page = client.get(reverse("sharing:notebook-access", args=[notebook.pk])).content.decode()
    assert 'data-grant="bob"' in page


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "No active account has the username “nobody”."),
        ("nobody@example.com", "No active account has verified the e-mail address"),
        ("alice", "The owner already has every right."),
    ],
)
def test_share_with_unknown_person_or_owner_is_refused(client, alice, make_notebook, who, message):
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:access-person", args=[notebook.pk])
    response = client.post(url, {"who": who, "role": "viewer"})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_share_with_an_invalid_role_is_refused(client, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:access-person", args=[notebook.pk])
    assert client.post(url, {"who": "bob", "role": "owner"}).status_code == 400
    assert Access(bob).role(notebook) is None


def test_transfer_ownership_keeps_previous_owner_as_editor(client, alice, bob, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:notebook-transfer", args=[notebook.pk])
    refused = client.post(url, {"who": "bob"})
    assert refused.status_code == 400
    assert "Tick the box to confirm the transfer." in refused.content.decode()
    assert client.post(url, {"who": "bob", "confirm": "on"}).status_code == 302
    notebook.refresh_from_db()
    assert notebook.owner == bob
    assert Access(bob).role(notebook) == "owner"
    assert Access(alice).role(notebook) == "editor"
    # As an editor alice sees only the Share page's links sections, and changes no one's role.
    page = client.get(reverse("sharing:notebook-access", args=[notebook.pk]))
    assert page.status_code == 200
    assert 'id="people"' not in page.text
    person = {"who": "bob", "role": "viewer", "confirm_user": bob.pk}
    assert (
        client.post(reverse("sharing:access-person", args=[notebook.pk]), person).status_code == 403
    )


def test_owner_can_be_made_owner_again(alice, bob, make_notebook):
    notebook = make_notebook(alice)
    transfer_ownership(notebook, bob)
    transfer_ownership(notebook, alice)
    assert Access(alice).role(notebook) == "owner"
    assert Access(bob).role(notebook) == "editor"


def test_groups_page_lists_my_groups(client, alice, bob, make_notebook):
    team = Group.objects.create(name="forecasting")
    team.user_set.add(bob, alice)
    Group.objects.create(name="not mine")
    set_group_role(make_notebook(alice), team, "viewer")
    client.force_login(bob)
    page = client.get(reverse("sharing:groups")).content.decode()
    assert "forecasting" in page
    assert "not mine" not in page


def test_shared_with_me_lists_direct_and_group_shares_with_roles(client, alice, bob, make_notebook):
    direct = make_notebook(alice, title="Direct share")
    via_group = make_notebook(alice, title="Group share")
    make_notebook(alice, title="Not shared")
    set_user_role(direct, bob, "editor")
    team = Group.objects.create(name="team")
    team.user_set.add(bob)
    set_group_role(via_group, team, "commenter")
    client.force_login(bob)
    response = client.get(SHARED)
    html = response.content.decode()
    assert "Direct share" in html and "Group share" in html
    assert "Not shared" not in html
    assert {nb.title: role for nb, role in response.context["rows"]} == {
        "Direct share": "editor",
        "Group share": "commenter",
    }


def test_shared_with_me_has_constant_queries_for_500_notebooks_through_three_groups(
    client, alice, bob, settings, tmp_media, django_assert_num_queries
):
    settings.NOTEBOOKS_PER_PAGE = 500
    groups = [Group.objects.create(name=f"group-{i}") for i in range(3)]
    for group in groups:
        group.user_set.add(bob)
    data = notebook_bytes()
    for i in range(500):
        notebook = create_notebook(alice, Upload.from_bytes("n.ipynb", data), f"Shared {i}")
        set_group_role(notebook, groups[i % 3], ("viewer", "commenter", "editor")[i % 3])
    client.force_login(bob)
    # the session with its person, count, one page of notebooks with bob's grants on each
    # row (his own and his groups'), the header's unread count.
    with django_assert_num_queries(4):
        response = client.get(SHARED)
    roles = [role for _, role in response.context["rows"]]
    assert len(roles) == 500
    assert roles.count("editor") == 166 and roles.count("viewer") == 167


def test_superuser_sees_everything(alice, admin_user_, make_notebook):
    notebook = make_notebook(alice)
    assert Notebook.objects.visible_to(admin_user_).filter(pk=notebook.pk).exists()
    assert Access(admin_user_).role(notebook) == "owner"


def test_admin_lists_notebooks_with_owner_and_grants(
    client, alice, bob, admin_user_, make_notebook
):
    notebook = make_notebook(alice, title="Audited")
    set_user_role(notebook, bob, "viewer")
    client.force_login(admin_user_)
    listing = client.get(reverse("admin:sharing_notebook_changelist")).content.decode()
    assert "Audited" in listing and "alice" in listing
    change = client.get(reverse("admin:sharing_notebook_change", args=[notebook.pk]))
    assert change.status_code == 200
    assert "bob" in change.content.decode()
