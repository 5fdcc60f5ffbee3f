"""Every page at 1400 px and 390 px, light and dark: nothing wider than the window, and the
user menu (sign out, API tokens, administration) visible and clickable on a phone.

Screenshots of every page land in test-artifacts/layout-<page>-<width>-<scheme>.png.
"""

from __future__ import annotations

import nbformat
import pytest
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from playwright.sync_api import expect

from sharing import links
from sharing.accounts.invites import create_invite
from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.grants import set_group_role, set_user_role
from sharing.groups import create_group
from sharing.ingest import Upload
from sharing.notebooks import add_version
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1400, "phone": 390}
SCHEMES = ["light", "dark"]
MENU_ITEMS = ["My groups", "API tokens", "Invites", "Administration", "Sign out"]


def wide_notebook(rows: int = 3) -> bytes:
    """A notebook whose outputs are wider than any phone: a 24-column table, a long code line,
    a long unbroken word in Markdown, display math."""
    head = "".join(f"<th>column_{i}</th>" for i in range(24))
    body = "".join(
        "<tr>" + "".join(f"<td>{r * 1000 + i}</td>" for i in range(24)) + "</tr>"
        for r in range(rows)
    )
    table = f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    nb = new_notebook()
    nb.cells.append(
        new_markdown_cell(
            "# A wide notebook\n"
            + "An_unbroken_identifier_" * 8
            + "\n\n$$ \\sum_{i=0}^{n} a_i x^i + b_i y^i + c_i z^i + d_i w^i $$"
        )
    )
    nb.cells.append(
        new_code_cell(
            "df = load('" + "x" * 160 + "')\ndf",
            execution_count=1,
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/html": table, "text/plain": "a table"},
                    execution_count=1,
                )
            ],
        )
    )
    nb.cells.append(
        new_code_cell(
            "print('-' * 200)",
            execution_count=2,
            outputs=[new_output("stream", name="stdout", text="-" * 200 + "\n")],
        )
    )
    return nbformat.writes(nb).encode()


@pytest.fixture
def site(settings, make_user, make_notebook):
    """alice (staff) owns a two-version notebook shared with bob and a group, with a comment
    thread, a live and an ended share link; bob owns one alice may only view."""
    settings.SIGNUP_ENABLED = True
    settings.SIGNUP_EMAIL_DOMAINS = ["example.com"]
    alice = make_user("alice", is_staff=True, first_name="Alice", last_name="Example")
    bob = make_user("bob")
    notebook = make_notebook(alice, wide_notebook(), title="Quarterly sales by region")
    add_version(notebook, alice, Upload.from_bytes("sales.ipynb", wide_notebook(rows=5)))
    notebook.refresh_from_db()
    set_user_role(notebook, bob, "editor")
    team = create_group("Data team", alice)
    team.user_set.add(bob)
    set_group_role(notebook, team, "viewer")
    version = notebook.versions.get(number=2)
    cell = list(version_cells(version).values())[1]
    start_thread(notebook, version, cell, alice, "Can we see this by month as well?")
    expiry = links.latest_expiry()
    links.create_link(notebook, alice, expires_at=expiry, label="For the board")
    ended, ended_token = links.create_link(notebook, alice, expires_at=expiry, label="Old")
    links.revoke(ended, alice)
    theirs = make_notebook(bob, title="Bob's notebook")
    set_user_role(theirs, alice, "viewer")
    invite = create_invite(alice, email="dora@example.com")
    return {
        "notebook": notebook,
        "theirs": theirs,
        "group": team,
        "ended_token": ended_token,
        "invite": invite.raw,
        "thread_cell": cell,
    }


def signed_in_pages(site) -> dict[str, str]:
    nb, theirs = site["notebook"], site["theirs"]
    pk = nb.pk
    return {
        "dashboard": reverse("sharing:dashboard"),
        "shared-with-me": reverse("sharing:dashboard") + "?tab=shared",
        "upload": reverse("sharing:upload"),
        "notebook": nb.get_absolute_url(),
        "version": reverse("sharing:version-detail", args=[pk, 1]),
        "upload-version": reverse("sharing:notebook-upload-version", args=[pk]),
        "rename": reverse("sharing:notebook-rename", args=[pk]),
        "delete": reverse("sharing:notebook-delete", args=[pk]),
        "compare-pick": reverse("sharing:notebook-compare-pick", args=[pk]),
        "compare": reverse("sharing:notebook-compare", args=[pk, "1...2"]),
        "share": reverse("sharing:notebook-access", args=[pk]),
        "links": reverse("sharing:notebook-links", args=[pk]),
        "transfer": reverse("sharing:notebook-transfer", args=[pk]),
        "tokens": reverse("sharing:api-tokens"),
        "groups": reverse("sharing:groups"),
        "group": reverse("sharing:group-detail", args=[site["group"].pk]),
        "group-new": reverse("sharing:group-create"),
        "person": reverse("sharing:person", args=["bob"]),
        "notification-settings": reverse("sharing:notification-settings"),
        "account-email": reverse("sharing:account-email"),
        "password-change": reverse("password_change"),
        "invites": reverse("sharing:invites"),
        "not-found": "/n/999999/",
        "forbidden": reverse("sharing:notebook-access", args=[theirs.pk]),
        "link-gone": reverse("sharing:share-link-open", args=[site["ended_token"]]),
    }


def signed_out_pages(site) -> dict[str, str]:
    return {
        "sign-in": reverse("login"),
        "sign-in-shared": reverse("login") + f"?next={site['notebook'].get_absolute_url()}",
        "sign-up": reverse("sharing:signup"),
        "sign-up-invite": reverse("sharing:signup-invite", args=[site["invite"]]),
        "password-reset": reverse("password_reset"),
        "signed-out-not-found": "/no/such/page/",
    }


def assert_fits(page, name: str, width: int) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        wide = page.evaluate(
            """w => [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length
                && !e.closest('details:not([open]) > :not(summary)')
                && !(function clipped(p) {
                  for (; p && p !== document.body; p = p.parentElement)
                    if (getComputedStyle(p).overflowX !== 'visible') return true;
                  return false; })(e.parentElement))
              .slice(0, 8)
              .map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)""",
            inner,
        )
        raise AssertionError(f"{name} at {width} px is {scroll} px wide: {wide}")
    assert inner == width


def visit(page, name: str, url: str, width: int, scheme: str, status: int | None = None):
    response = page.goto(url)
    if status is not None:
        assert response.status == status, f"{name}: {response.status}"
    else:
        assert response.status == 200, f"{name}: {response.status}"
    page.wait_for_load_state("load")
    screenshot(page, f"layout-{name}-{width}-{scheme}")
    assert_fits(page, name, width)


STATUS = {
    "compare-pick": 400,
    "not-found": 404,
    "forbidden": 403,
    "link-gone": 410,
    "signed-out-not-found": 404,
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", WIDTHS)
def test_every_page_fits_the_window(new_page, site, size, scheme):
    width = WIDTHS[size]
    page = new_page(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    for name, url in signed_out_pages(site).items():
        visit(page, name, url, width, scheme, STATUS.get(name))
    sign_in(page, "alice", PASSWORD)
    for name, url in signed_in_pages(site).items():
        visit(page, name, url, width, scheme, STATUS.get(name))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_our_error_pages_with_debug_on(new_page, site, settings, scheme):
    """A colleague opening a notebook they may not see gets our page, never Django's list of
    URL patterns, even on a trial install with DEBUG on."""
    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.error_urls"
    page = new_page(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice", PASSWORD)
    for name, url, status, text in [
        ("debug-404", "/n/999999/", 404, "There is nothing here"),
        ("debug-404-url", "/no/such/page/", 404, "There is nothing here"),
        ("debug-403", signed_in_pages(site)["forbidden"], 403, "You cannot do that"),
        ("debug-410", signed_in_pages(site)["link-gone"], 410, "This link was revoked"),
        ("debug-500", "/broken/", 500, "Something went wrong"),
    ]:
        response = page.goto(url)
        assert response.status == status, name
        body = page.content()
        assert "URLconf" not in body and "DEBUG = True" not in body, name
        assert "Traceback" not in body, name
        assert text.lower() in page.inner_text("body").lower(), name
        assert_fits(page, name, 390)
        screenshot(page, f"layout-{name}-390-{scheme}")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_menu_is_reachable_on_a_phone(new_page, site, scheme):
    page = new_page(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice", PASSWORD)
    page.goto(site["notebook"].get_absolute_url())
    # A <summary>: a disclosure button for assistive technology, named with the username.
    button = page.locator("summary#user-menu-button")
    button.wait_for()
    assert button.get_attribute("aria-label") == "alice: account menu"
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    # The <details> "toggle" event, which the script follows, comes a moment after the click.
    expect(button).to_have_attribute("aria-expanded", "true")
    menu = page.locator("#user-menu")
    for name in MENU_ITEMS:
        item = menu.get_by_role("button" if name == "Sign out" else "link", name=name)
        item.wait_for(state="visible")
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, name
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, name
        item.click(trial=True)  # visible, enabled, not covered by anything
    assert_fits(page, "menu open", 390)
    screenshot(page, f"layout-menu-open-390-{scheme}")
    # Escape closes it and gives the focus back to the button; the keyboard opens it again.
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.activeElement.id") == "user-menu-button"
    page.keyboard.press("Enter")
    menu.get_by_role("link", name="API tokens").wait_for(state="visible")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == MENU_ITEMS[0]
    # A click outside closes it.
    page.mouse.click(5, 830)
    expect(button).to_have_attribute("aria-expanded", "false")
    # The items work: API tokens, then sign out.
    button.click()
    menu.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/settings/tokens/")
    page.locator("#user-menu-button").click()
    page.locator("#user-menu").get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator("#user-menu-button").count() == 0


def test_the_menu_works_without_javascript(new_page, site):
    page = new_page(java_script_enabled=False)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice", PASSWORD)
    page.goto(reverse("sharing:dashboard"))
    page.locator("#user-menu-toggle summary").click()
    item = page.locator("#user-menu").get_by_role("link", name="API tokens")
    item.wait_for(state="visible")
    item.click()
    page.wait_for_url("**/settings/tokens/")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_wide_outputs_scroll_inside_their_cell_and_comments_are_a_sheet(new_page, site, scheme):
    page = new_page(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice", PASSWORD)
    page.goto(site["notebook"].get_absolute_url())
    table = page.locator(".jp-OutputArea-output table").first
    table.wait_for()
    # The table is wider than the phone, and its own box scrolls.
    scroller = table.evaluate_handle(
        "t => { let e = t.parentElement; while (e && getComputedStyle(e).overflowX !== 'auto'"
        " && getComputedStyle(e).overflowX !== 'scroll') e = e.parentElement; return e; }"
    )
    assert scroller.evaluate("e => e !== null && e.scrollWidth > e.clientWidth")
    assert_fits(page, "notebook", 390)
    # The comment panel is a sheet at the bottom of the screen: a bar that opens it.
    sheet = page.locator("#comments")
    toggle = sheet.get_by_role("button", name="Comments")
    toggle.wait_for()
    assert page.evaluate("getComputedStyle(document.getElementById('comments')).position") == (
        "fixed"
    )
    closed = sheet.bounding_box()
    assert closed["x"] == 0 and closed["width"] == 390
    assert abs(closed["y"] + closed["height"] - 844) <= 1
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    item = sheet.locator("[data-panel-thread]").first
    item.wait_for(state="visible")
    opened = sheet.bounding_box()
    assert opened["height"] > closed["height"] + 60
    assert abs(opened["y"] + opened["height"] - 844) <= 1
    assert_fits(page, "comments sheet", 390)
    page.screenshot(path=str(screenshot(page, f"layout-comment-sheet-390-{scheme}")))
    # Choosing a thread closes the sheet and opens the thread under its cell.
    item.locator("a").click()
    assert toggle.get_attribute("aria-expanded") == "false"
    cell = page.locator(f'.jp-Cell[data-cell-id="{site["thread_cell"].id}"]')
    cell.locator(".cm-thread").first.wait_for(state="visible")
    # Escape closes an open sheet from the keyboard.
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"


def test_the_comment_panel_stays_a_side_panel_on_a_desktop(new_page, site):
    page = new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, "alice", PASSWORD)
    page.goto(site["notebook"].get_absolute_url())
    page.locator("#comments [data-panel-thread]").first.wait_for(state="visible")
    assert page.evaluate("getComputedStyle(document.getElementById('comments')).position") == (
        "static"
    )
