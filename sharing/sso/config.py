"""Identity providers from the environment, read once by the settings (no Django import here).

``OIDC_PROVIDERS`` is a JSON list of providers; for a single one, ``OIDC_ISSUER``,
``OIDC_CLIENT_ID``, ``OIDC_CLIENT_SECRET`` (and optionally ``OIDC_NAME``, ``OIDC_ID``) do the
same. See docs/sso.md.
"""

from __future__ import annotations

import json
import os
import re

from django.core.exceptions import ImproperlyConfigured

PROVIDER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_KEYS = {"id", "name", "issuer", "client_id", "client_secret", "groups_claim", "allowed_groups"}


def _provider(entry: dict, index: int) -> dict:
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"OIDC_PROVIDERS[{index}] must be an object.")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"OIDC_PROVIDERS[{index}] has unknown keys: {', '.join(sorted(unknown))}."
        )
    for key in ("id", "issuer", "client_id", "client_secret"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ImproperlyConfigured(f"OIDC_PROVIDERS[{index}] needs a non-empty {key!r}.")
    if not PROVIDER_ID.fullmatch(entry["id"]):
        raise ImproperlyConfigured(
            f"OIDC_PROVIDERS[{index}]: id {entry['id']!r} must be lowercase letters, digits, '-'."
        )
    issuer = entry["issuer"].strip().rstrip("/")
    if not issuer.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"OIDC_PROVIDERS[{index}]: issuer must be an http(s) URL.")
    settings: dict = {"server_url": issuer, "oauth_pkce_enabled": True}
    if "groups_claim" in entry:
        settings["groups_claim"] = str(entry["groups_claim"])
    if "allowed_groups" in entry:
        if not isinstance(entry["allowed_groups"], list):
            raise ImproperlyConfigured(f"OIDC_PROVIDERS[{index}]: allowed_groups is a list.")
        settings["allowed_groups"] = [str(group) for group in entry["allowed_groups"]]
    return {
        "provider_id": entry["id"],
        "name": str(entry.get("name") or entry["id"]),
        "client_id": entry["client_id"],
        "secret": entry["client_secret"],
        "settings": settings,
    }


def oidc_apps(environ=os.environ) -> list[dict]:
    """The allauth ``APPS`` list for the openid_connect provider."""
    raw = environ.get("OIDC_PROVIDERS", "").strip()
    entries: list = []
    if raw:
        try:
            entries = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS is not valid JSON: {error}") from None
        if not isinstance(entries, list):
            raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of providers.")
    if environ.get("OIDC_ISSUER", "").strip():
        entries.append(
            {
                "id": environ.get("OIDC_ID", "oidc"),
                "name": environ.get("OIDC_NAME", "") or "Single sign-on",
                "issuer": environ["OIDC_ISSUER"],
                "client_id": environ.get("OIDC_CLIENT_ID", ""),
                "client_secret": environ.get("OIDC_CLIENT_SECRET", ""),
            }
        )
    apps = [_provider(entry, index) for index, entry in enumerate(entries)]
    ids = [app["provider_id"] for app in apps]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured("OIDC_PROVIDERS: two providers have the same id.")
    return apps
