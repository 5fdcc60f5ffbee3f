"""Share links through the pages: creating, opening, revoking, the 410 pages, the admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sharing import links
from sharing.grants import set_group_role, set_user_role
from sharing.ingest import Upload
from sharing.models import Notebook, NotebookUserObjectPermission, ShareLink, ShareLinkEvent
from sharing.notebooks import add_version, delete_notebook
from tests.conftest import PASSWORD, notebook_bytes

pytestmark = pytest.mark.django_db
TITLE = "Quarterly churn"


@pytest.fixture
def notebook(alice, make_notebook):
    return make_notebook(alice, title=TITLE)


def make_link(notebook, creator, days: float = 1, **kwargs):
    return links.create_link(
        notebook, creator, expires_at=timezone.now() + timedelta(days=days), **kwargs
    )


def open_url(token: str) -> str:
    return reverse("sharing:share-link-open", args=[token])


def links_url(notebook) -> str:
    """The Share page, whose links section replaced the separate links page."""
    return reverse("sharing:notebook-access", args=[notebook.pk])


def links_section(notebook) -> str:
    return links_url(notebook) + "#links"


def create_url(notebook) -> str:
    return reverse("sharing:share-link-create", args=[notebook.pk])


def revoke_url(link) -> str:
    return reverse("sharing:share-link-revoke", args=[link.notebook_id, link.pk])


def shown_token(response) -> str:
    match = re.search(r'id="new-link-url" value="[^"]*/l/([A-Za-z0-9_-]{43})/"', response.text)
    assert match, "the new link is not on the page"
    return match[1]


VALID_POST = {"role": "viewer", "expires": "1d", "label": "Friday review", "follow": "latest"}


# Opening ------------------------------------------------------------------------------------


def test_a_viewer_link_lets_a_signed_in_person_read_until_it_is_revoked(
    client, notebook, alice, carol
):
    # GIVEN carol, who has no grant, opens a viewer link
    link, token = make_link(notebook, alice)
    client.force_login(carol)
    response = client.get(open_url(token))
    # THEN she is sent to the notebook's own address and may read but not edit
    assert response.status_code == 302
    assert response.url == notebook.get_absolute_url()
    page = client.get(notebook.get_absolute_url())
    assert page.status_code == 200
    assert "data-role>viewer<" in page.text
    assert client.get(reverse("sharing:notebook-rename", args=[notebook.pk])).status_code == 403
    # WHEN alice revokes it THEN carol's next page load is the revoked page, without the title
    links.revoke(link, alice)
    gone = client.get(notebook.get_absolute_url())
    assert gone.status_code == 410
    assert "This link was revoked" in gone.text
    assert TITLE not in gone.text
    assert client.get(notebook.get_absolute_url()).status_code == 410


def test_a_link_never_becomes_a_grant(client, notebook, alice, carol):
    _, token = make_link(notebook, alice)
    client.force_login(carol)
    client.get(open_url(token))
    assert not NotebookUserObjectPermission.objects.filter(user=carol).exists()
    assert not Notebook.objects.visible_to(carol).exists()
    assert client.get(reverse("sharing:dashboard") + "?tab=shared").context["rows"] == []


def test_each_opening_is_counted_and_recorded(client, notebook, alice, carol):
    link, token = make_link(notebook, alice)
    client.force_login(carol)
    client.get(open_url(token))
    client.get(open_url(token))
    link.refresh_from_db()
    assert link.use_count == 2
    assert link.last_used_at is not None
    used = ShareLinkEvent.objects.filter(link=link, kind="used")
    assert [event.actor for event in used] == [carol, carol]


def test_signing_in_through_a_link_lands_on_the_notebook(client, notebook, alice, carol):
    # GIVEN an internal link WHEN someone not signed in opens it
    _, token = make_link(notebook, alice)
    response = client.get(open_url(token))
    # THEN they are asked to sign in, and the link survives the round trip
    login = reverse("login")
    assert response.status_code == 302
    assert response.url.startswith(login)
    next_url = response.url.split("next=", 1)[1]
    signed_in = client.post(
        login, {"username": "carol", "password": PASSWORD, "next": open_url(token)}
    )
    assert signed_in.url == open_url(token)
    landed = client.get(signed_in.url)
    assert landed.url == notebook.get_absolute_url()
    assert client.get(landed.url).status_code == 200
    assert "%2Fl%2F" in next_url or "/l/" in next_url


def test_an_expired_link_answers_410_without_the_title(client, notebook, alice, carol):
    link, token = make_link(notebook, alice)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    for who in (None, carol):
        if who:
            client.force_login(who)
        response = client.get(open_url(token))
        assert response.status_code == 410
        assert "This link has expired" in response.text
        assert TITLE not in response.text
    attempts = ShareLinkEvent.objects.filter(link=link, kind="expired_attempt").order_by("id")
    assert [event.actor for event in attempts] == [None, carol]


def test_expiry_ends_access_at_the_next_request(client, notebook, alice, carol):
    link, token = make_link(notebook, alice)
    client.force_login(carol)
    client.get(open_url(token))
    assert client.get(notebook.get_absolute_url()).status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    response = client.get(notebook.get_absolute_url())
    assert response.status_code == 410
    assert "This link has expired" in response.text
    # The ended use is recorded once, not at every page load.
    client.get(notebook.get_absolute_url())
    assert ShareLinkEvent.objects.filter(link=link, kind="expired_attempt").count() == 1


def test_a_link_of_a_removed_editor_ends_access(client, notebook, alice, bob, carol):
    set_user_role(notebook, bob, "editor")
    _, token = make_link(notebook, bob)
    client.force_login(carol)
    client.get(open_url(token))
    set_user_role(notebook, bob, None)
    response = client.get(notebook.get_absolute_url())
    assert response.status_code == 410
    assert "This link no longer works" in response.text
    assert client.get(open_url(token)).status_code == 410


def test_a_link_to_a_deleted_notebook_is_404(client, notebook, alice, carol):
    _, token = make_link(notebook, alice)
    client.force_login(carol)
    client.get(open_url(token))
    url = notebook.get_absolute_url()
    delete_notebook(notebook)
    assert client.get(url).status_code == 404
    assert client.get(open_url(token)).status_code == 404


def test_unknown_and_malformed_tokens_are_404(client, carol):
    client.force_login(carol)
    assert client.get(open_url(links.generate_token())).status_code == 404
    assert client.get(open_url("not-a-token")).status_code == 404


def test_a_pinned_link_shows_only_its_version(client, notebook, alice, carol):
    first = notebook.latest_version
    _, token = make_link(notebook, alice, pinned_version=first)
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", notebook_bytes(cells=5)))
    client.force_login(carol)
    assert client.get(open_url(token)).url == first.get_absolute_url()
    # The latest-version address redirects to the pinned version; other versions do not exist.
    assert client.get(notebook.get_absolute_url()).url == first.get_absolute_url()
    page = client.get(first.get_absolute_url())
    assert page.status_code == 200
    assert [v.number for v in page.context["versions"]] == [1]
    assert "data-pinned-only" in page.text
    assert client.get(reverse("sharing:version-detail", args=[notebook.pk, 2])).status_code == 404
    download = reverse("sharing:version-download", args=[notebook.pk, 2])
    assert client.get(download).status_code == 404


def test_a_following_link_shows_the_latest_version(client, notebook, alice, carol):
    _, token = make_link(notebook, alice)
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", notebook_bytes(cells=5)))
    client.force_login(carol)
    client.get(open_url(token))
    page = client.get(notebook.get_absolute_url())
    assert page.context["version"].number == 2
    assert [v.number for v in page.context["versions"]] == [2, 1]


def test_anonymous_links_need_the_site_setting(client, notebook, alice, settings):
    settings.SHARE_LINKS_ALLOW_ANONYMOUS = True
    _, token = make_link(notebook, alice, anonymous=True)
    # WHEN someone not signed in opens it THEN they read the notebook without an account
    assert client.get(open_url(token)).url == notebook.get_absolute_url()
    assert client.get(notebook.get_absolute_url()).status_code == 200
    rename = client.get(reverse("sharing:notebook-rename", args=[notebook.pk]))
    assert rename.status_code == 302  # everything else still asks to sign in
    # WHEN the site turns anonymous links off THEN the same person is asked to sign in
    settings.SHARE_LINKS_ALLOW_ANONYMOUS = False
    page = client.get(notebook.get_absolute_url())
    assert page.status_code == 404 or page.url.startswith(reverse("login"))


def test_an_internal_link_does_not_work_without_signing_in(client, notebook, alice, settings):
    settings.SHARE_LINKS_ALLOW_ANONYMOUS = True
    _, token = make_link(notebook, alice)
    assert client.get(open_url(token)).url.startswith(reverse("login"))
    assert client.get(notebook.get_absolute_url()).url.startswith(reverse("login"))


# Managing -----------------------------------------------------------------------------------


def test_an_editor_creates_a_link_and_sees_it_once(client, notebook, bob):
    set_user_role(notebook, bob, "editor")
    client.force_login(bob)
    response = client.post(create_url(notebook), VALID_POST)
    assert response.status_code == 302
    assert response.url == links_section(notebook)
    page = client.get(links_url(notebook))
    token = shown_token(page)
    link = ShareLink.objects.get()
    assert links.matches(link, token)
    assert (link.role, link.label, link.created_by, link.pinned_version) == (
        "viewer",
        "Friday review",
        bob,
        None,
    )
    assert timedelta(hours=23) < link.expires_at - timezone.now() <= timedelta(days=1)
    assert page["Cache-Control"] == "no-store"
    # Shown once: the next visit does not show it again.
    assert token not in client.get(links_url(notebook)).text


def test_a_link_can_pin_the_current_version(client, notebook, alice):
    client.force_login(alice)
    client.post(create_url(notebook), {**VALID_POST, "follow": "pinned"})
    assert ShareLink.objects.get().pinned_version == notebook.latest_version


def test_a_date_expiry_lasts_until_the_end_of_that_day(client, notebook, alice):
    client.force_login(alice)
    day = timezone.localdate() + timedelta(days=3)
    client.post(create_url(notebook), {**VALID_POST, "expires": "date", "expires_on": day})
    expires = timezone.localtime(ShareLink.objects.get().expires_at)
    assert (expires.date(), expires.hour, expires.minute) == (day + timedelta(days=1), 0, 0)


@pytest.mark.parametrize(
    ("change", "field", "code_text"),
    [
        ({"role": "editor"}, "role", "viewer or commenter"),
        ({"expires": "never"}, "expires", "offered expiry"),
        ({"expires": "date"}, "expires_on", "Choose the expiry date"),
        ({"expires": "date", "expires_on": "2001-01-01"}, "expires_on", "has passed"),
        ({"expires": "date", "expires_on": "2999-01-01"}, "expires_on", "at most 90 days"),
        ({"expires": "date", "expires_on": "soon"}, "expires_on", "Enter a date"),
        ({"follow": "v7"}, "follow", "latest or the current"),
        ({"label": "x" * 101}, "label", "at most 100"),
    ],
)
def test_bad_link_requests_are_refused_with_a_clear_error(
    client, notebook, alice, change, field, code_text
):
    client.force_login(alice)
    response = client.post(create_url(notebook), {**VALID_POST, **change})
    assert response.status_code == 400
    assert code_text in " ".join(response.context["link_form"].errors[field])
    assert not ShareLink.objects.exists()


def test_the_anonymous_option_appears_only_when_allowed(client, notebook, alice, settings):
    client.force_login(alice)
    assert "Anyone with the link" not in client.get(links_url(notebook)).text
    client.post(create_url(notebook), {**VALID_POST, "anonymous": "on"})
    assert ShareLink.objects.get().anonymous is False  # ignored when not offered
    settings.SHARE_LINKS_ALLOW_ANONYMOUS = True
    assert "Anyone with the link" in client.get(links_url(notebook)).text


def test_never_is_offered_only_when_allowed(client, notebook, alice, settings):
    settings.SHARE_LINKS_ALLOW_NEVER = True
    client.force_login(alice)
    client.post(create_url(notebook), {**VALID_POST, "expires": "never"})
    assert ShareLink.objects.get().expires_at is None


def test_a_short_site_maximum_removes_longer_choices(client, notebook, alice, settings):
    settings.SHARE_LINK_MAX_DAYS = 1
    client.force_login(alice)
    form = client.get(links_url(notebook)).context["link_form"]
    assert [value for value, _ in form.fields["expires"].choices] == ["1h", "1d", "date"]
    assert form.fields["expires"].initial == "1d"


def test_revoking_from_the_share_page_returns_there(client, notebook, alice):
    link, _ = make_link(notebook, alice)
    client.force_login(alice)
    access_url = reverse("sharing:notebook-access", args=[notebook.pk])
    page = client.get(access_url)
    assert f'data-link="{link.pk}"' in page.text
    response = client.post(revoke_url(link), {"next": access_url})
    assert response.url == access_url + "#links"
    link.refresh_from_db()
    assert (link.revoked_at is not None, link.revoked_by) == (True, alice)


def test_revoking_refuses_to_go_to_another_site(client, notebook, alice):
    link, _ = make_link(notebook, alice)
    client.force_login(alice)
    response = client.post(revoke_url(link), {"next": "https://evil.example/"})
    assert response.url == links_section(notebook)


def test_the_old_links_page_leads_to_the_share_page(client, notebook, alice):
    client.force_login(alice)
    old = reverse("sharing:notebook-links", args=[notebook.pk])
    assert client.get(old).url == links_section(notebook)


def test_revoking_twice_says_so(client, notebook, alice):
    link, _ = make_link(notebook, alice)
    client.force_login(alice)
    client.post(revoke_url(link))
    response = client.post(revoke_url(link), follow=True)
    assert "already revoked" in response.text


def test_a_link_of_another_notebook_cannot_be_revoked_through_this_one(
    client, notebook, alice, make_notebook
):
    other = make_notebook(alice)
    link, _ = make_link(other, alice)
    client.force_login(alice)
    url = reverse("sharing:share-link-revoke", args=[notebook.pk, link.pk])
    assert client.post(url).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_owner_sees_every_event_of_every_link(client, notebook, alice, carol):
    link, token = make_link(notebook, alice, label="for carol")
    client.force_login(carol)
    client.get(open_url(token))
    links.revoke(link, alice)
    client.get(open_url(token))
    client.force_login(alice)
    page = client.get(links_url(notebook))
    kinds = [event.kind for event in page.context["events"]]
    assert kinds == ["revoked_attempt", "revoked", "used", "created"]
    assert "carol" in page.text
    row = page.context["share_links"][0]
    assert (row.state, row.use_count) == ("revoked", 1)


def test_the_links_page_makes_the_same_queries_for_many_links(
    client, notebook, alice, carol, django_assert_num_queries
):
    for i in range(3):
        make_link(notebook, alice, label=f"link {i}")
    client.force_login(alice)
    client.get(links_url(notebook))  # warm the content-type cache
    # The Share page: session, user, notebook + latest version (get_notebook_or_404),
    # guardian's user and group permissions, links with creator rights, events with their
    # links and actors, then the owner's sections (grants, groups, pending invitations) and
    # the notebook's audit events (their count and one page), the header's unread count.
    with CaptureQueriesContext(connection) as few:
        client.get(links_url(notebook))
    assert len(few) <= 14
    for i in range(12):
        link, _ = make_link(notebook, alice, label=f"more {i}")
        links.revoke(link, alice)
    with django_assert_num_queries(len(few)):
        client.get(links_url(notebook))


# Administration -----------------------------------------------------------------------------


def test_the_admin_lists_active_links_and_revokes_in_bulk(client, notebook, alice, admin_user_):
    working, _ = make_link(notebook, alice, label="working")
    also, _ = make_link(notebook, alice, label="also working")
    ended, _ = make_link(notebook, alice, label="ended")
    links.revoke(ended, alice)
    client.force_login(admin_user_)
    changelist = reverse("admin:sharing_sharelink_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert {link.label for link in page.context["cl"].result_list} == {"working", "also working"}
    everything = client.get(changelist + "?state=all").context["cl"].result_list
    assert len(everything) == 3
    by_creator = client.get(f"{changelist}?created_by__id__exact={alice.pk}")
    assert by_creator.status_code == 200
    response = client.post(
        changelist,
        {"action": "revoke_links", "_selected_action": [working.pk, also.pk]},
        follow=True,
    )
    assert "Revoked 2 share links." in response.text
    assert not links.usable(ShareLink.objects.all()).exists()
    assert ShareLinkEvent.objects.filter(kind="revoked", actor=admin_user_).count() == 2


def test_the_admin_cannot_create_links(client, admin_user_):
    client.force_login(admin_user_)
    assert client.get(reverse("admin:sharing_sharelink_add")).status_code == 403


def test_a_group_editor_may_manage_links(client, notebook, bob):
    team = Group.objects.create(name="analysts")
    team.user_set.add(bob)
    set_group_role(notebook, team, "editor")
    client.force_login(bob)
    assert client.get(links_url(notebook)).status_code == 200
