"""The inbox page, the unread count in the header, marking read, and the rule that a notice
about a notebook the person may no longer see is never shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sharing.grants import set_user_role
from sharing.notifications import send
from sharing.notifications.inbox import notices_for, unread_count
from sharing.notifications.models import Notification

pytestmark = pytest.mark.django_db

INBOX = reverse("sharing:inbox")


@pytest.fixture
def shared_with_bob(alice, bob, make_notebook):
    """Three notebooks alice shared with bob, each with its notice."""
    notebooks = []
    for title in ("Churn", "Forecast", "Pricing"):
        notebook = make_notebook(alice, title=title)
        set_user_role(notebook, bob, "viewer")
        send.shared_with_person(notebook, alice, bob, "viewer", "http://testserver")
        notebooks.append(notebook)
    return notebooks


def test_the_header_shows_the_unread_count(client, bob, shared_with_bob):
    client.force_login(bob)
    html = client.get(reverse("sharing:dashboard")).content.decode()
    assert (
        '<span class="count-badge" data-unread-count>3<span class="visually-hidden"> unread' in html
    )


def test_no_badge_without_unread_notices(client, bob):
    client.force_login(bob)
    html = client.get(reverse("sharing:dashboard")).content.decode()
    assert f'href="{INBOX}"' in html
    assert "data-unread-count" not in html


def test_the_inbox_lists_notices_newest_first(client, bob, shared_with_bob):
    client.force_login(bob)
    response = client.get(INBOX)
    html = response.content.decode()
    assert html.index("Pricing") < html.index("Forecast") < html.index("Churn")
    assert html.count('class="notice unread"') == 3
    assert "Mark all read" in html


def test_marking_one_read_then_all_read(client, bob, shared_with_bob):
    client.force_login(bob)
    first = Notification.objects.filter(recipient=bob).last()
    response = client.post(reverse("sharing:inbox-read"), {"notice": [first.pk]})
    assert response.status_code == 302
    assert unread_count(bob) == 2
    client.post(reverse("sharing:inbox-read-all"))
    assert unread_count(bob) == 0
    html = client.get(INBOX).content.decode()
    assert 'class="notice unread"' not in html
    assert "Mark all read" not in html


def test_nobody_marks_another_persons_notices_read(client, carol, bob, shared_with_bob):
    client.force_login(carol)
    ids = list(Notification.objects.values_list("pk", flat=True))
    client.post(reverse("sharing:inbox-read"), {"notice": ids})
    client.post(reverse("sharing:inbox-read-all"))
    assert unread_count(bob) == 3


def test_opening_a_notice_marks_it_read_and_goes_to_the_notebook(client, bob, shared_with_bob):
    client.force_login(bob)
    notice = Notification.objects.filter(recipient=bob).first()
    response = client.get(reverse("sharing:inbox-open", args=[notice.pk]))
    assert response.status_code == 302
    assert response.url == notice.notebook.get_absolute_url()
    notice.refresh_from_db()
    assert not notice.is_unread


def test_someone_elses_notice_is_404(client, carol, shared_with_bob):
    client.force_login(carol)
    notice = Notification.objects.first()
    assert client.get(reverse("sharing:inbox-open", args=[notice.pk])).status_code == 404


def test_a_notice_about_a_notebook_taken_back_is_hidden_and_not_counted(
    client, bob, shared_with_bob
):
    # GIVEN bob was told of three notebooks, WHEN alice takes one back
    churn = shared_with_bob[0]
    set_user_role(churn, bob, None)
    # THEN its notice is neither listed, counted, nor openable
    client.force_login(bob)
    html = client.get(INBOX).content.decode()
    assert "Churn" not in html
    assert unread_count(bob) == 2
    hidden = Notification.objects.get(notebook=churn)
    assert client.get(reverse("sharing:inbox-open", args=[hidden.pk])).status_code == 404
    # AND it shows again if access comes back
    set_user_role(churn, bob, "viewer")
    assert notices_for(bob).filter(pk=hidden.pk).exists()


def test_the_notebook_pages_count_is_the_inbox_count(client, bob, shared_with_bob, make_user):
    """The notebook page reads the unread count with the notebook: the same number as
    ``unread_count``, hidden notices left out, read ones not counted."""
    churn, forecast, _ = shared_with_bob
    set_user_role(churn, bob, None)  # its notice is hidden
    Notification.objects.filter(notebook=forecast).update(read_at="2026-01-01T00:00:00Z")
    assert unread_count(bob) == 1
    client.force_login(bob)
    html = client.get(forecast.get_absolute_url()).content.decode()
    assert '<span class="count-badge" data-unread-count>1<span' in html


def test_a_superusers_notebook_page_counts_every_unread_notice(client, bob, shared_with_bob):
    bob.is_superuser = True
    bob.save()
    set_user_role(shared_with_bob[0], bob, None)  # a superuser still sees it
    client.force_login(bob)
    html = client.get(shared_with_bob[1].get_absolute_url()).content.decode()
    assert unread_count(bob) == 3
    assert '<span class="count-badge" data-unread-count>3<span' in html


def test_the_inbox_is_paginated(client, bob, shared_with_bob, settings):
    settings.NOTICES_PER_PAGE = 2
    client.force_login(bob)
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert "Churn" in second and "Pricing" not in second


def test_an_empty_inbox_says_what_will_appear(client, carol):
    client.force_login(carol)
    html = client.get(INBOX).content.decode()
    assert "Nothing new" in html
    assert reverse("sharing:notification-settings") in html


def test_the_inbox_makes_the_same_queries_for_many_notices(
    client, alice, bob, make_notebook, shared_with_bob, django_assert_num_queries
):
    client.force_login(bob)
    # session + person, the header's unread count, the paginator's count, one page of notices
    # with their notebooks, versions and threads.
    with django_assert_num_queries(4):
        client.get(INBOX)
    for i in range(10):
        notebook = make_notebook(alice, title=f"More {i}")
        set_user_role(notebook, bob, "viewer")
        send.shared_with_person(notebook, alice, bob, "viewer")
    with django_assert_num_queries(4):
        client.get(INBOX)


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
