"""Providers from the environment (sharing.sso.config): one JSON list, or the single-provider
variables; every mistake is a clear error at start-up."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from sharing.sso.config import oidc_apps

ONE = {"id": "corp", "name": "Corp", "issuer": "https://id.example.com/", "client_id": "a"}


def _env(*providers, **extra) -> dict:
    return {"OIDC_PROVIDERS": json.dumps(list(providers)), **extra}


def test_nothing_configured_means_no_provider():
    assert oidc_apps({}) == []


def test_a_list_of_providers():
    second = {**ONE, "id": "lab", "name": "Lab", "allowed_groups": ["staff"]}
    apps = oidc_apps(_env({**ONE, "client_secret": "s1"}, {**second, "client_secret": "s2"}))
    assert [(a["provider_id"], a["name"], a["secret"]) for a in apps] == [
        ("corp", "Corp", "s1"),
        ("lab", "Lab", "s2"),
    ]
    assert apps[0]["settings"] == {
        "server_url": "https://id.example.com",
        "oauth_pkce_enabled": True,
    }
    assert apps[1]["settings"]["allowed_groups"] == ["staff"]


def test_single_provider_variables():
    apps = oidc_apps(
        {
            "OIDC_ISSUER": "https://id.example.com/realms/main",
            "OIDC_CLIENT_ID": "notebooks",
            "OIDC_CLIENT_SECRET": "s",
            "OIDC_NAME": "Example ID",
        }
    )
    assert [(a["provider_id"], a["name"], a["client_id"]) for a in apps] == [
        ("oidc", "Example ID", "notebooks")
    ]
    assert apps[0]["settings"]["server_url"] == "https://id.example.com/realms/main"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_PROVIDERS": "{not json"}, "not valid JSON"),
        ({"OIDC_PROVIDERS": '{"id": "corp"}'}, "JSON list"),
        (_env(["corp"]), "must be an object"),
        (_env({**ONE}), "client_secret"),
        (_env({**ONE, "client_secret": "s", "colour": "red"}), "unknown keys: colour"),
        (_env({**ONE, "client_secret": "s", "id": "Corp SSO"}), "lowercase"),
        (_env({**ONE, "client_secret": "s", "issuer": "id.example.com"}), "http(s) URL"),
        (_env({**ONE, "client_secret": "s"}, {**ONE, "client_secret": "t"}), "same id"),
        ({"OIDC_ISSUER": "https://id.example.com"}, "client_id"),
        (_env({**ONE, "client_secret": "s", "allowed_groups": "staff"}), "is a list"),
    ],
)
def test_mistakes_are_clear(env, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        oidc_apps(env)
