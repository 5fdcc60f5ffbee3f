"""Create or update the test provider's people and clients (tests/sso/provider.py calls it).

{"users": [{"username", "password", "email", "email_verified", "groups", "is_active"}],
 "clients": [{"id", "secret", "redirect_uris", "fault"}]}
A listed person's groups become exactly the listed ones. Answers only the bearer of the
token the test gave the provider at its start (IDP_SETUP_TOKEN).
"""

import hmac
import json
import os

from allauth.account.models import EmailAddress
from allauth.idp.oidc.models import Client
from django.contrib.auth.models import Group, User
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def setup_view(request):
    expected = f"Bearer {os.environ['IDP_SETUP_TOKEN']}"
    if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
        return HttpResponseForbidden()
    apply(json.loads(request.body))
    return HttpResponse("ok")


def apply(spec: dict) -> None:
    for entry in spec.get("users", []):
        user, _ = User.objects.get_or_create(username=entry["username"])
        if "password" in entry:
            user.set_password(entry["password"])
        user.email = entry.get("email", user.email)
        user.is_active = entry.get("is_active", True)
        user.save()
        EmailAddress.objects.filter(user=user).exclude(email=user.email).delete()
        if user.email:
            EmailAddress.objects.update_or_create(
                user=user,
                email=user.email,
                defaults={"verified": entry.get("email_verified", True), "primary": True},
            )
        if "groups" in entry:
            user.groups.set([Group.objects.get_or_create(name=n)[0] for n in entry["groups"]])
    for entry in spec.get("clients", []):
        client, _ = Client.objects.get_or_create(id=entry["id"], defaults={"name": entry["id"]})
        client.set_secret(entry["secret"])
        client.set_redirect_uris(entry["redirect_uris"])
        client.set_scopes(["openid", "profile", "email"])
        client.skip_consent = True
        client.data = {"fault": entry.get("fault")}
        client.save()
