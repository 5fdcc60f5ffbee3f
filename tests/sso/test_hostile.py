"""Hostile or broken sign-in requests get a clear page with the right status, never a 500."""

from __future__ import annotations

import socket

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.sso.fixtures import PROVIDER_CLASS

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.fixture
def unreachable(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "corp",
                    "name": "Corp",
                    "client_id": "c",
                    "secret": "s",
                    "settings": {"server_url": f"http://127.0.0.1:{_closed_port()}"},
                }
            ],
            "provider_class": PROVIDER_CLASS,
        }
    }


def test_an_unreachable_provider_is_a_503_page(unreachable):
    response = Client().post("/accounts/sso/oidc/corp/login/")
    assert response.status_code == 503
    assert b"Sign-in unavailable" in response.content


def test_unknown_provider_is_404(unreachable):
    assert Client().post("/accounts/sso/oidc/nobody/login/").status_code == 404
    assert (
        Client().get("/accounts/sso/oidc/nobody/login/callback/?state=x&code=y").status_code == 404
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?code=abc",
        "?state=" + "x" * 5000 + "&code=y",
        "?error=access_denied&state=zz",
        "?state[]=1",
    ],
)
def test_callbacks_without_a_sign_in_under_way_are_refused(unreachable, query):
    response = Client().get(f"/accounts/sso/oidc/corp/login/callback/{query}")
    assert response.status_code == 400
    assert b"Sign-in" in response.content
    assert not get_user_model().objects.exists()


def test_a_get_of_the_start_url_goes_back_to_the_sign_in_page(unreachable):
    response = Client().get("/accounts/sso/oidc/corp/login/")
    assert response.status_code == 302 and response.url == "/accounts/login/"


def test_starting_a_sign_in_needs_the_csrf_token(unreachable):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/sso/oidc/corp/login/").status_code == 403


def test_the_sign_in_page_lets_its_forms_reach_the_issuer_only(unreachable, settings):
    response = Client().get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    issuer = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]["settings"]["server_url"]
    assert f"form-action 'self' {issuer}" in policy
    assert "Sign in with Corp" in response.content.decode()
    other = Client().get("/accounts/password_reset/").headers["Content-Security-Policy"]
    assert "form-action 'self';" in other or other.endswith("form-action 'self'")
