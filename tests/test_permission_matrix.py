"""The permission matrix: every notebook endpoint against every kind of actor.

One row per endpoint, one column per actor. A new endpoint on a notebook cannot be added
without a row: ``test_every_notebook_endpoint_has_a_row`` compares the table with the URLconf.
Refused requests must change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse

from sharing.access import set_group_role, set_user_role
from sharing.models import Notebook, NotebookGroupObjectPermission, NotebookUserObjectPermission
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db

ACTORS = (
    "anonymous",
    "inactive",
    "outsider",
    "viewer",
    "commenter",
    "editor",
    "group_viewer",
    "group_commenter",
    "group_editor",
    "owner",
    "superuser",
)

# Statuses: 200 page, 302 done (or, for anonymous and inactive people, sent to sign in),
# 403 may see the notebook but not do this, 404 may not see it.
# fmt: off
MATRIX = {
    # (method, endpoint):                 anon inact out  view comm edit gvie gcom gedi own  super
    ("GET", "notebook-detail"):           (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "version-detail"):            (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "version-download"):          (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "render-status"):             (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "notebook-upload-version"):   (302, 302, 404, 403, 403, 200, 403, 403, 200, 200, 200),
    ("POST", "notebook-upload-version"):  (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    ("GET", "notebook-rename"):           (302, 302, 404, 403, 403, 200, 403, 403, 200, 200, 200),
    ("POST", "notebook-rename"):          (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    ("GET", "notebook-delete"):           (302, 302, 404, 403, 403, 403, 403, 403, 403, 200, 200),
    ("POST", "notebook-delete"):          (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("GET", "notebook-access"):           (302, 302, 404, 403, 403, 403, 403, 403, 403, 200, 200),
    ("POST", "access-person"):            (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-person-remove"):     (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-group"):             (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-group-remove"):      (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-visibility"):        (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("GET", "notebook-transfer"):         (302, 302, 404, 403, 403, 403, 403, 403, 403, 200, 200),
    ("POST", "notebook-transfer"):        (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
}
# fmt: on
NOT_ABOUT_ONE_NOTEBOOK = {"dashboard", "upload", "signup", "groups"}


@dataclass
class World:
    notebook: Notebook
    users: dict
    group: Group

    def url(self, name: str, notebook_pk: int | None = None) -> str:
        pk = notebook_pk if notebook_pk is not None else self.notebook.pk
        args = {
            "version-detail": [pk, 1],
            "version-download": [pk, 1],
            "render-status": [pk, 1],
            "access-person-remove": [pk, self.users["viewer"].pk],
            "access-group-remove": [pk, self.group.pk],
        }.get(name, [pk])
        return reverse(f"sharing:{name}", args=args)

    def post_data(self, name: str) -> dict:
        return {
            "notebook-upload-version": {
                "file": SimpleUploadedFile("next.ipynb", notebook_bytes(cells=4))
            },
            "notebook-rename": {"title": "Renamed"},
            "access-person": {"who": "dave", "role": "editor"},
            "access-group": {"group": self.group.pk, "role": "editor"},
            "access-visibility": {"visibility": "org_view"},
            "notebook-transfer": {"who": "dave", "confirm": "on"},
        }.get(name, {})

    def snapshot(self) -> tuple:
        notebook = Notebook.objects.filter(pk=self.notebook.pk).first()
        if notebook is None:
            return ("deleted",)
        return (
            notebook.title,
            notebook.owner_id,
            notebook.visibility,
            notebook.versions.count(),
            sorted(
                NotebookUserObjectPermission.objects.filter(content_object=notebook).values_list(
                    "user__username", "permission__codename"
                )
            ),
            sorted(
                NotebookGroupObjectPermission.objects.filter(content_object=notebook).values_list(
                    "group__name", "permission__codename"
                )
            ),
        )


@pytest.fixture
def world(make_user, make_notebook) -> World:
    users = {name: make_user(name) for name in ACTORS if name not in {"anonymous", "owner"}}
    users["owner"] = make_user("alice")
    users["superuser"].is_superuser = True
    users["superuser"].save()
    make_user("dave")
    notebook = make_notebook(users["owner"], title="Matrix")
    for role in ("viewer", "commenter", "editor"):
        set_user_role(notebook, users[role], role)
        group = Group.objects.create(name=f"team-{role}")
        group.user_set.add(users[f"group_{role}"])
        set_group_role(notebook, group, role)
    set_user_role(notebook, users["inactive"], "editor")
    users["inactive"].is_active = False
    users["inactive"].save()
    return World(notebook, users, Group.objects.get(name="team-viewer"))


def client_for(world: World, actor: str, **kwargs) -> Client:
    client = Client(**kwargs)
    if actor != "anonymous":
        client.force_login(world.users[actor])
    return client


CASES = [
    (method, name, actor, expected)
    for (method, name), row in MATRIX.items()
    for actor, expected in zip(ACTORS, row, strict=True)
]


@pytest.mark.parametrize(
    ("method", "name", "actor", "expected"),
    CASES,
    ids=[f"{m} {n} as {a}" for m, n, a, _ in CASES],
)
def test_permission_matrix(world, method, name, actor, expected):
    # GIVEN a notebook shared with every kind of actor
    client = client_for(world, actor)
    before = world.snapshot()
    # WHEN the actor calls the endpoint
    if method == "GET":
        response = client.get(world.url(name))
    else:
        response = client.post(world.url(name), world.post_data(name))
    # THEN the status is the table's, and a refused request changed nothing
    assert response.status_code == expected
    if expected != 302 or actor in {"anonymous", "inactive"}:
        assert world.snapshot() == before
    if expected == 302 and actor in {"anonymous", "inactive"}:
        assert response.url.startswith(reverse("login"))


def test_every_notebook_endpoint_has_a_row():
    sharing_urls = get_resolver().namespace_dict["sharing"][1]
    names = {name for name in sharing_urls.reverse_dict if isinstance(name, str)}
    assert names - NOT_ABOUT_ONE_NOTEBOOK == {name for _, name in MATRIX}


@pytest.mark.parametrize(("method", "name"), list(MATRIX))
def test_forged_notebook_id_is_404_even_for_the_superuser(world, method, name):
    client = client_for(world, "superuser")
    url = world.url(name, notebook_pk=world.notebook.pk + 1000)
    response = client.get(url) if method == "GET" else client.post(url, world.post_data(name))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted({n for m, n in MATRIX if m == "POST"}))
def test_post_without_csrf_token_is_refused_and_changes_nothing(world, name):
    client = client_for(world, "owner", enforce_csrf_checks=True)
    before = world.snapshot()
    response = client.post(world.url(name), world.post_data(name))
    assert response.status_code == 403
    assert world.snapshot() == before


POST_ONLY = sorted({n for m, n in MATRIX if m == "POST"} - {n for m, n in MATRIX if m == "GET"})


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_post_only_endpoint_is_405(world, name):
    before = world.snapshot()
    assert client_for(world, "owner").get(world.url(name)).status_code == 405
    assert world.snapshot() == before


def test_removing_a_grant_of_someone_unknown_is_404(world):
    client = client_for(world, "owner")
    url = reverse("sharing:access-person-remove", args=[world.notebook.pk, 999_999])
    assert client.post(url).status_code == 404
    url = reverse("sharing:access-group-remove", args=[world.notebook.pk, 999_999])
    assert client.post(url).status_code == 404


def test_a_version_that_does_not_exist_is_404(world):
    client = client_for(world, "owner")
    for name in ("version-detail", "version-download", "render-status"):
        url = reverse(f"sharing:{name}", args=[world.notebook.pk, 99])
        assert client.get(url).status_code == 404
