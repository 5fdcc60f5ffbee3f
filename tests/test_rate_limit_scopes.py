"""Rate limits per address and per account on every abusable action, counted atomically."""

from __future__ import annotations

import logging
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharing import ratelimit
from sharing.comments.cells import version_cells
from sharing.links import generate_token
from sharing.models import Comment, Notebook, RateCounter
from tests.api.support import TokenClient, fresh_rate_limits, token_for  # noqa: F401
from tests.conftest import PASSWORD, notebook_bytes

pytestmark = pytest.mark.django_db
LOGIN, ADMIN_LOGIN = "/accounts/login/", "/admin/login/"


def sign_in(url, username, password="wrong", address="10.0.0.1"):  # noqa: S107
    client = Client(REMOTE_ADDR=address)
    return client.post(url, {"username": username, "password": password}).status_code


# Counting ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_each_get_their_own_count():
    # GIVEN 8 threads hitting one counter at the same moment, 5 times each
    barrier = threading.Barrier(8)
    counts: list[int] = []

    def hammer():
        try:
            barrier.wait()
            for _ in range(5):
                counts.append(ratelimit.bump("test:same", 4_000_000_000))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # THEN no two requests ever read the same count: every value from 1 to 40 exactly once
    assert sorted(counts) == list(range(1, 41))
    assert RateCounter.objects.get(key="test:same").hits == 40


def test_a_new_window_starts_again_from_one():
    assert [ratelimit.bump("test:w", 100) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.bump("test:w", 160) == 1
    assert ratelimit.bump("test:w", 160) == 2


def test_several_counters_are_bumped_in_one_statement_each_on_its_own_window():
    assert ratelimit.bump_many({"test:a": 100, "test:b": 200}) == {"test:a": 1, "test:b": 1}
    assert ratelimit.bump_many({"test:a": 100, "test:b": 300}) == {"test:a": 2, "test:b": 1}


def _request(address="10.0.0.7"):
    return RequestFactory(REMOTE_ADDR=address).post("/")


@pytest.mark.django_db(transaction=True)
def test_a_requests_limits_cost_one_statement_outside_a_transaction(settings):
    # GIVEN a scope with a per-address and a per-account limit, in autocommit (as views run)
    settings.RATE_LIMIT_COMMENT, settings.RATE_LIMIT_COMMENT_IP = "2/m", "100/m"
    request = _request()
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as queries:
        assert ratelimit.limit(request, "comment") is None
    # THEN both counters move in one INSERT … ON CONFLICT, with no BEGIN/COMMIT or savepoint
    assert len(queries) == 1 and "ON CONFLICT" in queries[0]["sql"]
    assert sorted(RateCounter.objects.values_list("hits", flat=True)) == [1, 1]
    ratelimit.limit(request, "comment")
    wait = ratelimit.limit(request, "comment")  # the third in a minute: past "2/m"
    assert wait is not None and 1 <= wait <= 60


def test_inside_a_transaction_the_statement_runs_in_a_savepoint(settings):
    settings.RATE_LIMIT_COMMENT, settings.RATE_LIMIT_COMMENT_IP = "2/m", "100/m"
    request = _request()
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as queries:
        ratelimit.limit(request, "comment")
    sql = [query["sql"] for query in queries]
    assert len(sql) == 3 and sql[0].startswith("SAVEPOINT") and "ON CONFLICT" in sql[1]


def test_purging_drops_only_counters_of_long_ended_windows(monkeypatch):
    ratelimit.bump("test:old", 1_000)
    ratelimit.bump("test:new", 10_000_000_000)
    assert ratelimit.purge() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["test:new"]


def test_keys_hold_no_address_or_username(client, settings):
    settings.RATE_LIMIT_LOGIN = "5/m"
    sign_in(LOGIN, "alice", address="203.0.113.77")
    keys = " ".join(RateCounter.objects.values_list("key", flat=True))
    assert keys and "alice" not in keys and "203.0.113.77" not in keys


# Sign-in ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_both_sign_in_forms_are_limited(alice, settings, url):
    settings.RATE_LIMIT_LOGIN = "3/m"
    assert [sign_in(url, "alice") for _ in range(3)] == [200, 200, 200]
    assert sign_in(url, "alice") == 429
    assert sign_in(url, "alice", PASSWORD) == 429  # even the right password waits


def test_the_two_forms_share_one_count(alice, settings):
    settings.RATE_LIMIT_LOGIN = "4/m"
    assert [sign_in(LOGIN, "alice") for _ in range(2)] == [200, 200]
    assert [sign_in(ADMIN_LOGIN, "alice") for _ in range(2)] == [200, 200]
    assert sign_in(ADMIN_LOGIN, "alice") == 429
    assert sign_in(LOGIN, "alice") == 429


def test_one_persons_typos_never_lock_out_colleagues_behind_the_same_proxy(alice, bob, settings):
    # GIVEN the whole company behind one address, and alice mistyping her password
    settings.RATE_LIMIT_LOGIN = "3/m"
    settings.RATE_LIMIT_LOGIN_IP = "50/m"
    for _ in range(5):
        sign_in(LOGIN, "alice", address="192.0.2.1")
    assert sign_in(LOGIN, "alice", PASSWORD, address="192.0.2.1") == 429
    # THEN bob, from the same address, signs in
    assert sign_in(LOGIN, "bob", PASSWORD, address="192.0.2.1") == 302
    assert sign_in(ADMIN_LOGIN, "bob", PASSWORD, address="192.0.2.1") in {200, 302}


@pytest.mark.parametrize("variant", ["ALICE", " alice ", "Alice"])
def test_case_and_spaces_do_not_reset_the_count(alice, settings, variant):
    settings.RATE_LIMIT_LOGIN = "2/m"
    assert [sign_in(LOGIN, "alice") for _ in range(2)] == [200, 200]
    assert sign_in(LOGIN, variant) == 429


def test_many_usernames_from_one_address_hit_the_address_limit(settings):
    settings.RATE_LIMIT_LOGIN_IP = "5/m"
    codes = [sign_in(ADMIN_LOGIN, f"staff{i}") for i in range(6)]
    assert codes == [200] * 5 + [429]
    assert sign_in(ADMIN_LOGIN, "staff0", address="10.9.9.9") == 200


def test_guessing_one_account_from_many_addresses_hits_the_account_limit(alice, settings):
    settings.RATE_LIMIT_LOGIN_ACCOUNT = "4/h"
    codes = [sign_in(ADMIN_LOGIN, "alice", address=f"10.0.1.{i}") for i in range(5)]
    assert codes == [200] * 4 + [429]


# Password reset and sign-up ------------------------------------------------------------


def test_password_reset_is_limited_per_address_typed_and_per_client(alice, settings):
    settings.RATE_LIMIT_PASSWORD_RESET = "2/h"
    settings.RATE_LIMIT_PASSWORD_RESET_IP = "4/h"  # refused attempts count here too
    url = reverse("password_reset")
    client = Client()
    codes = [client.post(url, {"email": "ALICE@example.com"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2  # alice's inbox is not flooded
    assert client.post(url, {"email": "bob@example.com"}).status_code == 302
    assert client.post(url, {"email": "carol@example.com"}).status_code == 429
    assert Client(REMOTE_ADDR="10.2.2.2").post(url, {"email": "x@example.com"}).status_code == 302


# Uploads ----------------------------------------------------------------------------------


def upload(client, name="a.ipynb", **extra):
    file = SimpleUploadedFile(name, notebook_bytes())
    return client.post(reverse("sharing:upload"), {"file": file}, **extra)


def test_web_uploads_are_limited_per_account_and_per_address(alice, bob, settings, tmp_media):
    settings.RATE_LIMIT_UPLOAD = "2/h"
    settings.RATE_LIMIT_UPLOAD_IP = "4/h"  # refused attempts count here too
    client = Client()
    client.force_login(alice)
    assert [upload(client).status_code for _ in range(2)] == [302, 302]
    response = upload(client, HTTP_ACCEPT="application/json")  # the page's script
    assert response.status_code == 429
    assert response.json()["errors"]["__all__"][0]["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    # alice from another address is still alice
    elsewhere = Client(REMOTE_ADDR="10.3.3.3")
    elsewhere.force_login(alice)
    assert upload(elsewhere).status_code == 429
    # bob on alice's address: his first try is the address's fourth, the fifth is refused
    other = Client()
    other.force_login(bob)
    assert [upload(other).status_code for _ in range(2)] == [302, 429]
    assert Notebook.objects.count() == 3


def test_api_uploads_share_the_web_count(alice, settings, tmp_media):
    settings.RATE_LIMIT_UPLOAD = "2/h"
    web = Client()
    web.force_login(alice)
    assert upload(web).status_code == 302
    api = TokenClient(token_for(alice))
    file = SimpleUploadedFile("a.ipynb", notebook_bytes())
    assert api.post("/notebooks", {"file": file}).status_code == 201
    notebook = Notebook.objects.first()
    for path in ("/notebooks", f"/notebooks/{notebook.pk}/versions"):
        file = SimpleUploadedFile("a.ipynb", notebook_bytes())
        response = api.post(path, {"file": file})
        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited"
        assert int(response["Retry-After"]) >= 1
    assert Notebook.objects.count() == 2
    assert notebook.versions.count() == 1


# Comments ---------------------------------------------------------------------------------


@pytest.fixture
def commented(alice, make_notebook):
    notebook = make_notebook(alice)
    cell = min(version_cells(notebook.latest_version).values(), key=lambda c: c.index).id
    return notebook, cell


def test_comments_are_limited_on_the_page_and_in_the_api(alice, commented, settings):
    settings.RATE_LIMIT_COMMENT = "3/h"
    notebook, cell = commented
    client = Client()
    client.force_login(alice)
    url = reverse("sharing:version-comments", args=[notebook.pk, 1])
    first = client.post(url, {"cell_id": cell, "body": "One"})
    assert first.status_code == 201
    thread = first.json()["thread"]
    reply = reverse("sharing:comment-reply", args=[notebook.pk, thread])
    assert client.post(reply, {"body": "Two"}).status_code == 201
    api = TokenClient(token_for(alice))
    assert api.json("POST", f"/threads/{thread}/replies", {"body": "Three"}).status_code == 201
    # The fourth, by any path, is refused and stores nothing
    assert client.post(reply, {"body": "Four"}).status_code == 429
    assert client.post(url, {"cell_id": cell, "body": "Four"}).status_code == 429
    api_reply = api.json("POST", f"/threads/{thread}/replies", {"body": "Four"})
    assert api_reply.status_code == 429
    body = {"cell_id": cell, "body": "Four"}
    assert api.json("POST", f"/notebooks/{notebook.pk}/threads", body).status_code == 429
    # Without JavaScript the page says so
    page = client.post(reply, {"body": "Four"}, HTTP_ACCEPT="text/html")
    assert page.status_code == 302
    assert "Too many comments" in client.get(page.url).text
    assert Comment.objects.count() == 3


# Share links --------------------------------------------------------------------------------


def test_link_opens_of_a_signed_in_person_count_wherever_they_come_from(bob, settings):
    settings.RATE_LIMIT_LINKS = "2/m"

    def guess(address):
        client = Client(REMOTE_ADDR=address)
        client.force_login(bob)
        return client.get(reverse("sharing:share-link-open", args=[generate_token()])).status_code

    assert [guess("10.0.0.1"), guess("10.0.0.2")] == [404, 404]
    assert guess("10.0.0.3") == 429


def test_link_opens_are_limited_per_address_across_accounts(alice, bob, settings):
    settings.RATE_LIMIT_LINKS_IP = "2/m"
    codes = []
    for person in (alice, bob, alice):
        client = Client()
        client.force_login(person)
        codes.append(client.get(reverse("sharing:share-link-open", args=[generate_token()])))
    assert [response.status_code for response in codes] == [404, 404, 429]


# Proxies --------------------------------------------------------------------------------------


def test_forwarded_requests_without_proxy_setting_are_warned_about_once(client, caplog, settings):
    settings.RATE_LIMIT_PROXIES = 0
    caplog.set_level(logging.WARNING, logger="sharing.ratelimit")
    ratelimit._forwarded_warning["logged"] = False
    url = reverse("sharing:share-link-open", args=[generate_token()])
    for _ in range(3):
        client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.7")
    warnings = [r for r in caplog.records if "RATE_LIMIT_PROXIES=0" in r.getMessage()]
    assert len(warnings) == 1


def test_the_deploy_check_warns_of_a_proxy_without_proxy_setting(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.RATE_LIMIT_PROXIES = 0
    assert "sharing.W002" in {message.id for message in run_checks(include_deployment_checks=True)}
    settings.RATE_LIMIT_PROXIES = 1
    assert "sharing.W002" not in {
        message.id for message in run_checks(include_deployment_checks=True)
    }


@pytest.mark.parametrize("name", [n for n in ratelimit.setting_names() if n != "RATE_LIMIT_API"])
def test_every_rate_setting_is_checked(settings, name):
    setattr(settings, name, "lots")
    assert "sharing.E021" in {message.id for message in run_checks()}
