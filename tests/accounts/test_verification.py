"""E-mail verification links: signed, expiring, bound to the address they were sent to."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from sharing.accounts import verification
from sharing.accounts.lookup import is_verified
from sharing.models import VerifiedEmail

pytestmark = pytest.mark.django_db


def verify_url(token: str) -> str:
    return reverse("sharing:verify-email", args=[token])


def test_an_existing_account_asks_for_a_link_and_verifies(client, make_user):
    dave = make_user("dave", verified=False)
    client.force_login(dave)
    page = client.get(reverse("sharing:account-email"))
    assert "not verified" in page.text
    response = client.post(reverse("sharing:account-email-send"))
    assert response.status_code == 302
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[-1].body).group(0)
    assert mail.outbox[-1].to == ["dave@example.com"]
    assert client.post(link).status_code == 302
    assert is_verified(dave)
    assert "data-email-verified" in client.get(reverse("sharing:account-email")).text


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "not-a-token:at:all",
        signing.dumps({"u": 1, "e": "dave@example.com"}, salt="another.salt"),
        "a" * 3000,
    ],
)
def test_forged_tokens_verify_nothing(client, make_user, token):
    dave = make_user("dave", verified=False)
    if not token:
        token = verification.make_token(dave)[:-3] + "abc"
    assert client.post(verify_url(token)).status_code in {400, 404}
    assert not is_verified(dave)


def test_a_token_for_one_account_cannot_be_edited_for_another(client, make_user):
    dave, erin = make_user("dave", verified=False), make_user("erin", verified=False)
    token = verification.make_token(dave)
    signature = token.rpartition(":")[2]
    forged = signing.dumps({"u": erin.pk, "e": erin.email}, salt="x").split(":")[0]
    assert client.post(verify_url(f"{forged}:{signature}")).status_code == 400
    assert not is_verified(erin)


def test_a_link_stops_working_when_the_address_changes(client, make_user):
    dave = make_user("dave", verified=False)
    token = verification.make_token(dave)
    dave.email = "dave@elsewhere.example"
    dave.save()
    response = client.post(verify_url(token))
    assert response.status_code == 400
    assert 'data-verify-failed="stale"' in response.text
    assert not VerifiedEmail.objects.filter(user=dave).exists()


def test_an_expired_link_is_refused(client, make_user, settings):
    dave = make_user("dave", verified=False)
    token = verification.make_token(dave)
    settings.VERIFY_EMAIL_MAX_AGE = -1
    response = client.post(verify_url(token))
    assert response.status_code == 400
    assert 'data-verify-failed="expired"' in response.text


def test_an_address_verified_by_one_account_is_never_verified_by_another(client, make_user):
    make_user("alice")  # verified alice@example.com
    squatter = make_user("squatter", verified=False)
    squatter.email = "ALICE@example.com"
    squatter.save()
    response = client.post(verify_url(verification.make_token(squatter)))
    assert response.status_code == 400
    assert 'data-verify-failed="taken"' in response.text
    assert not is_verified(squatter)


def test_verification_mails_are_rate_limited(client, make_user, settings):
    settings.RATE_LIMIT_VERIFY = "2/h"
    dave = make_user("dave", verified=False)
    client.force_login(dave)
    codes = [client.post(reverse("sharing:account-email-send")).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2
