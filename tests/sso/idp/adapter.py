"""The test provider's claims: the person's groups in ``groups``; and, for clients set up to
misbehave (``Client.data["fault"]``), an ID token that a careful client must refuse."""

import time

from allauth.idp.oidc.adapter import DefaultOIDCAdapter


class TestProviderAdapter(DefaultOIDCAdapter):
    def get_claims(self, purpose, user, client, scopes, email=None, **kwargs):
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        claims["groups"] = sorted(user.groups.values_list("name", flat=True))
        return claims

    def populate_id_token(self, id_token, client, scopes, **kwargs):
        fault = (client.data or {}).get("fault")
        if fault == "issuer":
            id_token["iss"] = id_token["iss"] + "/another-issuer"
        elif fault == "audience":
            id_token["aud"] = "another-client"
        elif fault == "nonce":
            id_token["nonce"] = "0" * 64
        elif fault == "expired":
            id_token["iat"] = int(time.time()) - 3600
            id_token["exp"] = int(time.time()) - 1800
