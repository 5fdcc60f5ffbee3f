"""Share links through the API: list, create (token shown once), revoke."""

from __future__ import annotations

import logging
import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing import links
from sharing.forms import ShareLinkForm
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import ShareLink, ShareLinkEvent
from sharing.notebooks import add_version
from tests.api.support import API, TokenClient, fresh_rate_limits, token_for  # noqa: F401
from tests.conftest import notebook_bytes
from tests.test_share_link_secrecy import every_stored_value

pytestmark = pytest.mark.django_db

TOKEN_IN_URL = re.compile(r"/l/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def notebook(alice, bob, carol, make_notebook):
    """alice owns it, bob edits it, carol comments on it."""
    notebook = make_notebook(alice, title="Quarterly churn")
    set_user_role(notebook, bob, "editor")
    set_user_role(notebook, carol, "commenter")
    return notebook


@pytest.fixture
def as_alice(alice) -> TokenClient:
    return TokenClient(token_for(alice))


def create(client: TokenClient, notebook, **choices):
    return client.json("POST", f"/notebooks/{notebook.pk}/links", choices)


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_message(notebook, data: dict) -> tuple[str, str]:
    """What the web's "Create link" form says about ``data``: its first message and code."""
    defaults = {"role": "viewer", "expires": "7d", "follow": "latest"}
    form = ShareLinkForm({**defaults, **data}, notebook=notebook)
    assert not form.is_valid()
    error = next(iter(form.errors.as_data().values()))[0]
    return error.message % (error.params or {}), error.code


# Creating --------------------------------------------------------------------------------


def test_creating_a_link_shows_its_token_once_and_stores_only_its_hash(as_alice, notebook):
    response = create(as_alice, notebook, role="commenter", expires="1d", label="Friday review")

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    token = TOKEN_IN_URL.search(body["url"])[1]
    assert body["url"] == f"http://testserver/l/{token}/"
    assert response.content.decode().count(token) == 1
    link = ShareLink.objects.get(pk=body["id"])
    assert link.token_hash == links.hash_token(token)
    assert token not in every_stored_value()
    assert body["label"] == "Friday review"
    assert (body["role"], body["state"], body["uses"], body["created_by"]) == (
        "commenter",
        "active",
        0,
        "alice",
    )
    # Never again: not in the list, not when reading it back.
    listed = as_alice.get(f"/notebooks/{notebook.pk}/links")
    assert token not in listed.content.decode()
    assert "url" not in listed.json()["results"][0]


def test_a_link_made_through_the_api_opens_on_the_web(as_alice, notebook, make_user):
    url = create(as_alice, notebook).json()["url"]
    dave = web_client(make_user("dave"))

    opened = dave.get(url.removeprefix("http://testserver"))

    assert opened.status_code == 302
    assert opened.url == notebook.get_absolute_url()
    assert dave.get(opened.url).status_code == 200


def test_the_choices_of_the_web_form_are_kept(as_alice, notebook, settings):
    settings.TIME_ZONE = "UTC"
    day = timezone.localdate() + timedelta(days=10)
    response = create(
        as_alice, notebook, expires="date", expires_on=day.isoformat(), follow="pinned"
    )
    assert response.status_code == 201
    link = ShareLink.objects.get(pk=response.json()["id"])
    end_of_day = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    assert link.expires_at == end_of_day
    assert link.pinned_version == notebook.latest_version
    assert response.json()["pinned_version"] == 1
    assert response.json()["role"] == "viewer"  # the form's default


def test_defaults_are_a_viewer_link_for_seven_days_following_the_latest(as_alice, notebook):
    before = timezone.now()
    body = create(as_alice, notebook).json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=7) <= expires - before < timedelta(days=7, minutes=1)
    assert (body["role"], body["pinned_version"], body["anonymous"]) == ("viewer", None, False)


@pytest.mark.parametrize(
    "choices",
    [
        {"expires": "date"},
        {"expires": "date", "expires_on": "2001-01-01"},
        {"expires": "date", "expires_on": "2999-01-01"},
        {"expires": "date", "expires_on": "2030-02-31"},
        {"expires": "never"},
        {"label": "x" * 101},
    ],
    ids=["no date", "past", "too long", "not a date", "never not allowed", "long label"],
)
def test_refused_choices_get_the_web_forms_message_and_store_nothing(as_alice, notebook, choices):
    response = create(as_alice, notebook, **choices)

    assert response.status_code == 400
    assert (response.json()["detail"], response.json()["code"]) == form_message(notebook, choices)
    assert not ShareLink.objects.exists()


def test_longer_lifetimes_than_the_site_allows_are_refused(as_alice, notebook, settings):
    settings.SHARE_LINK_MAX_DAYS = 7
    response = create(as_alice, notebook, expires="30d")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"
    assert not ShareLink.objects.exists()


def test_never_expiring_links_only_where_the_site_allows_them(as_alice, notebook, settings):
    settings.SHARE_LINKS_ALLOW_NEVER = True
    response = create(as_alice, notebook, expires="never")
    assert response.status_code == 201
    assert response.json()["expires_at"] is None


def test_links_without_sign_in_are_refused_unless_the_site_allows_them(
    as_alice, notebook, settings
):
    settings.SHARE_LINKS_ALLOW_ANONYMOUS = False
    refused = create(as_alice, notebook, anonymous=True)
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Links without sign-in are turned off on this site.",
        "code": "not_allowed",
        "errors": [],
    }
    assert not ShareLink.objects.exists()

    settings.SHARE_LINKS_ALLOW_ANONYMOUS = True
    allowed = create(as_alice, notebook, anonymous=True)
    assert allowed.status_code == 201
    assert allowed.json()["anonymous"] is True


def test_a_role_a_link_cannot_give_is_refused_by_the_schema(as_alice, notebook):
    response = create(as_alice, notebook, role="editor")
    assert response.status_code == 422
    assert not ShareLink.objects.exists()


# Listing ---------------------------------------------------------------------------------


def test_the_list_shows_each_links_state_uses_and_creator(as_alice, notebook, alice, bob):
    old, _ = links.create_link(
        notebook, alice, expires_at=timezone.now() + timedelta(days=1), label="old"
    )
    links.revoke(old, alice)
    _, token = links.create_link(
        notebook, bob, expires_at=timezone.now() + timedelta(days=1), label="bob's"
    )
    guest = web_client(alice)
    guest.get(reverse("sharing:share-link-open", args=[token]))

    results = as_alice.get(f"/notebooks/{notebook.pk}/links").json()["results"]

    assert [(r["label"], r["state"], r["uses"], r["created_by"]) for r in results] == [
        ("bob's", "active", 1, "bob"),
        ("old", "revoked", 0, "alice"),
    ]
    assert results[0]["last_used_at"] is not None
    assert results[1]["revoked_at"] is not None


def test_listing_takes_the_same_number_of_queries_however_many_links(
    as_alice, notebook, alice, bob, django_assert_num_queries
):
    def add(count):
        for creator in [alice, bob] * count:
            links.create_link(notebook, creator, expires_at=timezone.now() + timedelta(days=1))

    add(1)
    url = f"/notebooks/{notebook.pk}/links"
    # The token's "last used" is written once a minute at most, and its audit event
    # ("token used") once an hour: both on this first call only.
    as_alice.get(url)
    # token + user (1), rate-limit count (3, see test_api), notebook (1), alice's grants (2),
    # count (1), the page of links with creators, versions and creators' rights (1)
    with django_assert_num_queries(9):
        assert as_alice.get(url).json()["count"] == 2
    add(5)
    with django_assert_num_queries(9):
        assert as_alice.get(url).json()["count"] == 12


def test_a_pinned_link_lists_its_version(as_alice, notebook, alice):
    create(as_alice, notebook, follow="pinned")
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", notebook_bytes(cells=5)))
    assert (
        as_alice.get(f"/notebooks/{notebook.pk}/links").json()["results"][0]["pinned_version"] == 1
    )


# Revoking --------------------------------------------------------------------------------


def test_revoking_through_the_api_ends_a_web_sessions_access_at_its_next_request(
    as_alice, notebook, make_user
):
    # GIVEN dave reading the notebook through a link made with the API
    url = create(as_alice, notebook).json()["url"]
    dave = web_client(make_user("dave"))
    dave.get(url.removeprefix("http://testserver"))
    assert dave.get(notebook.get_absolute_url()).status_code == 200
    link = ShareLink.objects.get()
    # WHEN alice revokes it through the API
    response = as_alice.delete(f"/links/{link.pk}")
    # THEN it is revoked, and dave's very next request is refused as the web refuses it
    assert response.status_code == 204
    assert response.content == b""
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by.username == "alice"
    assert dave.get(notebook.get_absolute_url()).status_code == 410


def test_revoking_twice_changes_nothing_the_second_time(as_alice, notebook):
    link_id = create(as_alice, notebook).json()["id"]
    assert as_alice.delete(f"/links/{link_id}").status_code == 204
    revoked_at = ShareLink.objects.get(pk=link_id).revoked_at
    assert as_alice.delete(f"/links/{link_id}").status_code == 204
    assert ShareLink.objects.get(pk=link_id).revoked_at == revoked_at
    assert ShareLinkEvent.objects.filter(kind=ShareLinkEvent.Kind.REVOKED).count() == 1


def test_an_editor_revokes_a_link_the_owner_made(notebook, alice, bob):
    # GIVEN a link alice made, and bob who edits the notebook
    link, _ = links.create_link(notebook, alice, expires_at=timezone.now() + timedelta(days=1))
    # WHEN bob revokes it through the API
    response = TokenClient(token_for(bob)).delete(f"/links/{link.pk}")
    # THEN it is revoked, as on the web "Share links" page
    assert response.status_code == 204
    link.refresh_from_db()
    assert link.revoked_by == bob


def test_a_commenter_cannot_revoke_and_an_outsider_does_not_see_the_link(
    notebook, alice, carol, make_user
):
    # GIVEN a link on alice's notebook
    link, _ = links.create_link(notebook, alice, expires_at=timezone.now() + timedelta(days=1))
    # WHEN carol (commenter) and dave (no access) try to revoke it
    as_carol = TokenClient(token_for(carol)).delete(f"/links/{link.pk}")
    as_dave = TokenClient(token_for(make_user("dave"))).delete(f"/links/{link.pk}")
    # THEN carol is refused, dave is told there is no such link, and it still works
    assert (as_carol.status_code, as_carol.json()["code"]) == (403, "forbidden")
    assert (as_dave.status_code, as_dave.json()["code"]) == (404, "not_found")
    assert links.state(links.find_by_pk(link.pk)) is links.State.ACTIVE


def test_an_unknown_link_is_404(as_alice):
    response = as_alice.delete("/links/999999")
    assert (response.status_code, response.json()["detail"]) == (404, "No such link.")


# Links and API callers -------------------------------------------------------------------


def test_a_share_link_in_a_browser_session_lends_nothing_to_a_token(notebook, alice, make_user):
    # GIVEN dave's browser holding a link to alice's notebook, and erin's token
    _, token = links.create_link(notebook, alice, expires_at=timezone.now() + timedelta(days=1))
    dave = web_client(make_user("dave"))
    dave.get(reverse("sharing:share-link-open", args=[token]))
    erin_token = token_for(make_user("erin"))
    # WHEN erin's token is sent from dave's browser
    response = dave.get(
        f"{API}/notebooks/{notebook.pk}", headers={"Authorization": f"Bearer {erin_token}"}
    )
    # THEN the token speaks for erin alone
    assert response.status_code == 404
    # while dave's own session may read it through the API, as on the web
    assert dave.get(f"{API}/notebooks/{notebook.pk}").status_code == 200


def test_a_session_whose_link_ended_gets_a_json_404_from_the_api(
    as_alice, notebook, alice, make_user
):
    link, token = links.create_link(notebook, alice, expires_at=timezone.now() + timedelta(days=1))
    dave = web_client(make_user("dave"))
    dave.get(reverse("sharing:share-link-open", args=[token]))
    as_alice.delete(f"/links/{link.pk}")

    response = dave.get(f"{API}/notebooks/{notebook.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_raw_token_never_appears_in_the_logs(as_alice, notebook, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    response = create(as_alice, notebook, label="for the logs")
    body = response.json()
    token = TOKEN_IN_URL.search(body["url"])[1]
    dave = web_client(make_user("dave"))
    dave.get(f"/l/{token}/")
    as_alice.get(f"/notebooks/{notebook.pk}/links")
    as_alice.delete(f"/links/{body['id']}")
    dave.get(f"/l/{token}/")  # refused: revoked, logged
    dave.get(f"/l/{token}x/")  # not found, logged
    as_alice.delete(f"/links/{body['id'] + 1000}")  # not found

    log_text = "\n".join([record.getMessage() for record in caplog.records] + [caplog.text])
    assert "/l/[redacted]/" in log_text
    assert token not in log_text
