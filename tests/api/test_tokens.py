"""Personal API tokens: made once, stored hashed, refused when expired, revoked or foreign."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.debug import get_exception_reporter_filter

from sharing import tokens
from sharing.models import ApiToken
from tests.api.support import TokenClient, fresh_rate_limits, token_for, upload  # noqa: F401

pytestmark = pytest.mark.django_db

TOKENS_URL = "/settings/tokens/"


def me_status(raw: str) -> int:
    return TokenClient(raw).get("/me").status_code


# The token itself ------------------------------------------------------------------------


def test_a_new_token_has_a_public_prefix_and_a_256_bit_secret_and_only_its_hash_is_stored(alice):
    new = tokens.create_token(alice, "CI", 30)
    scheme, prefix, secret = new.raw.split("_", 2)
    assert (scheme, prefix) == ("nbs", new.token.prefix)
    assert len(secret) == 43  # 32 random bytes, URL-safe base64
    stored = ApiToken.objects.get(pk=new.token.pk)
    assert stored.token_hash == tokens.hash_token(new.raw)
    assert new.raw not in {stored.token_hash, stored.prefix, stored.name}


def test_two_tokens_never_share_a_prefix_or_secret(alice):
    made = [tokens.create_token(alice, "t", None).raw for _ in range(20)]
    assert len(set(made)) == 20
    assert len({raw.split("_")[1] for raw in made}) == 20


def test_a_valid_token_works_and_records_when_it_was_used(alice):
    raw = token_for(alice)
    assert me_status(raw) == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(alice):
    raw = token_for(alice)
    recent = timezone.now() - timedelta(seconds=10)
    ApiToken.objects.update(last_used_at=recent)
    assert me_status(raw) == 200
    assert ApiToken.objects.get().last_used_at == recent
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    assert me_status(raw) == 200
    assert ApiToken.objects.get().last_used_at > recent


def test_an_expired_token_is_401(alice):
    raw = token_for(alice, days=1)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = TokenClient(raw).get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_revoked_token_is_401(alice):
    raw = token_for(alice)
    tokens.revoke(ApiToken.objects.get())
    assert me_status(raw) == 401


def test_a_deactivated_persons_token_is_401(alice):
    raw = token_for(alice)
    alice.is_active = False
    alice.save()
    assert me_status(raw) == 401


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret, real prefix
        lambda raw: raw.replace("nbs_", "nbx_"),
        lambda raw: raw[:20],
        lambda raw: raw + "x",
        lambda raw: "nbs_zzzzzzzz_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: "",
        lambda raw: "ä" * 60,
    ],
    ids=[
        "wrong-secret",
        "wrong-scheme",
        "truncated",
        "extended",
        "unknown-prefix",
        "empty",
        "non-ascii",
    ],
)
def test_a_malformed_or_wrong_token_is_401(alice, mangle):
    raw = token_for(alice)
    assert me_status(mangle(raw)) == 401


@pytest.mark.parametrize("header", ["Token {raw}", "Basic {raw}", "{raw}", "Bearer", "Bearer  "])
def test_a_header_that_is_not_bearer_is_401(alice, header):
    raw = token_for(alice)
    response = Client().get("/api/v1/me", headers={"Authorization": header.format(raw=raw)})
    assert response.status_code == 401
    assert raw not in response.content.decode()


def test_another_persons_token_sees_only_what_that_person_may(alice, bob, make_notebook):
    # GIVEN alice's private notebook and bob's token
    notebook = make_notebook(alice)
    as_bob = TokenClient(token_for(bob))
    # WHEN bob uses his token on it
    response = as_bob.get(f"/notebooks/{notebook.pk}")
    # THEN it is hidden from him exactly as on the web
    assert response.status_code == 404
    web = Client()
    web.force_login(bob)
    assert web.get(notebook.get_absolute_url()).status_code == 404


# Never stored, never logged --------------------------------------------------------------


def test_the_raw_token_is_never_stored_or_logged(alice, make_notebook, caplog, tmp_media):
    caplog.set_level(logging.DEBUG)
    browser = Client()
    browser.force_login(alice)
    # Created on the settings page, shown once, ...
    browser.post(TOKENS_URL, {"name": "CI", "expires": "30"})
    shown = browser.get(TOKENS_URL)
    raw = shown.context["new_token"]
    assert raw and raw in shown.content.decode()
    # ... used well and badly, ...
    client = TokenClient(raw)
    assert client.post("/notebooks", {"file": upload()}).status_code == 201
    assert client.get("/notebooks").status_code == 200
    for header in (f"Token {raw}", f"Bearer {raw}x", f"Basic {raw}"):
        Client().get("/api/v1/me", headers={"Authorization": header})
    # ... then revoked and refused.
    token = ApiToken.objects.get()
    browser.post(reverse("sharing:api-token-revoke", args=[token.pk]))
    assert me_status(raw) == 401

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert raw not in dump.getvalue()
    assert raw.split("_", 2)[2] not in dump.getvalue()
    assert token.prefix in dump.getvalue()  # the dump did include the token's row
    assert raw not in caplog.text
    assert raw.split("_", 2)[2] not in caplog.text


def test_error_reports_hide_the_authorization_header():
    request = RequestFactory().get("/api/v1/me", headers={"Authorization": "Bearer nbs_secret"})
    meta = get_exception_reporter_filter(request).get_safe_request_meta(request)
    assert "nbs_secret" not in str(meta)


# The settings page -----------------------------------------------------------------------


def test_the_settings_page_shows_a_new_token_once_after_a_redirect(alice):
    browser = Client()
    browser.force_login(alice)

    created = browser.post(TOKENS_URL, {"name": "Laptop", "expires": "90"})

    assert created.status_code == 302 and created.url == TOKENS_URL
    cookie = created.cookies["new_api_token"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == TOKENS_URL
    first = browser.get(TOKENS_URL)
    raw = first.context["new_token"]
    assert tokens.authenticate(raw).user == alice
    assert "no-store" in first["Cache-Control"]
    second = browser.get(TOKENS_URL)
    assert second.context["new_token"] is None
    assert raw not in second.content.decode()
    token = ApiToken.objects.get()
    assert (token.name, token.expires_at.date()) == (
        "Laptop",
        (timezone.now() + timedelta(days=90)).date(),
    )


def test_a_new_token_cookie_is_useless_to_another_person(alice, bob):
    as_alice = Client()
    as_alice.force_login(alice)
    cookie = as_alice.post(TOKENS_URL, {"name": "Mine", "expires": "30"}).cookies["new_api_token"]
    as_bob = Client()
    as_bob.force_login(bob)
    as_bob.cookies["new_api_token"] = cookie.value
    assert as_bob.get(TOKENS_URL).context["new_token"] is None


def test_a_token_without_a_name_is_refused(alice):
    browser = Client()
    browser.force_login(alice)
    response = browser.post(TOKENS_URL, {"name": "   ", "expires": "30"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["Give the token a name."]
    assert not ApiToken.objects.exists()


def test_a_never_expiring_token_can_be_chosen(alice):
    browser = Client()
    browser.force_login(alice)
    browser.post(TOKENS_URL, {"name": "Server", "expires": "never"})
    assert ApiToken.objects.get().expires_at is None


def test_the_page_lists_only_your_tokens_in_constant_queries(alice, bob, django_assert_num_queries):
    for index in range(3):
        tokens.create_token(alice, f"alice-{index}", 30)
    tokens.create_token(bob, "bob-secret-name", 30)
    browser = Client()
    browser.force_login(alice)
    # the session with its person, tokens, the header's unread count
    with django_assert_num_queries(3):
        page = browser.get(TOKENS_URL).content.decode()
    assert page.count("data-token=") == 3
    assert "bob-secret-name" not in page
    for index in range(3, 8):
        tokens.create_token(alice, f"alice-{index}", 30)
    with django_assert_num_queries(3):
        assert browser.get(TOKENS_URL).content.decode().count("data-token=") == 8


def test_revoking_asks_for_confirmation_then_stops_the_token(alice):
    raw = token_for(alice)
    token = ApiToken.objects.get()
    browser = Client()
    browser.force_login(alice)
    url = reverse("sharing:api-token-revoke", args=[token.pk])

    confirm = browser.get(url)
    assert confirm.status_code == 200 and b"Revoke token" in confirm.content
    assert me_status(raw) == 200
    done = browser.post(url)

    assert done.status_code == 302
    assert me_status(raw) == 401
    assert b"revoked" in browser.get(TOKENS_URL).content


def test_nobody_can_revoke_someone_elses_token(alice, bob):
    raw = token_for(alice)
    token = ApiToken.objects.get()
    browser = Client()
    browser.force_login(bob)
    url = reverse("sharing:api-token-revoke", args=[token.pk])
    assert browser.get(url).status_code == 404
    assert browser.post(url).status_code == 404
    assert me_status(raw) == 200


def test_the_settings_page_needs_a_signed_in_person():
    response = Client().get(TOKENS_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_user_menu_links_to_api_tokens(alice):
    browser = Client()
    browser.force_login(alice)
    assert f'href="{TOKENS_URL}"'.encode() in browser.get(reverse("sharing:dashboard")).content


# The management command ------------------------------------------------------------------


def test_the_command_prints_a_working_token_once(alice):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "alice", "--name", "CI", "--expires-days", "7", stdout=out, stderr=err
    )
    raw = out.getvalue().strip()
    assert me_status(raw) == 200
    token = ApiToken.objects.get()
    assert token.name == "CI"
    assert token.expires_at.date() == (timezone.now() + timedelta(days=7)).date()
    assert raw not in err.getvalue()


def test_the_command_can_make_a_token_that_never_expires(alice):
    call_command(
        "create_api_token", "alice", "--never-expires", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert ApiToken.objects.get().expires_at is None


def test_the_command_defaults_to_the_configured_expiry(alice, settings):
    settings.API_TOKEN_DEFAULT_EXPIRY_DAYS = 10
    call_command("create_api_token", "alice", stdout=io.StringIO(), stderr=io.StringIO())
    expected = (timezone.now() + timedelta(days=10)).date()
    assert ApiToken.objects.get().expires_at.date() == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No account"),
        (["dave"], "deactivated"),
        (["alice", "--expires-days", "0"], "between 1 and"),
        (["alice", "--name", "  "], "must not be empty"),
    ],
)
def test_the_command_refuses_bad_requests(alice, make_user, args, message):
    make_user("dave", is_active=False)
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()
