"""Real-browser tests: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class WhiteNoiseLiveServer(LiveServer):
    """A live server that serves static files through whitenoise, as production does.

    pytest-django's own live server answers /static/ from the finders, which know nothing
    of the hashed names in whitenoise's manifest.
    """

    def __init__(self, addr: str) -> None:
        super().__init__(addr, start=False)
        self.thread.static_handler = lambda app: app
        self.start()


@pytest.fixture(scope="session")
def live_server(request):
    server = WhiteNoiseLiveServer("127.0.0.1:0")
    request.addfinalizer(server.stop)
    return server


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def allowed_origins() -> tuple[str, ...]:
    """Hosts besides our own that pages may reach: none (a module overrides this to let its
    pages reach, say, the identity provider)."""
    return ()


@pytest.fixture
def new_page(browser, live_server, allowed_origins):
    """Open pages in fresh contexts; every request to another host fails the test."""
    contexts = []
    foreign: list[str] = []
    allowed = (live_server.url, "data:", *allowed_origins)

    def make(color_scheme: str = "light", java_script_enabled: bool = True, width: int = 1280):
        context = browser.new_context(
            base_url=live_server.url,
            color_scheme=color_scheme,
            java_script_enabled=java_script_enabled,
            viewport={"width": width, "height": 900},
        )
        contexts.append(context)

        def guard(route):
            url = route.request.url
            if url.startswith(allowed):
                route.continue_()
            else:
                foreign.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not foreign, f"pages asked for other hosts: {foreign}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
