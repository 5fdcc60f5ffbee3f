"""The notebook page's hot path: queries pinned, 304s only when nothing seen changed, and
nothing cached for one person ever served to another."""

from __future__ import annotations

import gzip

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse

from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import Notebook
from sharing.notebooks import add_version
from sharing.pages import bodies, memo
from tests.conftest import notebook_bytes
from tests.pages.support import GZIP, VIEW_RECORDED, comment_on, page, without_csrf

pytestmark = pytest.mark.django_db


def test_a_viewers_page_takes_four_queries_once_warm(
    client, bob, shared, django_assert_num_queries
):
    client.force_login(bob)
    # Cold (first view in this process): the rendered HTML is fetched by its key and the
    # version list read once; both are then kept (they never change).
    with django_assert_num_queries(5 + VIEW_RECORDED):
        assert client.get(page(shared)).status_code == 200
    # Warm: 1 the session with its person, 2 version + notebook + owner + uploader + the
    # person's grants (direct and through groups) + their Follow state and unread count +
    # the rendering's key, 3 the threads with comments; 4 (outside a test's transaction, a
    # single INSERT) the "notebook viewed" event.
    with django_assert_num_queries(3 + VIEW_RECORDED):
        response = client.get(page(shared))
    assert response.status_code == 200
    assert b"the <em>baseline</em> is off" in response.content


def test_more_comments_and_versions_cost_no_more_queries(
    client, alice, bob, shared, django_assert_num_queries
):
    client.force_login(bob)
    client.get(page(shared))
    for i in range(5):
        comment_on(shared, alice, f"Remark {i}", cell_number=i + 1)
    add_version(shared, alice, Upload.from_bytes("analysis.ipynb", notebook_bytes(cells=9)))
    client.get(page(shared))  # the new version's HTML and version list, once
    memo.clear()  # the whole way: tests/pages/test_memo.py pins a repeat view
    with django_assert_num_queries(3 + VIEW_RECORDED):
        response = client.get(page(shared))
    assert b"Remark 4" in response.content and b"data-version-number>2<" in response.content


def test_revalidating_costs_the_same_permission_check_and_no_body(
    client, bob, shared, django_assert_num_queries
):
    client.force_login(bob)
    etag = client.get(page(shared))["ETag"]
    with django_assert_num_queries(3 + VIEW_RECORDED):
        response = client.get(page(shared), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]


def test_access_removed_is_404_at_the_next_request_even_with_a_held_etag(client, bob, shared):
    client.force_login(bob)
    etag = client.get(page(shared))["ETag"]
    set_user_role(shared, bob, None)
    response = client.get(page(shared), headers={"If-None-Match": etag})
    assert response.status_code == 404


def test_a_role_change_shows_at_the_next_request(client, bob, shared):
    client.force_login(bob)
    before = client.get(page(shared))
    assert b"badge-viewer" in before.content
    set_user_role(shared, bob, "editor")
    after = client.get(page(shared), headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert b"badge-editor" in after.content and b"Upload new version" in after.content
    assert after["ETag"] != before["ETag"]


def test_a_new_version_shows_at_the_next_request(client, alice, bob, shared):
    client.force_login(bob)
    before = client.get(page(shared))
    add_version(shared, alice, Upload.from_bytes("analysis.ipynb", notebook_bytes(cells=4)))
    after = client.get(page(shared), headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert b"data-version-number>2<" in after.content


def test_a_new_comment_shows_at_the_next_request(client, alice, bob, shared):
    client.force_login(bob)
    before = client.get(page(shared))
    comment_on(shared, alice, "Second thoughts on cell two", cell_number=1)
    after = client.get(page(shared), headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert b"Second thoughts on cell two" in after.content


def test_a_rename_shows_at_the_next_request(client, alice, bob, shared):
    client.force_login(bob)
    before = client.get(page(shared))
    Notebook.objects.filter(pk=shared.pk).update(title="Churn, revised")
    after = client.get(page(shared), headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200 and b"Churn, revised" in after.content


def test_one_persons_page_is_never_served_to_another(alice, bob, shared, client_factory):
    """GIVEN bob's page cached (HTML, version list, ETag) WHEN alice asks with bob's ETag
    THEN she gets her own page: her name, her owner actions, none of bob's."""
    as_bob, as_alice = client_factory(bob), client_factory(alice)
    bobs = as_bob.get(page(shared), headers=GZIP)
    bobs_etag = bobs["ETag"]
    alices = as_alice.get(page(shared), headers={**GZIP, "If-None-Match": bobs_etag})
    assert alices.status_code == 200
    assert alices["ETag"] != bobs_etag
    html = gzip.decompress(alices.content)
    assert b'aria-label="alice: account menu"' in html and b'aria-label="bob:' not in html
    assert b"badge-owner" in html and b"badge-viewer" not in html
    bob_html = gzip.decompress(bobs.content)
    assert b'aria-label="bob: account menu"' in bob_html and b"Delete</a>" not in bob_html
    # Nor the other way round, once alice's page is the one in the caches.
    again = as_bob.get(page(shared), headers={**GZIP, "If-None-Match": alices["ETag"]})
    assert again.status_code == 200 and b"badge-viewer" in gzip.decompress(again.content)


def test_the_etag_follows_the_persons_csrf_secret(bob, shared, client_factory):
    first, second = client_factory(bob), client_factory(bob)
    first.get(page(shared))
    second.get(page(shared))
    held = first.get(page(shared))["ETag"]
    # The same person in another browser (another CSRF secret) gets a body of their own.
    assert second.get(page(shared), headers={"If-None-Match": held}).status_code == 200


def test_pages_with_a_message_are_not_revalidated(client, alice, shared):
    client.force_login(alice)
    etag = client.get(page(shared))["ETag"]
    url = reverse("sharing:notebook-rename", args=[shared.pk])
    assert client.post(url, {"title": "Quarterly churn"}).status_code == 302
    response = client.get(page(shared), headers={"If-None-Match": etag})
    assert response.status_code == 200 and b"Notebook renamed." in response.content
    assert "ETag" not in response


def test_the_page_is_gzip_compressed_to_under_a_third_around_the_cached_notebook(
    client, bob, shared
):
    client.force_login(bob)
    plain = client.get(page(shared))
    zipped = client.get(page(shared), headers=GZIP)
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert without_csrf(gzip.decompress(zipped.content)) == without_csrf(plain.content)
    assert len(zipped.content) <= len(plain.content) / 3
    assert int(zipped["Content-Length"]) == len(zipped.content)


def test_compressed_lengths_are_padded_at_random_against_breach(client, bob, shared):
    """Every render draws its own padding (a kept page repeats one render, byte for byte)."""
    client.force_login(bob)
    lengths = set()
    for _ in range(12):
        bodies.clear()
        memo.clear()
        lengths.add(len(client.get(page(shared), headers=GZIP).content))
    assert len(lengths) > 3


@pytest.mark.parametrize("headers", [GZIP, {}], ids=["gzip", "plain"])
def test_a_repeat_view_sends_the_kept_page_and_a_change_renders_anew(
    client, alice, bob, shared, headers
):
    """GIVEN bob's page sent once WHEN he asks again THEN the same bytes come back (a fresh
    render would carry new gzip padding and a new CSRF mask); a new comment is a new page."""
    client.force_login(bob)
    client.get(page(shared))  # the browser now holds its CSRF secret
    first = client.get(page(shared), headers=headers)
    again = client.get(page(shared), headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again.get("Content-Encoding") == first.get("Content-Encoding")
    comment_on(shared, alice, "Second look: *fixed*.")
    changed = client.get(page(shared), headers=headers)
    body = gzip.decompress(changed.content) if headers else changed.content
    assert changed["ETag"] != first["ETag"] and b"Second look" in body


def test_a_kept_page_is_never_sent_to_another_person_or_browser(bob, carol, shared, client_factory):
    """GIVEN bob's page kept WHEN carol (same role) or bob in a second browser asks THEN each
    gets a page rendered for them: their own name, their own CSRF token."""
    set_user_role(shared, carol, "viewer")
    as_bob, as_carol = client_factory(bob), client_factory(carol)
    bob_elsewhere = client_factory(bob)
    for client in (as_bob, as_carol, bob_elsewhere):
        client.get(page(shared))
    bobs = as_bob.get(page(shared)).content
    assert as_bob.get(page(shared)).content == bobs  # kept
    carols = as_carol.get(page(shared)).content
    assert b'aria-label="carol: account menu"' in carols and b'aria-label="bob:' not in carols
    elsewhere = bob_elsewhere.get(page(shared))
    token = bob_elsewhere.cookies["csrftoken"].value
    assert elsewhere.content != bobs and b'aria-label="bob: account menu"' in elsewhere.content
    assert as_bob.cookies["csrftoken"].value != token


def test_version_pages_and_share_link_holders_take_the_same_path(client, alice, bob, shared):
    add_version(shared, alice, Upload.from_bytes("analysis.ipynb", notebook_bytes(cells=4)))
    client.force_login(bob)
    old = client.get(reverse("sharing:version-detail", args=[shared.pk, 1]), headers=GZIP)
    html = gzip.decompress(old.content)
    assert old.status_code == 200 and b"data-version-number>1<" in html
    assert b"See the latest version (2)" in html


def test_the_comments_json_is_revalidated_and_follows_new_comments(
    client, alice, bob, shared, django_assert_num_queries
):
    url = reverse("sharing:version-comments", args=[shared.pk, 1])
    client.force_login(bob)
    client.get(url)
    with django_assert_num_queries(3):  # the session with its person, the version, the threads
        first = client.get(url)
    assert first.status_code == 200 and first.json()["threads"]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    comment_on(shared, alice, "A reply-worthy remark", cell_number=2)
    second = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200 and "A reply-worthy remark" in second.content.decode()


def test_the_comments_json_is_compressed(client, alice, bob, shared):
    for i in range(6):
        comment_on(shared, alice, f"Remark number {i} about this cell and the one before", i)
    client.force_login(bob)
    url = reverse("sharing:version-comments", args=[shared.pk, 1])
    response = client.get(url, headers=GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b"{")


def test_the_dashboard_costs_the_same_queries_for_any_number_of_notebooks(
    client, alice, bob, make_notebook, django_assert_num_queries
):
    first = make_notebook(alice)
    set_user_role(first, bob, "viewer")
    client.force_login(bob)
    url = reverse("sharing:dashboard") + "?tab=shared"
    # 1 the session with its person, 2 count, 3 the page of notebooks with the person's
    # grants, 4 the header's unread count.
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
    for _ in range(24):
        set_user_role(make_notebook(alice), bob, "commenter")
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.content.count(b"badge-commenter") == 20
    assert response.content.count(b"badge-viewer") == 0  # the oldest is on page 2


@pytest.fixture
def client_factory():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def test_templates_are_compiled_once_per_process():
    """Production (DEBUG off, as in tests) keeps compiled templates: Django's cached loader."""
    loaders = engines["django"].engine.loaders
    assert loaders[0][0] == "django.template.loaders.cached.Loader"
