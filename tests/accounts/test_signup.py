"""Sign-up: off by default, by invite or allowed domain when on, verified before it works,
and never a way to become an administrator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing.accounts import invites
from sharing.models import Invite, VerifiedEmail
from tests.conftest import PASSWORD
from tests.test_settings import ROOT, STRONG_KEY

pytestmark = pytest.mark.django_db
SIGNUP = reverse("sharing:signup")
User = get_user_model()


@pytest.fixture
def signup_on(settings):
    settings.SIGNUP_ENABLED = True
    settings.SIGNUP_EMAIL_DOMAINS = ["corp.example"]
    return settings


def post_signup(client, username, email, url=SIGNUP, **extra):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(url, data, **extra)


def invite_url(raw: str) -> str:
    return reverse("sharing:signup-invite", args=[raw])


def verification_link() -> str:
    assert mail.outbox, "no verification e-mail was sent"
    return re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[-1].body).group(0)


def test_production_settings_have_sign_up_and_debug_off(tmp_path):
    # GIVEN only what a deployment must set: no DEBUG, no SIGNUP_ENABLED
    unset = {"DEBUG", "SIGNUP_ENABLED", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(SECRET_KEY=STRONG_KEY, VAR_DIR=str(tmp_path))
    code = "from django.conf import settings as s; print(s.DEBUG, s.SIGNUP_ENABLED)"
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # THEN both are off
    assert shown.stdout.split()[-2:] == ["False", "False"], shown.stderr


def test_sign_up_is_off_by_default_and_the_page_is_not_found(client, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get(SIGNUP).status_code == 404
    assert post_signup(client, "eve", "eve@corp.example").status_code == 404
    raw = invites.create_invite(None).raw
    assert client.get(invite_url(raw)).status_code == 404
    assert not User.objects.filter(username="eve").exists()


def test_without_allowed_domains_sign_up_needs_an_invite(client, settings):
    settings.SIGNUP_ENABLED = True
    settings.SIGNUP_EMAIL_DOMAINS = []
    response = client.get(SIGNUP)
    assert response.status_code == 403
    assert "needs an invite" in response.text
    assert post_signup(client, "eve", "eve@example.com").status_code == 403
    assert not User.objects.filter(username="eve").exists()


@pytest.mark.parametrize(
    "email",
    [
        "eve@evil.example",
        "eve@corp.example.evil.example",  # the allowed domain as a prefix
        "eve@evilcorp.example",  # as a suffix without the dot
        "eve@sub.corp.example",  # a subdomain is another domain
        '"eve@corp.example"@evil.example',  # the allowed domain inside a quoted local part
        "eve@corp.exampl\u0435",  # a Cyrillic "ie" at the end
        "eve%corp.example@evil.example",
    ],
)
def test_addresses_outside_the_allowed_domains_are_refused(client, signup_on, email):
    response = post_signup(client, "eve", email)
    assert response.status_code == 400
    assert not User.objects.filter(username="eve").exists()
    assert not mail.outbox


@pytest.mark.parametrize("email", ["dana@corp.example", "Dana@CORP.EXAMPLE"])
def test_an_allowed_domain_signs_up_and_stays_inactive_until_verified(client, signup_on, email):
    response = post_signup(client, "dana", email)
    assert response.status_code == 302
    assert response.url == reverse("sharing:signup-sent")
    dana = User.objects.get(username="dana")
    # THEN nobody is signed in, the account cannot sign in yet, and is no administrator
    assert not dana.is_active and not dana.is_staff and not dana.is_superuser
    assert "_auth_user_id" not in client.session
    assert (
        client.post(reverse("login"), {"username": "dana", "password": PASSWORD}).status_code == 200
    )
    assert [to.casefold() for to in mail.outbox[-1].to] == [email.casefold()]
    # WHEN she opens the link (GET asks, POST confirms)
    link = verification_link()
    assert client.get(link).status_code == 200
    assert not User.objects.get(username="dana").is_active  # a GET changes nothing
    response = client.post(link)
    assert response.status_code == 302
    dana.refresh_from_db()
    assert dana.is_active
    assert VerifiedEmail.objects.filter(user=dana, email__iexact=email).exists()
    response = client.post(reverse("login"), {"username": "dana", "password": PASSWORD})
    assert response.status_code == 302


def test_the_first_account_is_no_administrator(client, signup_on):
    assert not User.objects.exists()
    assert post_signup(client, "first", "first@corp.example").status_code == 302
    client.post(verification_link())
    first = User.objects.get(username="first")
    assert first.is_active and not first.is_superuser and not first.is_staff


def test_an_invite_lets_one_person_in_once(client, settings):
    settings.SIGNUP_ENABLED = True
    settings.SIGNUP_EMAIL_DOMAINS = []
    raw = invites.create_invite(None).raw
    assert client.get(invite_url(raw)).status_code == 200
    assert post_signup(client, "erin", "erin@anywhere.example", invite_url(raw)).status_code == 302
    invite = Invite.objects.get()
    assert invite.used_by.username == "erin"
    # The same link again: gone
    other = Client()
    assert other.get(invite_url(raw)).status_code == 410
    assert post_signup(other, "frank", "frank@x.example", invite_url(raw)).status_code == 410
    assert not User.objects.filter(username="frank").exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1],
        lambda raw: raw.upper(),
        lambda raw: raw + "x",
        lambda raw: "x" * 5000,
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),
    ],
)
def test_a_mangled_invite_token_is_refused(client, settings, mangle):
    settings.SIGNUP_ENABLED = True
    raw = invites.create_invite(None).raw
    url = invite_url(mangle(raw))
    assert client.get(url).status_code == 410
    assert post_signup(client, "mallory", "m@x.example", url).status_code == 410
    assert not User.objects.filter(username="mallory").exists()


def test_expired_and_revoked_invites_are_refused(client, settings):
    settings.SIGNUP_ENABLED = True
    expired = invites.create_invite(None)
    Invite.objects.filter(pk=expired.invite.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoked = invites.create_invite(None)
    invites.revoke(revoked.invite)
    for new in (expired, revoked):
        assert post_signup(client, "late", "late@x.example", invite_url(new.raw)).status_code == 410
    assert not User.objects.filter(username="late").exists()


@pytest.mark.parametrize("email", ["other@corp.example", "gina@corp.example.evil"])
def test_an_invite_for_one_address_refuses_another(client, settings, email):
    settings.SIGNUP_ENABLED = True
    raw = invites.create_invite(None, email="gina@corp.example").raw
    response = post_signup(client, "gina", email, invite_url(raw))
    assert response.status_code == 400
    assert "This invite is for another e-mail address." in response.text
    assert Invite.objects.get().used_at is None


def test_an_address_someone_verified_cannot_sign_up_again(client, signup_on, alice):
    VerifiedEmail.objects.filter(user=alice).update(email="alice@corp.example")
    alice.email = "alice@corp.example"
    alice.save()
    response = post_signup(client, "alice2", "ALICE@corp.example")
    assert response.status_code == 400
    assert "An account with this e-mail address exists." in response.text


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_ups_with_one_invite_make_one_account(settings):
    settings.SIGNUP_ENABLED = True
    raw = invites.create_invite(None).raw
    barrier = threading.Barrier(2)
    results = []

    def sign_up(name):
        try:
            barrier.wait()
            results.append(post_signup(Client(), name, f"{name}@x.example", invite_url(raw)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.status_code for r in results) == [302, 410]
    assert User.objects.filter(username__in=["one", "two"]).count() == 1
    assert Invite.objects.get().used_by is not None


def test_sign_up_attempts_are_limited_per_address_and_per_client(client, signup_on):
    signup_on.RATE_LIMIT_SIGNUP = "2/h"
    signup_on.RATE_LIMIT_SIGNUP_IP = "4/h"
    codes = [post_signup(client, f"u{i}", "same@evil.example").status_code for i in range(3)]
    assert codes == [400, 400, 429]
    # Another address from the same client still gets its own two tries, until the client's 4
    assert post_signup(client, "v1", "other@evil.example").status_code == 400
    assert post_signup(client, "v2", "third@evil.example").status_code == 429
    # Another client is not affected
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert post_signup(other, "w1", "fourth@evil.example").status_code == 400
