"""Search in the browser: "/" focuses the header box, a result opens the notebook on the
matching cell, highlighted; results pages at phone width and in dark mode."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _long_notebook() -> bytes:
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# Sales review\nQuarterly numbers.", id="intro")]
    nb.cells += [new_code_cell(f"step_{i} = {i}\nprint(step_{i})", id=f"s{i}") for i in range(30)]
    nb.cells.append(new_code_cell("df = pd.read_csv('sales.csv')", id="loader"))
    return nbformat.writes(nb).encode()


def test_type_in_the_header_box_open_a_result_land_on_the_cell(new_page, alice, make_notebook):
    notebook = make_notebook(alice, _long_notebook(), title="Sales review")
    page = new_page()
    sign_in(page, "alice", PASSWORD)

    page.keyboard.press("/")  # the shortcut, from anywhere on the page
    box = page.locator("#site-search")
    expect(box).to_be_focused()
    box.type("read_csv")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=read_csv")
    result = page.locator(".search-result").first
    expect(result.locator("mark")).to_have_text("pd.read_csv")
    expect(result).to_contain_text("Sales review")
    expect(result).to_contain_text("alice")
    screenshot(page, "search-results")

    result.get_by_role("link", name="Sales review").click()
    page.wait_for_url(f"**/n/{notebook.pk}/#cell-loader")
    cell = page.locator("#cell-loader")
    expect(cell).to_have_class(re.compile(r"\bsearch-target\b"))
    expect(cell).to_be_in_viewport()
    assert cell.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    expect(page.locator("#cell-intro")).not_to_be_in_viewport()
    screenshot(page, "search-landed-on-cell")


def test_slash_in_a_text_field_types_a_slash(new_page, alice, make_notebook):
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto("/search/")
    field = page.locator("#search-q")
    field.click()
    page.keyboard.type("a/b")
    expect(field).to_have_value("a/b")


def test_results_at_phone_width_in_dark_mode(new_page, alice, make_notebook):
    make_notebook(alice, _long_notebook(), title="Sales review")
    page = new_page(color_scheme="dark")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice", PASSWORD)
    page.goto("/search/?q=quarterly")
    expect(page.locator(".search-result mark")).to_have_text("Quarterly")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "search-phone-dark")


def test_the_empty_state_says_what_was_searched(new_page, alice):
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto('/search/?q=zzyzx+"no+such+thing"&kind=code')
    expect(page.locator(".empty-state")).to_contain_text("“zzyzx”")
    expect(page.locator(".empty-state")).to_contain_text("the phrase “no such thing”")
