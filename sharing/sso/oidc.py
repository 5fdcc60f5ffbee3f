"""OpenID Connect sign-in: allauth's provider with a nonce and a signature check on every token.

allauth skips the ID token's signature when the token came straight from the token endpoint
(allowed by the specification over TLS) and sends no nonce. Here every ID token is checked in
full: signature (the provider's published keys), issuer, audience, expiry, and a nonce bound
to the sign-in's one-time state, so a token minted for another sign-in is refused.
"""

from __future__ import annotations

import hmac
import logging

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_http_methods
from requests import RequestException

logger = logging.getLogger(__name__)
_NONCE_SALT = "sharing.sso.oidc.nonce"


def nonce_for(state_id: str) -> str:
    """The nonce sent with the sign-in whose state is ``state_id`` (kept in the session)."""
    return salted_hmac(_NONCE_SALT, state_id, algorithm="sha256").hexdigest()


class NonceClient(OAuth2Client):
    """Adds ``nonce`` to the authorisation request, derived from the one-time state."""

    def get_redirect_url(self, authorization_url, scope, extra_params) -> str:
        params = dict(extra_params)
        if self.state:
            params["nonce"] = nonce_for(self.state)
        return super().get_redirect_url(authorization_url, scope, params)


class CheckedOIDCAdapter(OpenIDConnectOAuth2Adapter):
    client_class = NonceClient

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        state_id = self.request.GET.get("state", "")
        nonce = claims.get("nonce")
        if not state_id or not isinstance(nonce, str):
            raise OAuth2Error("The ID token has no nonce.")
        if not hmac.compare_digest(nonce, nonce_for(state_id)):
            raise OAuth2Error("The ID token's nonce is not this sign-in's.")
        return claims

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        if not kwargs["response"].get("id_token"):
            raise OAuth2Error("The provider sent no ID token.")
        login = super().complete_login(request, app, token, **kwargs)
        data = login.account.extra_data
        userinfo, id_claims = data.get("userinfo") or {}, data.get("id_token") or {}
        if userinfo and userinfo.get("sub") != id_claims.get("sub"):
            raise OAuth2Error("The user info is not about the ID token's subject.")
        return login


class CheckedOIDCProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with the checks above (SOCIALACCOUNT_PROVIDERS'
    ``provider_class``)."""

    oauth2_adapter_class = CheckedOIDCAdapter


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest, provider_id: str):
    """Start a sign-in: a POST from our sign-in page, with its CSRF token. A GET (a bookmark)
    goes back to the sign-in page, which has the button."""
    if request.method == "GET":
        return redirect("login")
    try:
        view = OAuth2LoginView.adapter_view(CheckedOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404("No such sign-in provider.") from None
    except (RequestException, ValueError, KeyError) as error:  # discovery unreachable or wrong
        logger.warning("Sign-in provider %s unavailable: %s", provider_id, error)
        context = {
            "title": "Sign-in unavailable",
            "message": "The sign-in service cannot be reached right now. Try again in a moment.",
        }
        return render(request, "registration/sso_error.html", context, status=503)


@require_http_methods(["GET"])
def callback(request: HttpRequest, provider_id: str):
    try:
        view = OAuth2CallbackView.adapter_view(CheckedOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404("No such sign-in provider.") from None
