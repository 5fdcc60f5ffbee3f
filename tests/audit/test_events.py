"""Every audited action writes exactly its event: who acted, on what, and how it ended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from sharing import links, tokens
from sharing.audit.models import Action, ActorKind, Outcome
from sharing.forms import DEFAULT_LINK_EXPIRY
from tests.api.support import API, bearer, upload
from tests.audit.support import Site, comment_by, events_since, last_id
from tests.conftest import PASSWORD

NOTEBOOK = "Quarterly churn"


def _url(name: str, *args) -> str:
    return reverse(f"sharing:{name}", args=args)


@dataclass(frozen=True)
class Case:
    act: Callable[[Site, dict], object]
    action: str
    actor_kind: str
    actor: str  # the username recorded, "" for none
    object_type: str
    object_title: str = ""
    outcome: str = Outcome.SUCCESS
    prepare: Callable[[Site, dict], None] = lambda site, state: None
    signed_in: str | None = None  # who is signed in (before the count starts)
    details: dict = field(default_factory=dict)  # must be among the event's details


def _sign_in(site, state):
    site.client.post(reverse("login"), {"username": "alice", "password": PASSWORD})


def _wrong_password(site, state):
    site.client.post(reverse("login"), {"username": "alice", "password": "not it"})


def _sign_out(site, state):
    site.client.post(reverse("logout"))


def _view(site, state):
    assert site.client.get(site.notebook.get_absolute_url()).status_code == 200


def _download(site, state):
    response = site.client.get(_url("version-download", site.notebook.pk, 1))
    assert response.status_code == 200


def _download_api(site, state):
    response = site.client.get(
        f"{API}/notebooks/{site.notebook.pk}/versions/1/ipynb", headers=bearer(state["token"])
    )
    assert response.status_code == 200


def _make_token(site, state):
    state["token"] = tokens.create_token(site.alice, "ci", 30).raw
    tokens.authenticate(state["token"])  # its hourly "used" event is already written


def _upload_version(site, state):
    response = site.client.post(
        _url("notebook-upload-version", site.notebook.pk), {"file": upload()}
    )
    assert response.status_code == 302


def _upload_new(site, state):
    response = site.client.post(_url("upload"), {"file": upload(), "title": "Carol's"})
    assert response.status_code == 302


def _rename(site, state):
    response = site.client.post(
        _url("notebook-rename", site.notebook.pk), {"title": "Churn, final"}
    )
    assert response.status_code == 302


def _rename_api(site, state):
    response = site.client.patch(
        f"{API}/notebooks/{site.notebook.pk}",
        {"title": "Churn, final"},
        content_type="application/json",
        headers=bearer(state["token"]),
    )
    assert response.status_code == 200


def _delete(site, state):
    response = site.client.post(_url("notebook-delete", site.notebook.pk))
    assert response.status_code == 302


def _share(user_name: str, role: str):
    def act(site, state):
        person = getattr(site, user_name)
        response = site.client.post(
            _url("access-person", site.notebook.pk),
            {"who": person.username, "role": role, "confirm_user": person.pk},
        )
        assert response.status_code == 302

    return act


def _remove_bob(site, state):
    response = site.client.post(_url("access-person-remove", site.notebook.pk, site.bob.pk))
    assert response.status_code == 302


def _open_to_everyone(site, state):
    response = site.client.post(
        _url("access-visibility", site.notebook.pk), {"visibility": "org_view"}
    )
    assert response.status_code == 302


def _share_with_group(site, state):
    group = Group.objects.create(name="Analysts")
    response = site.client.post(
        _url("access-group", site.notebook.pk), {"group": group.pk, "role": "viewer"}
    )
    assert response.status_code == 302


def _transfer(site, state):
    response = site.client.post(
        _url("notebook-transfer", site.notebook.pk), {"who": "bob", "confirm": "on"}
    )
    assert response.status_code == 302


def _create_link(site, state):
    response = site.client.post(
        _url("share-link-create", site.notebook.pk),
        {"role": "viewer", "expires": DEFAULT_LINK_EXPIRY, "follow": "latest", "label": "Board"},
    )
    assert response.status_code == 302


def _make_link(site, state):
    state["link"], state["link_token"] = links.create_link(
        site.notebook, site.alice, expires_at=links.latest_expiry(), label="Board"
    )


def _make_revoked_link(site, state):
    _make_link(site, state)
    links.revoke(state["link"], site.alice)


def _open_link(site, state):
    response = site.client.get(_url("share-link-open", state["link_token"]))
    assert response.status_code in (302, 410)


def _revoke_link(site, state):
    response = site.client.post(_url("share-link-revoke", site.notebook.pk, state["link"].pk))
    assert response.status_code == 302


def _create_token_page(site, state):
    response = site.client.post(_url("api-tokens"), {"name": "nightly", "expires": "30"})
    assert response.status_code == 302


def _use_token(site, state):
    response = site.client.get(f"{API}/notebooks", headers=bearer(state["token"]))
    assert response.status_code == 200


def _make_unused_token(site, state):
    state["token"] = tokens.create_token(site.alice, "ci", 30).raw


def _revoke_token(site, state):
    token = tokens.tokens_of(site.alice).get()
    response = site.client.post(_url("api-token-revoke", token.pk))
    assert response.status_code == 302


def _bob_comments(site, state):
    state["comment"] = comment_by(site, site.bob)


def _alice_deletes_comment(site, state):
    response = site.client.post(_url("comment-delete", site.notebook.pk, state["comment"].pk))
    assert response.status_code == 200


def _admin_adds_group(site, state):
    response = site.client.post("/admin/auth/group/add/", {"name": "Data team"})
    assert response.status_code == 302


CASES = {
    "sign in": Case(_sign_in, Action.SIGN_IN, ActorKind.USER, "alice", "user", "alice"),
    "sign out": Case(
        _sign_out, Action.SIGN_OUT, ActorKind.USER, "alice", "user", "alice", signed_in="alice"
    ),
    "failed sign-in": Case(
        _wrong_password,
        Action.SIGN_IN_FAILED,
        ActorKind.ANONYMOUS,
        "",
        "",
        outcome=Outcome.DENIED,
        details={"username": "alice"},
    ),
    "notebook viewed": Case(
        _view, Action.NOTEBOOK_VIEWED, ActorKind.USER, "bob", "notebook", signed_in="bob"
    ),
    "notebook downloaded": Case(
        _download, Action.NOTEBOOK_DOWNLOADED, ActorKind.USER, "bob", "notebook", signed_in="bob"
    ),
    "notebook downloaded with a token": Case(
        _download_api,
        Action.NOTEBOOK_DOWNLOADED,
        ActorKind.TOKEN,
        "alice",
        "notebook",
        prepare=_make_token,
    ),
    "version uploaded": Case(
        _upload_version,
        Action.NOTEBOOK_UPLOADED,
        ActorKind.USER,
        "alice",
        "notebook",
        details={"new_notebook": False},
        signed_in="alice",
    ),
    "notebook uploaded": Case(
        _upload_new,
        Action.NOTEBOOK_UPLOADED,
        ActorKind.USER,
        "carol",
        "notebook",
        "Carol's",
        details={"new_notebook": True},
        signed_in="carol",
    ),
    "notebook renamed": Case(
        _rename,
        Action.NOTEBOOK_RENAMED,
        ActorKind.USER,
        "alice",
        "notebook",
        "Churn, final",
        details={"from": NOTEBOOK, "to": "Churn, final"},
        signed_in="alice",
    ),
    "notebook renamed with a token": Case(
        _rename_api,
        Action.NOTEBOOK_RENAMED,
        ActorKind.TOKEN,
        "alice",
        "notebook",
        "Churn, final",
        prepare=_make_token,
    ),
    "notebook deleted": Case(
        _delete, Action.NOTEBOOK_DELETED, ActorKind.USER, "alice", "notebook", signed_in="alice"
    ),
    "access granted": Case(
        _share("carol", "viewer"),
        Action.ACCESS_GRANTED,
        ActorKind.USER,
        "alice",
        "notebook",
        details={"user": "carol", "role": "viewer"},
        signed_in="alice",
    ),
    "access changed": Case(
        _share("bob", "editor"),
        Action.ACCESS_CHANGED,
        ActorKind.USER,
        "alice",
        "notebook",
        details={"user": "bob", "role": "editor"},
        signed_in="alice",
    ),
    "access removed": Case(
        _remove_bob,
        Action.ACCESS_REMOVED,
        ActorKind.USER,
        "alice",
        "notebook",
        details={"user": "bob", "role": None},
        signed_in="alice",
    ),
    "access granted to a group": Case(
        _share_with_group,
        Action.ACCESS_GRANTED,
        ActorKind.USER,
        "alice",
        "notebook",
        details={"group": "Analysts", "role": "viewer"},
        signed_in="alice",
    ),
    "opened to everyone": Case(
        _open_to_everyone,
        Action.ACCESS_CHANGED,
        ActorKind.USER,
        "alice",
        "notebook",
        details={"visibility": "org_view", "previous": "private"},
        signed_in="alice",
    ),
    "ownership transferred": Case(
        _transfer,
        Action.OWNERSHIP_TRANSFERRED,
        ActorKind.USER,
        "alice",
        "notebook",
        details={"from": "alice", "to": "bob"},
        signed_in="alice",
    ),
    "share link created": Case(
        _create_link,
        Action.LINK_CREATED,
        ActorKind.USER,
        "alice",
        "sharelink",
        "Board",
        details={"role": "viewer"},
        signed_in="alice",
    ),
    "share link used": Case(
        _open_link,
        Action.LINK_USED,
        ActorKind.LINK,
        "carol",
        "sharelink",
        "Board",
        prepare=_make_link,
        signed_in="carol",
    ),
    "share link revoked": Case(
        _revoke_link,
        Action.LINK_REVOKED,
        ActorKind.USER,
        "alice",
        "sharelink",
        "Board",
        prepare=_make_link,
        signed_in="alice",
    ),
    "share link refused": Case(
        _open_link,
        Action.LINK_REFUSED,
        ActorKind.LINK,
        "carol",
        "sharelink",
        "Board",
        outcome=Outcome.DENIED,
        prepare=_make_revoked_link,
        details={"state": "revoked"},
        signed_in="carol",
    ),
    "API token created": Case(
        _create_token_page,
        Action.TOKEN_CREATED,
        ActorKind.USER,
        "alice",
        "apitoken",
        details={"owner": "alice"},
        signed_in="alice",
    ),
    "API token used": Case(
        _use_token,
        Action.TOKEN_USED,
        ActorKind.TOKEN,
        "alice",
        "apitoken",
        prepare=_make_unused_token,
    ),
    "API token revoked": Case(
        _revoke_token,
        Action.TOKEN_REVOKED,
        ActorKind.USER,
        "alice",
        "apitoken",
        prepare=_make_unused_token,
        signed_in="alice",
    ),
    "comment deleted by a manager": Case(
        _alice_deletes_comment,
        Action.COMMENT_DELETED,
        ActorKind.USER,
        "alice",
        "comment",
        "Comment by bob",
        prepare=_bob_comments,
        details={"author": "bob"},
        signed_in="alice",
    ),
    "changed in the administration": Case(
        _admin_adds_group,
        Action.ADMIN_CHANGED,
        ActorKind.USER,
        "root",
        "group",
        "Data team",
        details={"change": "added", "model": "auth.group"},
        signed_in="root",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_action_writes_exactly_its_event(site, case: Case):
    state: dict = {}
    case.prepare(site, state)
    if case.signed_in:
        site.client.force_login(getattr(site, case.signed_in))
    start = last_id()
    case.act(site, state)
    events = events_since(start)
    assert [event.action for event in events] == [case.action]
    event = events[0]
    assert (event.actor_kind, event.actor_name, event.outcome) == (
        case.actor_kind,
        case.actor,
        case.outcome,
    )
    assert event.object_type == case.object_type
    if case.object_type == "notebook":
        assert event.object_title == (case.object_title or NOTEBOOK)
    elif case.object_title:
        assert event.object_title == case.object_title
    assert case.details.items() <= event.details.items()
    # Where and how: the test client's address, and the request id the response carried.
    assert event.ip_address == "127.0.0.1"
    assert len(event.request_id) == 32


def test_every_listed_action_has_a_case():
    covered = {case.action for case in CASES.values()}
    meta = {Action.AUDIT_EXPORTED, Action.AUDIT_PURGED}  # tested with the pages and the purge
    assert covered | meta == set(Action.values)
