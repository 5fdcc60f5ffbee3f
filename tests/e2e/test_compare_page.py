"""The compare page in Chromium: every kind of change shown, in light and dark, on desktop and
phone; unchanged runs folded; view options and keyboard navigation; reviewing on the diff."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.notebooks import add_version
from tests.conftest import PASSWORD
from tests.diff.conftest import as_bytes, mixed_pair
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sales(alice, make_notebook):
    old, new = mixed_pair()
    notebook = make_notebook(alice, as_bytes(old), title="Sales")
    add_version(notebook, alice, Upload.from_bytes("sales.ipynb", as_bytes(new)))
    notebook.refresh_from_db()
    return notebook, old, new


def compare_url(notebook, spec="1...2") -> str:
    return f"/n/{notebook.pk}/compare/{spec}/"


def row(page, status: str):
    return page.locator(f".nd-diff .nd-row.nd-{status}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_kind_of_change_is_shown_in_light_and_dark_on_desktop_and_phone(
    new_page, sales, scheme
):
    notebook, _old, _new = sales
    page = new_page(color_scheme=scheme)
    sign_in(page, "alice", PASSWORD)
    # From the notebook page: "Changes since version 1".
    page.goto(notebook.get_absolute_url())
    page.get_by_role("link", name="Changes since version 1").click()
    page.wait_for_url(f"**{compare_url(notebook)}")
    summary = page.locator("[data-diff-summary]").inner_text()
    assert "3 modified, 1 added, 1 removed, 1 moved" in summary
    assert "outputs changed in 2 cells" in summary
    expect(row(page, "modified")).to_have_count(3)
    for status, label in [("added", "Added"), ("removed", "Removed"), ("moved", "Moved")]:
        expect(row(page, status)).to_have_count(1)
        expect(row(page, status).locator(".nd-badge")).to_have_text(label)
    # The moved cell says from where; the added and removed cells show their code.
    expect(row(page, "moved").locator(".nd-where")).to_contain_text("cell 5 → 2")
    expect(row(page, "added")).to_contain_text("brand new cell")
    expect(row(page, "removed")).to_contain_text("goes away")
    # Source changes: the line and the words that changed are marked, side by side.
    markdown = row(page, "modified").first
    expect(markdown.locator(".nd-split-table del")).to_have_text("third")
    expect(markdown.locator(".nd-split-table ins")).to_have_text("fourth")
    # The changed image: before and after, side by side, rendered by the notebook renderer.
    plot = row(page, "modified").filter(has_text="plot(data)")
    images = plot.locator(".nd-side img")
    expect(images).to_have_count(2)
    before, after = images.nth(0).bounding_box(), images.nth(1).bounding_box()
    assert after["x"] > before["x"] + 100 and abs(after["y"] - before["y"]) < 5
    # Text outputs are diffed line by line.
    data = row(page, "modified").filter(has_text="statistics.mean")
    outputs = data.locator(".nd-text-outputs .nd-split-table")
    expect(outputs.locator("td.nd-code.nd-del")).to_have_text("2.8")
    expect(outputs.locator("td.nd-code.nd-ins")).to_have_text("3.83")
    expect(outputs.locator("ins").first).to_be_visible()
    screenshot(page, f"compare-desktop-{scheme}")

    # The same page on a phone: nothing wider than the screen but the scrolling diff itself.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(row(page, "modified")).to_have_count(3)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    plot = row(page, "modified").filter(has_text="plot(data)")
    images = plot.locator(".nd-side img")
    before, after = images.nth(0).bounding_box(), images.nth(1).bounding_box()
    assert after["y"] > before["y"]  # stacked, before above after
    # The comments become a sheet at the bottom, and their side box leaves no empty box.
    expect(page.locator("#comments.sheet")).to_be_visible()
    page.wait_for_function("document.querySelector('aside.nb-side').offsetHeight === 0")
    screenshot(page, f"compare-phone-{scheme}")


def test_folded_runs_hidden_noise_toggles_and_keyboard_navigation(new_page, sales):
    notebook, _old, _new = sales
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto(compare_url(notebook))

    # Unchanged cells at the end are one folded line; opening it shows them.
    run = page.locator("details.nd-run")
    expect(run).to_have_count(1)
    expect(run.locator("summary")).to_have_text("3 unchanged cells")
    expect(run.locator(".nd-row").first).to_be_hidden()
    run.locator("summary").click()
    expect(run.locator(".nd-row")).to_have_count(3)
    expect(run.locator(".nd-row").first).to_be_visible()
    page.get_by_role("button", name="Collapse unchanged").click()
    expect(run.locator(".nd-row").first).to_be_hidden()

    # The cell whose execution count alone changed: hidden noise until asked for.
    minor = page.locator(".nd-row.nd-minor")
    expect(minor.locator(".nd-meta")).to_be_hidden()
    expect(minor.locator(".nd-minor-parts")).to_be_hidden()
    page.get_by_label("Execution counts and metadata").check()
    expect(minor.locator(".nd-meta")).to_be_visible()
    expect(minor.locator(".nd-meta")).to_contain_text("Execution count: 1 → 2")
    page.get_by_label("Execution counts and metadata").uncheck()
    expect(minor.locator(".nd-meta")).to_be_hidden()

    # Outputs: show, only changed, hide.
    unchanged_output = row(page, "removed").locator(".jp-OutputArea")  # none: no outputs
    assert unchanged_output.count() == 0
    done = page.locator(".nd-row").filter(has_text="print('done')")
    run.locator("summary").click()
    expect(done.locator(".jp-OutputArea")).to_be_visible()
    page.get_by_label("Only changed").check()
    expect(done.locator(".jp-OutputArea")).to_be_hidden()
    plot = row(page, "modified").filter(has_text="plot(data)")
    expect(plot.locator(".nd-outputs")).to_be_visible()
    page.get_by_label("Hide").check()
    expect(plot.locator(".nd-outputs")).to_be_hidden()
    page.get_by_label("Show", exact=True).check()
    expect(plot.locator(".nd-outputs")).to_be_visible()

    # Layouts: side by side by default on a desktop, unified on request, remembered.
    markdown = row(page, "modified").first
    expect(markdown.locator(".nd-split-table")).to_be_visible()
    expect(markdown.locator(".nd-unified-table")).to_be_hidden()
    page.get_by_label("Unified").check()
    expect(markdown.locator(".nd-unified-table")).to_be_visible()
    expect(markdown.locator(".nd-split-table")).to_be_hidden()
    screenshot(page, "compare-unified")
    page.reload()
    expect(page.get_by_label("Unified")).to_be_checked()
    expect(row(page, "modified").first.locator(".nd-unified-table")).to_be_visible()

    # Markdown rendered instead of its source.
    page.get_by_label("Markdown rendered").check()
    markdown = row(page, "modified").first
    expect(markdown.locator(".nd-md-view .nd-new h1")).to_have_text("Sales report¶")
    expect(markdown.locator(".nd-source")).to_be_hidden()
    page.get_by_label("Markdown rendered").uncheck()

    # Keyboard: j / n next change, k / p previous; focus and a live position follow.
    page.locator("[data-diff-summary]").click()
    changes = page.locator(".nd-row.nd-change")
    expect(changes).to_have_count(6)
    page.keyboard.press("j")
    expect(changes.nth(0)).to_be_focused()
    expect(page.locator("[data-diff-position]")).to_have_text("Change 1 of 6")
    page.keyboard.press("n")
    page.keyboard.press("j")
    expect(changes.nth(2)).to_be_focused()
    expect(changes.nth(2)).to_have_class("nd-row nd-modified nd-change nd-out-changed nd-current")
    page.keyboard.press("k")
    expect(changes.nth(1)).to_be_focused()
    page.get_by_role("button", name="Next change").click()
    expect(page.locator("[data-diff-position]")).to_have_text("Change 3 of 6")
    for _ in range(8):
        page.keyboard.press("j")
    expect(changes.nth(5)).to_be_focused()  # stops at the last change
    page.keyboard.press("p")
    expect(page.locator("[data-diff-position]")).to_have_text("Change 5 of 6")
    # With execution counts shown, the cell whose count changed is a stop too.
    page.get_by_label("Execution counts and metadata").check()
    page.get_by_role("button", name="Previous change").click()
    expect(page.locator("[data-diff-position]")).to_have_text("Change 5 of 7")
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(page.locator("[data-diff-position]")).to_have_text("Change 3 of 7")
    expect(page.locator(".nd-row.nd-minor")).to_be_focused()
    screenshot(page, "compare-keyboard")


def test_commenter_reviews_on_the_newer_side_and_sees_outdated_threads(
    new_page, alice, bob, make_notebook
):
    old, new = mixed_pair()
    notebook = make_notebook(alice, as_bytes(old), title="Sales")
    first = notebook.latest_version
    data_cell = version_cells(first)[old.cells[2].id]
    start_thread(notebook, first, data_cell, alice, "Is this mean right?")
    add_version(notebook, alice, Upload.from_bytes("sales.ipynb", as_bytes(new)))
    set_user_role(notebook, bob, "commenter")

    page = new_page()
    sign_in(page, "bob", PASSWORD)
    page.goto(compare_url(notebook))
    # The thread on the edited cell is on the newer side, marked outdated.
    edited = page.locator(f'.nd-diff .jp-Cell[data-cell-id="{new.cells[3].id}"]')
    edited.locator("[data-cell-button]").click()
    thread = edited.locator(".cm-thread")
    expect(thread).to_contain_text("Is this mean right?")
    expect(thread.locator("[data-outdated]")).to_contain_text("Outdated")
    # bob starts a thread on the added cell, from the compare page.
    added = row(page, "added").locator(".jp-Cell")
    added.hover()
    added.locator("[data-cell-button]").click()
    added.get_by_label("Comment on In [8]").fill("Why a new cell here?")
    added.get_by_role("button", name="Comment", exact=True).click()
    expect(added.locator(".cm-thread .cm-body")).to_have_text("Why a new cell here?")
    screenshot(page, "compare-comment")
    # It is a thread on that cell of the latest version, shown on the notebook page too.
    page.goto(notebook.get_absolute_url())
    cell = page.locator(f'.jp-Cell[data-cell-id="{new.cells[8].id}"]')
    expect(cell.locator("[data-badge]")).to_have_text("1")
    # Removed cells carry no comment control.
    page.goto(compare_url(notebook))
    expect(row(page, "removed").locator("[data-cell-button]")).to_have_count(0)
