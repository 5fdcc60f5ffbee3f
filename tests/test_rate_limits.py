"""Per-client rate limits on sign-in and share links (sharing/ratelimit.py)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.urls import reverse

from sharing.links import generate_token
from sharing.models import RateCounter
from sharing.ratelimit import Rate, parse_rate
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def guess(client, **extra) -> int:
    url = reverse("sharing:share-link-open", args=[generate_token()])
    return client.get(url, **extra).status_code


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/m", Rate(10, 60)),
        ("1/s", Rate(1, 1)),
        ("100/5m", Rate(100, 300)),
        ("3 / h", Rate(3, 3600)),
        ("7/d", Rate(7, 86400)),
        ("", None),
    ],
)
def test_rates_are_read_as_count_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["10", "ten/m", "10/w", "0/m", "-1/m"])
def test_malformed_rates_are_refused(text):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(text)


def test_a_malformed_rate_setting_fails_the_system_check(settings):
    settings.RATE_LIMIT_LINKS = "lots"
    assert "sharing.E021" in {message.id for message in run_checks()}


def test_guessing_links_is_limited_per_client(client, settings):
    settings.RATE_LIMIT_LINKS = "3/m"
    assert [guess(client) for _ in range(3)] == [404, 404, 404]
    response = client.get(reverse("sharing:share-link-open", args=[generate_token()]))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many attempts" in response.text
    # Another client is not affected.
    assert guess(client, REMOTE_ADDR="10.0.0.9") == 404


def test_sign_in_attempts_are_limited_per_client(client, alice, settings):
    settings.RATE_LIMIT_LOGIN = "2/m"
    login = reverse("login")
    wrong = {"username": "alice", "password": "wrong"}
    assert [client.post(login, wrong).status_code for _ in range(2)] == [200, 200]
    response = client.post(login, wrong)
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    # Even the right password waits; the sign-in page itself still opens.
    assert client.post(login, {"username": "alice", "password": "x"}).status_code == 429
    assert client.get(login).status_code == 200
    assert "_auth_user_id" not in client.session


def test_behind_a_proxy_each_forwarded_client_counts_alone(client, settings):
    settings.RATE_LIMIT_LINKS = "1/m"
    settings.RATE_LIMIT_PROXIES = 1
    assert guess(client, HTTP_X_FORWARDED_FOR="198.51.100.1") == 404
    assert guess(client, HTTP_X_FORWARDED_FOR="198.51.100.1") == 429
    assert guess(client, HTTP_X_FORWARDED_FOR="198.51.100.2") == 404
    # A client cannot escape by adding its own addresses in front.
    assert guess(client, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1") == 429


def test_an_empty_rate_turns_the_limit_off(client, settings):
    settings.RATE_LIMIT_LINKS = ""
    assert {guess(client) for _ in range(40)} == {404}


def test_a_missing_counter_table_is_logged_and_does_not_break_sign_in(
    client, alice, settings, caplog
):
    # GIVEN a database whose counter table is gone (dropped inside this test's transaction)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(RateCounter._meta.db_table)}")
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "counter table is missing" in caplog.text
    # The request's own transaction was not poisoned: sign-in still works
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
