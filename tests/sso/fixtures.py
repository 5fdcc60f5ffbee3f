"""The test OpenID provider (started once per run) and our site's settings pointing at it."""

from __future__ import annotations

import pytest

from tests.sso.provider import Provider

PASSWORD = "idp password for tests"
GOOD = "corp"
PROVIDER_CLASS = "sharing.sso.oidc.CheckedOIDCProvider"
# Providers of ours whose client at the provider hands out an ID token to refuse.
FAULTS = {
    "bad-issuer": "issuer",
    "bad-audience": "audience",
    "bad-nonce": "nonce",
    "expired": "expired",
}


def callback_url(base: str, provider_id: str) -> str:
    return f"{base}/accounts/sso/oidc/{provider_id}/login/callback/"


@pytest.fixture(scope="session")
def provider(live_server):
    running = Provider().start()
    ids = [GOOD, *FAULTS]
    running.setup(
        clients=[
            {
                "id": f"ns-{provider_id}",
                "secret": f"secret-{provider_id}",
                "redirect_uris": [callback_url(live_server.url, provider_id)],
                "fault": FAULTS.get(provider_id),
            }
            for provider_id in ids
        ]
    )
    yield running
    running.stop()


def app(provider, provider_id: str, name: str, **extra) -> dict:
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": f"ns-{provider_id}",
        "secret": f"secret-{provider_id}",
        "settings": {"server_url": provider.issuer, "oauth_pkce_enabled": True, **extra},
    }


@pytest.fixture
def sso(settings, provider):
    """Our site with the good provider ("Acme SSO") and the groups claim."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [app(provider, GOOD, "Acme SSO")],
            "OAUTH_PKCE_ENABLED": True,
            "provider_class": PROVIDER_CLASS,
        }
    }
    settings.OIDC_GROUPS_CLAIM = "groups"
    return provider


@pytest.fixture
def sso_with_faults(settings, sso):
    apps = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": apps + [app(sso, pid, f"Faulty {pid}") for pid in FAULTS],
            "OAUTH_PKCE_ENABLED": True,
            "provider_class": PROVIDER_CLASS,
        }
    }
    return sso
