"""alice makes a token in the browser, a script publishes corpus notebooks with it, bob reads
them in his browser; the API docs work under the strict CSP; a revoked token stops working."""

from __future__ import annotations

import pytest

from tests.api.support import fresh_rate_limits  # noqa: F401
from tests.conftest import PASSWORD
from tests.corpus import corpus_notebooks, refused_by_design
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""
SAMPLE = 5


def sample_of_the_corpus():
    valid = [
        item
        for item in corpus_notebooks()
        if item.valid and not refused_by_design(item.path.read_bytes())
    ]
    step = len(valid) // SAMPLE
    return [valid[index * step] for index in range(SAMPLE)]


def test_publish_with_a_token_then_a_colleague_reads_it(new_page, browser, live_server, alice, bob):
    owner = new_page()
    sign_in(owner, "alice", PASSWORD)

    # alice creates a token from the user menu and sees it once.
    owner.locator("details.menu summary").click()
    owner.get_by_role("link", name="API tokens").click()
    owner.get_by_text("No tokens yet").wait_for()
    owner.get_by_label("Name").fill("Laptop script")
    owner.get_by_label("Expires after").select_option("30")
    owner.get_by_role("button", name="Create token").click()
    owner.get_by_role("heading", name="Copy your new token now").wait_for()
    token = owner.get_by_label("New API token").input_value()
    assert token.startswith("nbs_")
    screenshot(owner, "api-token-created")
    owner.reload()
    assert owner.get_by_label("New API token").count() == 0
    assert token not in owner.content()

    # A script publishes a sample of the corpus with the token and shares each with bob.
    script = browser.new_context(base_url=live_server.url).request
    auth = {"Authorization": f"Bearer {token}"}
    pages = []
    for item in sample_of_the_corpus():
        published = script.post(
            "/api/v1/notebooks",
            headers=auth,
            multipart={
                "file": {
                    "name": item.name,
                    "mimeType": "application/x-ipynb+json",
                    "buffer": item.path.read_bytes(),
                }
            },
        )
        assert published.status == 201, published.text()
        body = published.json()
        shared = script.put(
            f"/api/v1/notebooks/{body['id']}/access",
            headers=auth,
            data={"visibility": "private", "users": [{"username": "bob", "role": "viewer"}]},
        )
        assert shared.status == 200, shared.text()
        pages.append(body["html_url"])

    # bob opens every published page in his own browser session.
    colleague = new_page()
    sign_in(colleague, "bob", PASSWORD)
    for url in pages:
        assert colleague.goto(url).status == 200
        colleague.locator(".ns-notebook .jp-Cell").first.wait_for()
    screenshot(colleague, "api-published-read-by-colleague")

    # The interactive docs work under the strict CSP with nothing from another host.
    docs = new_page()
    docs.add_init_script(WATCH_CSP)
    docs.goto("/api/v1/docs")
    docs.get_by_text("Publish a notebook").first.wait_for()
    assert docs.evaluate("() => window.__cspViolations") == []
    screenshot(docs, "api-docs")

    # alice revokes the token after confirming; the script is refused from then on.
    owner.get_by_role("link", name="Revoke Laptop script").click()
    screenshot(owner, "api-token-revoke-confirm")
    owner.get_by_role("button", name="Revoke token").click()
    owner.get_by_text("it no longer works").wait_for()
    screenshot(owner, "api-token-revoked")
    refused = script.get("/api/v1/me", headers=auth)
    assert refused.status == 401
    assert refused.json()["code"] == "invalid_token"
    script.dispose()
