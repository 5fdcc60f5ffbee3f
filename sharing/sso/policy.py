"""Who may use a password here, and which providers the sign-in page offers.

With ``SSO_ONLY`` on, only a superuser may sign in with a password (the break-glass account,
at /accounts/login/break-glass/); everyone else signs in through the providers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def password_allowed(user) -> bool:
    return not settings.SSO_ONLY or user.is_superuser


def providers() -> list[dict]:
    """The configured providers in their listed order: id, name and sign-in URL."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return [
        {
            "id": app["provider_id"],
            "name": app["name"],
            "url": reverse("openid_connect_login", kwargs={"provider_id": app["provider_id"]}),
            "origin": origin(app["settings"]["server_url"]),
        }
        for app in apps
    ]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sign_in_csp(provider_list: list[dict]) -> dict:
    """The site's policy, letting the sign-in forms go on to the providers: a form's
    ``form-action`` also covers where its answer redirects."""
    config = dict(settings.SECURE_CSP)
    extra = sorted({provider["origin"] for provider in provider_list})
    config["form-action"] = [*config.get("form-action", []), *extra]
    return config
