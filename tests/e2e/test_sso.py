"""Single sign-on end to end, against a real OpenID provider on loopback (tests/sso/idp/).

In Chromium: sign in through the provider, the account is created, its groups mapped, a
notebook shared with a mapped group opens; the provider drops the group and the next sign-in
loses it. At the protocol level (what a browser cannot do): a tampered state, and ID tokens
with a wrong issuer, audience or nonce, or expired, are all refused. SSO_ONLY and the
break-glass sign-in; a person refused by the provider is deactivated at once.
"""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from sharing.grants import set_group_role
from tests.conftest import PASSWORD as LOCAL_PASSWORD
from tests.e2e.conftest import screenshot
from tests.sso import fixtures
from tests.sso.fixtures import FAULTS, GOOD, PASSWORD

# The provider process (once per run) and the settings pointing at it.
provider, sso, sso_with_faults = fixtures.provider, fixtures.sso, fixtures.sso_with_faults

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
User = get_user_model()


@pytest.fixture
def allowed_origins(sso) -> tuple[str, ...]:
    """Pages here may reach our site and the provider, and nothing else."""
    return (sso.issuer,)


def _provider_sign_in(page, issuer: str, username: str) -> None:
    """On the provider's own sign-in page."""
    page.wait_for_url(f"{issuer}/**")
    page.locator('input[name="login"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form button[type="submit"]').click()


def _sign_out(page) -> None:
    page.locator("details.menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_sign_in_maps_groups_and_the_next_sign_in_follows_the_provider(
    new_page, sso, live_server, alice, make_notebook
):
    team = Group.objects.create(name="data-team")
    notebook = make_notebook(alice, title="Quarterly model")
    set_group_role(notebook, team, "viewer")
    sso.setup(
        users=[
            {
                "username": "dana",
                "password": PASSWORD,
                "email": "dana@example.com",
                "groups": ["data-team", "not-a-group-here"],
            }
        ]
    )
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    _provider_sign_in(page, sso.issuer, "dana")
    page.wait_for_url(f"{live_server.url}/")

    dana = User.objects.get(username="dana")
    account = SocialAccount.objects.get(user=dana)
    assert (account.provider, dana.email) == (GOOD, "dana@example.com")
    assert account.uid == account.extra_data["id_token"]["sub"]
    assert [g.name for g in dana.groups.all()] == ["data-team"]  # unknown groups not created
    assert not dana.has_usable_password()
    page.goto(notebook.get_absolute_url())
    expect(page.locator("h1.nb-title")).to_have_text("Quarterly model")

    sso.setup(users=[{"username": "dana", "groups": []}])  # dana leaves the team
    page.goto(notebook.get_absolute_url())
    expect(page.locator("h1.nb-title")).to_have_text("Quarterly model")  # until next sign-in
    _sign_out(page)
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    page.wait_for_url(f"{live_server.url}/")  # still signed in at the provider
    assert SocialAccount.objects.get(user=dana) == account  # the same account, by subject
    assert User.objects.filter(username__startswith="dana").count() == 1
    assert list(dana.groups.all()) == []
    response = page.goto(notebook.get_absolute_url())
    assert response.status == 404


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1400, 390])
def test_sign_in_page_look(new_page, scheme, width):
    page = new_page(color_scheme=scheme, width=width)
    page.goto("/accounts/login/")
    button = page.get_by_role("button", name="Sign in with Acme SSO")
    expect(button).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button.focus()
    expect(button).to_be_focused()
    screenshot(page, f"sso-sign-in-{scheme}-{width}")


# Protocol level ------------------------------------------------------------------------------


class Flow:
    """A sign-in driven with HTTP requests, as a browser would, able to tamper with a step."""

    def __init__(self, base: str, provider_id: str) -> None:
        self.base, self.provider_id = base, provider_id
        self.http = requests.Session()

    def start(self) -> str:
        """Press "Sign in with …"; the provider's authorisation URL."""
        self.http.get(f"{self.base}/accounts/login/", timeout=10)
        response = self.http.post(
            f"{self.base}/accounts/sso/oidc/{self.provider_id}/login/",
            data={"csrfmiddlewaretoken": self.http.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def authorize(self, authorize_url: str, username: str) -> str:
        """Sign in at the provider (if needed); the callback URL it sends the browser to."""
        response = self.http.get(authorize_url, allow_redirects=False, timeout=10)
        if response.status_code == 302 and "/accounts/login/" in response.headers["Location"]:
            login_url = urljoin(authorize_url, response.headers["Location"])
            self.http.get(login_url, timeout=10)
            response = self.http.post(
                login_url,
                data={
                    "login": username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": self.http.cookies["idp_csrf"],
                },
                allow_redirects=False,
                timeout=10,
            )
            assert response.status_code == 302, response.text[:2000]
            response = self.http.get(
                urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10
            )
        assert response.status_code == 302, response.text[:2000]
        location = response.headers["Location"]
        assert location.startswith(f"{self.base}/accounts/sso/oidc/{self.provider_id}/"), location
        return location

    def callback(self, callback_url: str) -> requests.Response:
        return self.http.get(callback_url, allow_redirects=False, timeout=30)

    def run(self, username: str) -> requests.Response:
        return self.callback(self.authorize(self.start(), username))

    def signed_in(self) -> bool:
        response = self.http.get(f"{self.base}/", allow_redirects=False, timeout=10)
        return response.status_code == 200


def _with_param(url: str, **params) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _erin(idp, **extra) -> None:
    user = {"username": "erin", "password": PASSWORD, "email": "erin@example.com", "groups": []}
    idp.setup(users=[{**user, **extra}])


def test_protocol_sign_in_works(sso, live_server):
    _erin(sso)
    flow = Flow(live_server.url, GOOD)
    authorize = flow.start()
    query = parse_qs(urlsplit(authorize).query)
    assert {"state", "nonce", "code_challenge"} <= set(query)
    response = flow.callback(flow.authorize(authorize, "erin"))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert flow.signed_in()
    assert SocialAccount.objects.filter(provider=GOOD, user__username="erin").exists()


def test_tampered_state_is_refused(sso, live_server):
    _erin(sso)
    flow = Flow(live_server.url, GOOD)
    callback = flow.authorize(flow.start(), "erin")
    response = flow.callback(_with_param(callback, state="x" * 16))
    assert response.status_code == 400
    assert "Sign-in failed" in response.text
    assert not flow.signed_in()
    assert not User.objects.filter(username="erin").exists()
    # The real state is still one-time: using it once works, twice does not.
    assert flow.callback(callback).status_code == 302
    assert flow.callback(callback).status_code == 400


def test_state_from_another_browser_is_refused(sso, live_server):
    _erin(sso)
    victim, attacker = Flow(live_server.url, GOOD), Flow(live_server.url, GOOD)
    callback = attacker.authorize(attacker.start(), "erin")
    victim.start()  # the victim has a sign-in of their own under way
    response = victim.callback(callback)
    assert response.status_code == 400
    assert not victim.signed_in()


@pytest.mark.parametrize("provider_id", sorted(FAULTS))
def test_bad_id_tokens_are_refused(sso_with_faults, live_server, provider_id, caplog):
    _erin(sso_with_faults)
    flow = Flow(live_server.url, provider_id)
    response = flow.run("erin")
    assert response.status_code == 400
    assert "Sign-in failed" in response.text
    assert "Invalid id_token" in caplog.text or "nonce" in caplog.text
    assert not flow.signed_in()
    assert not User.objects.filter(username="erin").exists()


def test_an_unverified_address_never_joins_an_existing_account(sso, live_server, bob):
    _erin(sso, email=bob.email, email_verified=False)
    response = Flow(live_server.url, GOOD).run("erin")
    assert response.status_code == 409
    assert "already uses" in response.text
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == 1

    # Verified on both sides: the sign-in joins bob's account (and finds it by subject after).
    _erin(sso, email=bob.email, email_verified=True)
    flow = Flow(live_server.url, GOOD)
    assert flow.run("erin").status_code == 302
    assert SocialAccount.objects.get().user == bob
    assert User.objects.count() == 1


def test_provider_refusal_deactivates_and_ends_sessions(sso, live_server, settings):
    settings.OIDC_ALLOWED_GROUPS = ["staff"]
    _erin(sso, groups=["staff"])
    first = Flow(live_server.url, GOOD)
    assert first.run("erin").status_code == 302
    assert first.signed_in()

    _erin(sso, groups=["visitors"])
    second = Flow(live_server.url, GOOD)
    response = second.run("erin")
    assert response.status_code == 403
    assert "Not allowed to sign in" in response.text
    assert not User.objects.get(username="erin").is_active
    assert not first.signed_in()  # the earlier session ended with the account
    assert not second.signed_in()


def test_never_a_member_is_refused_without_an_account(sso, live_server, settings):
    settings.OIDC_ALLOWED_GROUPS = ["staff"]
    _erin(sso, groups=[])
    response = Flow(live_server.url, GOOD).run("erin")
    assert response.status_code == 403
    assert not User.objects.filter(username="erin").exists()


# SSO_ONLY ------------------------------------------------------------------------------------


def test_sso_only_hides_password_sign_in_and_sign_up(
    new_page, settings, live_server, bob, admin_user_
):
    settings.SSO_ONLY = True
    settings.SIGNUP_ENABLED = True
    settings.SIGNUP_EMAIL_DOMAINS = ["example.com"]
    page = new_page()
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in with Acme SSO")).to_be_visible()
    expect(page.locator('input[type="password"]')).to_have_count(0)
    expect(page.get_by_role("link", name="Create an account")).to_have_count(0)
    expect(page.get_by_role("link", name="Forgot your password?")).to_have_count(0)
    screenshot(page, "sso-only-sign-in")
    assert page.goto("/accounts/signup/").status == 404

    # A password sent anyway is refused, even a superuser's, on the ordinary page.
    http = requests.Session()
    http.get(f"{live_server.url}/accounts/login/", timeout=10)
    for username in ("bob", "root"):
        response = http.post(
            f"{live_server.url}/accounts/login/",
            data={
                "username": username,
                "password": LOCAL_PASSWORD,
                "csrfmiddlewaretoken": http.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 403

    # The break-glass page: bob's right password is refused like a wrong one; root gets in.
    page.goto("/accounts/login/break-glass/")
    expect(page.get_by_role("button", name=re.compile("Sign in with"))).to_have_count(0)
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("That username and password do not match.")).to_be_visible()
    screenshot(page, "sso-only-break-glass-refused")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("details.menu summary")).to_contain_text("root")


def test_sso_only_admin_sign_in_is_for_superusers(sso, settings, live_server, make_user):
    settings.SSO_ONLY = True
    make_user("stafford", is_staff=True)
    make_user("root", is_staff=True, is_superuser=True)
    results = {}
    for username in ("stafford", "root"):
        http = requests.Session()
        http.get(f"{live_server.url}/admin/login/", timeout=10)
        response = http.post(
            f"{live_server.url}/admin/login/?next=/admin/",
            data={
                "username": username,
                "password": LOCAL_PASSWORD,
                "csrfmiddlewaretoken": http.cookies["csrftoken"],
                "next": "/admin/",
            },
            allow_redirects=False,
            timeout=10,
        )
        results[username] = response.status_code
    assert results == {"stafford": 200, "root": 302}


# Leavers -------------------------------------------------------------------------------------


def test_deactivation_signs_the_browser_out_at_the_next_request(new_page, sso, live_server):
    _erin(sso)
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    _provider_sign_in(page, sso.issuer, "erin")
    page.wait_for_url(f"{live_server.url}/")
    call_command("deactivate", "erin", stdout=io.StringIO())
    page.reload()
    page.wait_for_url("**/accounts/login/?next=/")
    # Signing in again through the provider does not bring the account back.
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    expect(page.get_by_role("heading", name="Account deactivated")).to_be_visible()
    assert not User.objects.get(username="erin").is_active
