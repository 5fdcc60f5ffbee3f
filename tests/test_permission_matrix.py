"""The permission matrix: every notebook endpoint against every kind of actor.

One row per endpoint, one column per actor. A new endpoint on a notebook cannot be added
without a row: ``test_every_notebook_endpoint_has_a_row`` compares the table with the URLconf.
Refused requests must change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from sharing.accounts.invites import create_invite
from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.links import create_link, revoke
from sharing.models import (
    Comment,
    Notebook,
)
from sharing.notebooks import add_version, delete_notebook
from tests.conftest import notebook_bytes
from tests.matrix import (
    EVERY_ROLE,
    case_ids,
    cases,
    make_people,
    notebook_state,
    share_with_every_role,
)

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "inactive", *EVERY_ROLE)

# Statuses: 200 page, 302 done (or, for anonymous and inactive people, sent to sign in),
# 403 may see the notebook but not do this, 404 may not see it.
# fmt: off
MATRIX = {
    # (method, endpoint):                 anon inact out  view comm edit gvie gcom gedi own  super
    ("GET", "notebook-detail"):           (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "version-detail"):            (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "version-download"):          (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "render-status"):             (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "notebook-compare"):          (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "notebook-compare-status"):   (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "notebook-compare-pick"):     (302, 302, 404, 302, 302, 302, 302, 302, 302, 302, 302),
    ("GET", "notebook-upload-version"):   (302, 302, 404, 403, 403, 200, 403, 403, 200, 200, 200),
    ("POST", "notebook-upload-version"):  (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    ("GET", "notebook-rename"):           (302, 302, 404, 403, 403, 200, 403, 403, 200, 200, 200),
    ("POST", "notebook-rename"):          (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    ("GET", "notebook-delete"):           (302, 302, 404, 403, 403, 403, 403, 403, 403, 200, 200),
    ("POST", "notebook-delete"):          (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    # The Share page: editors see its links sections, the owner all of it.
    ("GET", "notebook-access"):           (302, 302, 404, 403, 403, 200, 403, 403, 200, 200, 200),
    ("POST", "access-person"):            (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-person-remove"):     (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-group"):             (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-group-remove"):      (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-invite"):            (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-invite-revoke"):     (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("POST", "access-visibility"):        (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("GET", "notebook-transfer"):         (302, 302, 404, 403, 403, 403, 403, 403, 403, 200, 200),
    ("POST", "notebook-transfer"):        (302, 302, 404, 403, 403, 403, 403, 403, 403, 302, 302),
    ("GET", "notebook-links"):            (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    ("POST", "share-link-create"):        (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    ("POST", "share-link-revoke"):        (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    ("POST", "share-link-reissue"):       (302, 302, 404, 403, 403, 302, 403, 403, 302, 302, 302),
    # Comments: 200/201 done. The comment in the world is the commenter's; the owner and the
    # superuser (who manage the notebook) may delete it, only its author may edit it.
    ("GET", "version-comments"):          (302, 302, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "version-comments"):         (302, 302, 404, 403, 201, 201, 403, 201, 201, 201, 201),
    ("POST", "comment-reply"):            (302, 302, 404, 403, 201, 201, 403, 201, 201, 201, 201),
    ("POST", "comment-resolve"):          (302, 302, 404, 403, 200, 200, 403, 200, 200, 200, 200),
    ("POST", "comment-reopen"):           (302, 302, 404, 403, 200, 200, 403, 200, 200, 200, 200),
    ("POST", "comment-edit"):             (302, 302, 404, 403, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "comment-delete"):           (302, 302, 404, 403, 200, 403, 403, 403, 403, 200, 200),
    # Following: whoever may read the notebook may hear of its new versions.
    ("POST", "notebook-follow"):          (302, 302, 404, 302, 302, 302, 302, 302, 302, 302, 302),
}
# fmt: on
NOT_ABOUT_ONE_NOTEBOOK = {"dashboard", "upload", "signup", "groups"}
NOT_ABOUT_ONE_NOTEBOOK |= {"api-tokens", "api-token-revoke"}  # own API tokens: test_api_tokens
NOT_ABOUT_ONE_NOTEBOOK |= {"share-link-open"}  # a token, not a notebook: see LINK_MATRIX
NOT_ABOUT_ONE_NOTEBOOK |= {"person", "notification-settings"}  # a person's page and settings
# Accounts: sign-up, verification, invites and setup (tests/accounts/)
NOT_ABOUT_ONE_NOTEBOOK |= {"signup-invite", "signup-sent", "verify-email", "setup"}
NOT_ABOUT_ONE_NOTEBOOK |= {"account-email", "account-email-send", "invites", "invite-revoke"}
# Groups and the person search (tests/groups/, tests/views/test_share_ux.py)
NOT_ABOUT_ONE_NOTEBOOK |= {"group-create", "group-detail", "group-add-member"}
NOT_ABOUT_ONE_NOTEBOOK |= {"group-remove-member", "group-make-owner", "people-search"}
# Search over what one may read (tests/search/), the inbox (tests/notifications/), the audit
# log for staff (tests/audit/) and the chart sandbox (tests/rendering/test_interactive_pages.py)
NOT_ABOUT_ONE_NOTEBOOK |= {"search", "inbox", "inbox-open", "inbox-read", "inbox-read-all"}
NOT_ABOUT_ONE_NOTEBOOK |= {"audit-log", "audit-export", "chart-sandbox"}


@dataclass
class World:
    notebook: Notebook
    users: dict
    group: Group
    link_pk: int = 0  # a share link of the notebook
    thread_pk: int = 0  # a comment thread on the notebook, started by the commenter
    comment_pk: int = 0  # its first comment
    dave_pk: int = 0  # an account with no access, to share with
    invite_pk: int = 0  # a pending invitation to the notebook by e-mail

    def url(self, name: str, notebook_pk: int | None = None) -> str:
        pk = notebook_pk if notebook_pk is not None else self.notebook.pk
        args = {
            "version-detail": [pk, 1],
            "version-download": [pk, 1],
            "render-status": [pk, 1],
            "notebook-compare": [pk, "1...2"],
            "notebook-compare-status": [pk, "1...2"],
            "access-person-remove": [pk, self.users["viewer"].pk],
            "access-group-remove": [pk, self.group.pk],
            "share-link-revoke": [pk, self.link_pk],
            "share-link-reissue": [pk, self.link_pk],
            "access-invite-revoke": [pk, self.invite_pk],
            "version-comments": [pk, 2],  # the latest: threads start there
            "comment-reply": [pk, self.thread_pk],
            "comment-resolve": [pk, self.thread_pk],
            "comment-reopen": [pk, self.thread_pk],
            "comment-edit": [pk, self.comment_pk],
            "comment-delete": [pk, self.comment_pk],
        }.get(name, [pk])
        query = "?from=1&to=2" if name == "notebook-compare-pick" else ""
        return reverse(f"sharing:{name}", args=args) + query

    def post_data(self, name: str) -> dict:
        return {
            "notebook-upload-version": {
                "file": SimpleUploadedFile("next.ipynb", notebook_bytes(cells=4))
            },
            "notebook-rename": {"title": "Renamed"},
            # The confirmed step of the Share form (the first one only shows who matched).
            "access-person": {"who": "dave", "role": "editor", "confirm_user": self.dave_pk},
            "access-group": {"group": self.group.pk, "role": "editor"},
            "access-visibility": {"visibility": "org_view"},
            "access-invite": {"email": "erin@elsewhere.example", "role": "viewer"},
            "notebook-transfer": {"who": "dave", "confirm": "on"},
            "share-link-create": {"role": "viewer", "expires": "1d", "follow": "latest"},
            "version-comments": {"cell_id": _first_cell(self.notebook), "body": "Why?"},
            "comment-reply": {"body": "Because."},
            "comment-edit": {"body": "Why this threshold?"},
            "notebook-follow": {"following": "1"},
        }.get(name, {})

    def snapshot(self) -> tuple:
        return notebook_state(self.notebook.pk)


@pytest.fixture
def world(make_user, make_notebook) -> World:
    users = make_people(make_user, ACTORS, without={"anonymous"})
    dave = make_user("dave")
    notebook = make_notebook(users["owner"], title="Matrix")
    add_version(notebook, users["owner"], Upload.from_bytes("v2.ipynb", notebook_bytes(cells=4)))
    notebook.refresh_from_db()
    share_with_every_role(notebook, users)
    set_user_role(notebook, users["inactive"], "editor")
    users["inactive"].is_active = False
    users["inactive"].save()
    link = _link(notebook, users["owner"])
    comment = _comment(notebook, users["commenter"])
    group = Group.objects.get(name="team-viewer")
    invite = create_invite(
        users["owner"], email="fred@elsewhere.example", notebook=notebook, role="viewer"
    ).invite
    return World(notebook, users, group, link.pk, comment.thread_id, comment.pk, dave.pk, invite.pk)


def client_for(world: World, actor: str, **kwargs) -> Client:
    client = Client(**kwargs)
    if actor != "anonymous":
        client.force_login(world.users[actor])
    return client


CASES = cases(MATRIX, ACTORS)


@pytest.mark.parametrize(("method", "name", "actor", "expected"), CASES, ids=case_ids(CASES))
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
    if method == "GET" or expected >= 400 or actor in {"anonymous", "inactive"}:
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


# --- share links ---------------------------------------------------------------------------
# People without a grant who came through a share link (sharing/links.py), in columns:
# not signed in with a sign-in link; signed in with a valid viewer / commenter link; not signed
# in with a no-sign-in link (site setting on); and signed in holding a link that expired, was
# revoked, was created by an editor since removed, or whose notebook was deleted.
LINK_HOLDERS = (
    "internal_anonymous",
    "viewer_link",
    "commenter_link",
    "public_link",
    "expired",
    "revoked",
    "removed_editor",
    "deleted_notebook",
)
# 410: the link this person used has ended (a page that does not name the notebook).
# fmt: off
LINK_MATRIX = {
    # (method, endpoint):               ianon view comm publ expi revo rmed dele
    ("GET", "share-link-open"):         (302, 302, 302, 302, 410, 410, 410, 404),
    ("GET", "notebook-detail"):         (302, 200, 200, 200, 410, 410, 410, 404),
    ("GET", "version-detail"):          (302, 200, 200, 200, 410, 410, 410, 404),
    ("GET", "version-download"):        (302, 200, 200, 200, 410, 410, 410, 404),
    ("GET", "render-status"):           (302, 200, 200, 200, 410, 410, 410, 404),
    ("GET", "notebook-compare"):        (302, 200, 200, 200, 410, 410, 410, 404),
    ("GET", "notebook-compare-status"): (302, 200, 200, 200, 410, 410, 410, 404),
    ("GET", "notebook-compare-pick"):   (302, 302, 302, 302, 410, 410, 410, 404),
    ("GET", "notebook-upload-version"): (302, 403, 403, 302, 410, 410, 410, 404),
    ("POST", "notebook-rename"):        (302, 403, 403, 302, 410, 410, 410, 404),
    ("POST", "notebook-delete"):        (302, 403, 403, 302, 410, 410, 410, 404),
    ("GET", "notebook-access"):         (302, 403, 403, 302, 410, 410, 410, 404),
    ("GET", "notebook-links"):          (302, 403, 403, 302, 410, 410, 410, 404),
    ("POST", "share-link-create"):      (302, 403, 403, 302, 410, 410, 410, 404),
    ("POST", "share-link-revoke"):      (302, 403, 403, 302, 410, 410, 410, 404),
    ("GET", "version-comments"):        (302, 200, 200, 200, 410, 410, 410, 404),
    ("POST", "version-comments"):       (302, 403, 201, 302, 410, 410, 410, 404),
    ("POST", "comment-reply"):          (302, 403, 201, 302, 410, 410, 410, 404),
    ("POST", "comment-resolve"):        (302, 403, 200, 302, 410, 410, 410, 404),
    ("POST", "comment-reopen"):         (302, 403, 200, 302, 410, 410, 410, 404),
    ("POST", "comment-edit"):           (302, 403, 403, 302, 410, 410, 410, 404),
    ("POST", "comment-delete"):         (302, 403, 403, 302, 410, 410, 410, 404),
}
# fmt: on


def _link(notebook: Notebook, creator, **kwargs):
    expires_at = timezone.now() + timedelta(days=1)
    return create_link(notebook, creator, expires_at=expires_at, **kwargs)[0]


def _link_holder(world: World, actor: str, make_notebook) -> tuple[Client, str, int]:
    """A client that came through a link, the link's token, and the notebook it is for."""
    owner, notebook = world.users["owner"], world.notebook
    if actor == "deleted_notebook":
        notebook = make_notebook(owner, title="Doomed")
    creator = world.users["editor"] if actor == "removed_editor" else owner
    kwargs = {"role": "commenter"} if actor == "commenter_link" else {}
    if actor == "public_link":
        kwargs["anonymous"] = True
    expires_at = timezone.now() + timedelta(days=1)
    link, token = create_link(notebook, creator, expires_at=expires_at, **kwargs)
    client = Client()
    if actor not in {"internal_anonymous", "public_link"}:
        client.force_login(world.users["outsider"])
    client.get(reverse("sharing:share-link-open", args=[token]))
    if actor == "expired":
        type(link).objects.filter(pk=link.pk).update(expires_at=timezone.now())
    elif actor == "revoked":
        revoke(link, owner)
    elif actor == "removed_editor":
        set_user_role(notebook, creator, None)
    elif actor == "deleted_notebook":
        delete_notebook(notebook)
    return client, token, notebook.pk


LINK_CASES = cases(LINK_MATRIX, LINK_HOLDERS)


@pytest.mark.parametrize(
    ("method", "name", "actor", "expected"), LINK_CASES, ids=case_ids(LINK_CASES, "via")
)
def test_link_holder_matrix(world, make_notebook, settings, method, name, actor, expected):
    # GIVEN someone without a grant who came through a share link, in the column's state
    settings.SHARE_LINKS_ALLOW_ANONYMOUS = True
    client, token, notebook_pk = _link_holder(world, actor, make_notebook)
    before = world.snapshot()
    # WHEN they call the endpoint
    if name == "share-link-open":
        url = reverse("sharing:share-link-open", args=[token])
    else:
        url = world.url(name, notebook_pk)
    response = client.get(url) if method == "GET" else client.post(url, world.post_data(name))
    # THEN the status is the table's, a refusal changes nothing, and no 410 names the notebook
    assert response.status_code == expected
    if expected not in (200, 201):
        assert world.snapshot() == before
    if expected == 410:
        assert "Matrix" not in response.text
    # Opening a link, or picking two versions, sends a no-sign-in link holder on, not to sign in.
    sent_to_sign_in = actor == "internal_anonymous" or name not in {
        "share-link-open",
        "notebook-compare-pick",
    }
    if expected == 302 and actor in {"internal_anonymous", "public_link"} and sent_to_sign_in:
        assert response.url.startswith(reverse("login"))


def test_every_link_matrix_row_is_an_endpoint():
    assert {name for _, name in LINK_MATRIX} - {"share-link-open"} <= {n for _, n in MATRIX}


# --- comments ------------------------------------------------------------------------------


def _first_cell(notebook: Notebook) -> str:
    return min(version_cells(notebook.latest_version).values(), key=lambda c: c.index).id


def _comment(notebook: Notebook, author) -> Comment:
    cells = version_cells(notebook.latest_version)
    cell = cells[_first_cell(notebook)]
    comment, _ = start_thread(notebook, notebook.latest_version, cell, author, "Why this?")
    return comment


# --- comparing versions ------------------------------------------------------------------


def test_a_link_pinned_to_one_version_compares_nothing_else(world, make_notebook):
    # GIVEN an outsider holding a link pinned to version 2, and one holding links to 1 and 2
    from datetime import timedelta

    from django.utils import timezone

    from sharing.links import create_link

    day = timezone.now() + timedelta(days=1)
    versions = {v.number: v for v in world.notebook.versions.all()}
    one = Client()
    one.force_login(world.users["outsider"])
    _, token = create_link(
        world.notebook, world.users["owner"], expires_at=day, pinned_version=versions[2]
    )
    one.get(reverse("sharing:share-link-open", args=[token]))
    both = Client()
    both.force_login(world.users["outsider"])
    for number in (1, 2):
        _, token = create_link(
            world.notebook, world.users["owner"], expires_at=day, pinned_version=versions[number]
        )
        both.get(reverse("sharing:share-link-open", args=[token]))
    compare = reverse("sharing:notebook-compare", args=[world.notebook.pk, "1...2"])
    status = reverse("sharing:notebook-compare-status", args=[world.notebook.pk, "1...2"])
    api = f"/api/v1/notebooks/{world.notebook.pk}/diff?from=1&to=2"
    # WHEN they compare versions 1 and 2 (page, progress and API with their session)
    # THEN only the holder of both versions may; the other gets 404 as if version 1 did not exist
    assert one.get(compare).status_code == 404
    assert one.get(status).status_code == 404
    assert one.get(api).status_code == 404
    assert both.get(compare).status_code == 200
    assert both.get(status).status_code == 200
    assert both.get(api).status_code == 200
