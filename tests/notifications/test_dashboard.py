"""The dashboard opens on what matters to the person: recent notices, what was shared with
them, and notebooks they opened through share links that still work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing import links
from sharing.comments.cells import version_cells
from sharing.grants import set_group_role, set_user_role
from sharing.notifications import send

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("sharing:dashboard")


def _link(notebook, creator):
    return links.create_link(notebook, creator, expires_at=timezone.now() + timedelta(days=1))


def test_a_new_colleagues_first_page_shows_what_was_shared_with_them(
    client, alice, make_user, make_notebook
):
    # GIVEN a new colleague in a group alice shared a notebook with
    newcomer = make_user("nina")
    team = Group.objects.create(name="Forecasting")
    team.user_set.add(newcomer)
    notebook = make_notebook(alice, title="Quarterly forecast")
    set_group_role(notebook, team, "viewer")
    send.shared_with_group(notebook, alice, team, "viewer")
    # WHEN nina opens the site
    client.force_login(newcomer)
    html = client.get(DASHBOARD).content.decode()
    # THEN the first thing is the notebook and the notice, not "No notebooks yet"
    assert "No notebooks yet" not in html
    assert "data-shared-recent" in html and "Quarterly forecast" in html
    assert "data-recent-activity" in html
    assert "<strong>alice</strong> shared <strong>Quarterly forecast</strong> with you" in html
    assert "None of your own yet" in html


def test_shares_made_before_notices_existed_still_show(client, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Old share")
    set_user_role(notebook, bob, "viewer")
    client.force_login(bob)
    html = client.get(DASHBOARD).content.decode()
    assert "data-shared-recent" in html and "Old share" in html
    assert "data-recent-activity" not in html  # no notice was ever made


def test_someone_with_nothing_at_all_gets_the_upload_invitation(client, carol):
    client.force_login(carol)
    html = client.get(DASHBOARD).content.decode()
    assert "No notebooks yet" in html
    assert "data-activity" not in html


def test_new_comments_on_my_notebooks_show_in_my_activity(client, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Churn")
    set_user_role(notebook, bob, "commenter")
    client.force_login(bob)
    cell = sorted(version_cells(notebook.latest_version).values(), key=lambda c: c.index)[1]
    url = reverse("sharing:version-comments", args=[notebook.pk, 1])
    client.post(url, {"cell_id": cell.id, "body": "Why this threshold?"})
    client.force_login(alice)
    html = client.get(DASHBOARD).content.decode()
    assert "<strong>bob</strong> commented on <strong>Churn</strong>" in html
    assert "Why this threshold?" in html


def test_notebooks_opened_through_a_link_are_listed_while_the_link_lives(
    client, alice, carol, make_notebook
):
    notebook = make_notebook(alice, title="Through a link")
    link, token = _link(notebook, alice)
    client.force_login(carol)
    client.get(reverse("sharing:share-link-open", args=[token]))
    html = client.get(DASHBOARD).content.decode()
    assert "Opened through links" in html and "Through a link" in html
    # WHEN the link is revoked THEN the notebook leaves the list
    links.revoke(link, alice)
    html = client.get(DASHBOARD).content.decode()
    assert "Through a link" not in html


def test_only_the_person_who_opened_a_link_sees_it_listed(client, alice, bob, make_notebook):
    notebook = make_notebook(alice, title="Through a link")
    _, token = _link(notebook, alice)
    client.force_login(bob)
    client.get(reverse("sharing:share-link-open", args=[token]))
    client.logout()
    client.force_login(alice)
    assert "Opened through links" not in client.get(DASHBOARD).content.decode()


def test_a_notice_about_a_notebook_taken_back_leaves_the_dashboard(
    client, alice, bob, make_notebook
):
    notebook = make_notebook(alice, title="Secret plan")
    set_user_role(notebook, bob, "viewer")
    send.shared_with_person(notebook, alice, bob, "viewer")
    set_user_role(notebook, bob, None)
    client.force_login(bob)
    assert "Secret plan" not in client.get(DASHBOARD).content.decode()


def test_the_opening_page_makes_the_same_queries_however_much_there_is(
    client, alice, bob, make_notebook, django_assert_num_queries
):
    elsewhere = Client()  # bob opens the links in another browser: this session holds none
    elsewhere.force_login(bob)

    def add(i: int) -> None:
        notebook = make_notebook(alice, title=f"Shared {i}")
        set_user_role(notebook, bob, "viewer")
        send.shared_with_person(notebook, alice, bob, "viewer")
        _, token = _link(notebook, alice)
        elsewhere.get(reverse("sharing:share-link-open", args=[token]))
        make_notebook(bob, title=f"Own {i}")

    client.force_login(bob)
    add(0)
    # session + person, paginator count, one page of own notebooks with the person's grants on
    # each row, recent notices, shared with me, links opened, the unread count.
    with django_assert_num_queries(7):
        client.get(DASHBOARD)
    for i in range(1, 12):
        add(i)
    with django_assert_num_queries(7):
        client.get(DASHBOARD)
