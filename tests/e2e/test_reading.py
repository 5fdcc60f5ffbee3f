"""Reading a notebook in Chromium: math as JupyterLab shows it, long outputs folded with a
visible "Show more", view options remembered per notebook, contents, copy-link-to-cell, one Tab
stop per cell, comment labels that match the page, placeholders for remote images."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import nbformat
import pytest
from django.utils import timezone
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from playwright.sync_api import expect

from sharing.grants import set_user_role
from sharing.models import Notebook, NotebookVersion
from tests.conftest import PASSWORD
from tests.corpus import corpus_notebooks
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A 1x1 PNG, as matplotlib's inline backend would attach a plot.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
    )
).decode()

SIZES = [("wide", 1400, 900), ("phone", 390, 844)]

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"

RAW_TEX_IN_MATH = """
() => Array.from(document.querySelectorAll('.ns-notebook math'))
  .map((m) => m.textContent)
  .filter((t) => /[&$]|\\\\\\\\|\\\\begin|\\\\end/.test(t))
"""


OPEN_DETAILS = (
    "() => document.querySelectorAll('.ns-notebook details').forEach((d) => { d.open = true; })"
)
MATH_FONT_LOADED = """
() => Array.from(document.fonts).some((f) => f.family.includes('NotebookShare Math')
  && f.status === 'loaded')
"""


ALIGN_EDGES = """
() => Array.from(document.querySelectorAll('.ns-notebook mtable')).filter(
  (t) => t.querySelector(':scope > mtr > mtd.math-r + mtd.math-l')).map((t) => {
  const rows = Array.from(t.querySelectorAll(':scope > mtr'));
  const tokens = (cell) => Array.from(cell.querySelectorAll('mi, mo, mn, mtext'))
    .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
  return {
    right: rows.map((r) => Math.max(...tokens(r.querySelector(':scope > mtd.math-r'))
      .map((b) => b.right))),
    left: rows.map((r) => Math.min(...tokens(r.querySelector(':scope > mtd.math-l'))
      .map((b) => b.left))),
  };
})
"""


def _page(new_page, user, scheme="light", width=1400, height=900):
    page = new_page(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, user.username, PASSWORD)
    return page


def reading_notebook() -> bytes:
    table_rows = "".join(f"<tr><th>{i}</th><td>{i * 2}</td></tr>" for i in range(162))
    dataframe = (
        '<div><table class="dataframe"><thead><tr><th></th><th>x</th></tr></thead>'
        f"<tbody>{table_rows}</tbody></table>"
        "<p>162 rows \N{MULTIPLICATION SIGN} 5 columns</p></div>"
    )
    long_text = "".join(f"line {i}\n" for i in range(200))
    cells = [
        new_markdown_cell(
            "# Report\n\nA first paragraph that is long enough to reach the right edge of the "
            "cell, where the comment button sits, so that overlapping would hide some of it. "
            "It goes on and on to fill the line completely at every width we test."
        ),
        new_markdown_cell("## Data\n\n![the team's logo](https://img.example/logo.png)"),
        new_code_cell(
            "df",
            execution_count=3,
            outputs=[
                new_output(
                    "execute_result",
                    execution_count=3,
                    data={"text/html": dataframe, "text/plain": "df"},
                )
            ],
        ),
        new_markdown_cell("## Plot\n\nThe plot, and then the log."),
        new_code_cell(
            "plt.plot(x); plt.title('t')",
            execution_count=4,
            outputs=[
                new_output(
                    "execute_result", execution_count=4, data={"text/plain": "Text(0.5, 1.0, 't')"}
                ),
                new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            ],
        ),
        new_code_cell(
            "for i in range(200): print('line', i)",
            execution_count=5,
            outputs=[new_output("stream", name="stdout", text=long_text)],
        ),
        new_markdown_cell(
            "## Math\n\n$$ a \\\\ b \\\\ c $$\n\n"
            '<div class="admonition">$q(\\theta)$ is the guide</div>'
        ),
    ]
    nb = new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})
    return nbformat.writes(nb).encode()


def test_reading_features(new_page, alice, make_notebook, settings):
    notebook = make_notebook(alice, reading_notebook(), filename="read.ipynb", title="Read")
    other = make_notebook(alice, reading_notebook(), filename="other.ipynb", title="Other")
    page = _page(new_page, alice)
    page.goto(notebook.get_absolute_url())
    page.wait_for_load_state("load")
    nb = page.locator(".ns-notebook")

    # Long outputs are folded with a visible "Show more"; the pandas footer stays visible.
    log = nb.locator(".jp-RenderedText.jp-OutputArea-output").filter(has_text="line 199")
    more = log.get_by_role("button", name=re.compile("Show more"))
    assert more.is_visible()
    clamp = log.locator(".ns-clamp")
    shown, whole = clamp.evaluate("el => [el.clientHeight, el.scrollHeight]")
    assert shown < whole / 3
    frame = nb.locator(".jp-OutputArea-output").filter(has=page.locator("table.dataframe"))
    footer = frame.get_by_text("162 rows \N{MULTIPLICATION SIGN} 5 columns")
    assert footer.is_visible()
    assert frame.get_by_role("button", name=re.compile("Show more")).is_visible()
    screenshot(page, "reading-folded")
    more.click()
    shown, whole = clamp.evaluate("el => [el.clientHeight, el.scrollHeight]")
    assert shown >= whole - 1
    assert log.get_by_role("button", name="Show less").is_visible()

    # A remote image: named with its alt text and address, never loaded.
    blocked = nb.locator(".blocked-image")
    assert blocked.is_visible()
    assert "the team's logo" in blocked.inner_text()
    assert "https://img.example/logo.png" in blocked.inner_text()
    assert nb.locator("img[src*='img.example']").count() == 0

    # Math: three lines of display math; math inside the HTML block.
    assert nb.locator("math[display=block] mtr").count() == 3
    assert nb.locator(".jp-MarkdownCell div math").count() >= 1
    assert page.evaluate(RAW_TEX_IN_MATH) == []

    # Contents from the headings.
    toc = page.locator("[data-toc]")
    assert toc.is_visible()
    assert toc.get_by_role("link").all_inner_texts() == ["Report", "Data", "Plot", "Math"]
    toc.get_by_role("link", name="Plot").click()
    assert page.url.endswith("#nb-Plot")

    # Hide code also hides the plotting cell's Out[4]: Text(...), remembered for this notebook.
    clutter = nb.get_by_text("Text(0.5, 1.0, 't')")
    assert clutter.is_visible()
    page.get_by_label("Hide code").check()
    assert not clutter.is_visible()
    assert nb.locator(".jp-RenderedImage img").is_visible()
    page.reload()
    page.wait_for_load_state("load")
    assert page.get_by_label("Hide code").is_checked()
    screenshot(page, "reading-hide-code")
    page.goto(other.get_absolute_url())
    page.wait_for_load_state("load")
    assert not page.get_by_label("Hide code").is_checked()  # another notebook: its own choice
    page.goto(notebook.get_absolute_url())
    page.wait_for_load_state("load")
    page.get_by_label("Hide code").uncheck()

    # One Tab stop per cell: only one cell is in the Tab order, arrows move between cells and
    # into a cell's parts.
    cells = nb.locator(".jp-Cell[data-cell-id]")
    assert cells.count() == 7
    tab_stops = page.evaluate(
        "() => Array.from(document.querySelectorAll('.ns-notebook [tabindex]'))"
        ".filter((e) => e.tabIndex >= 0).length"
    )
    assert tab_stops == 1
    cells.nth(0).focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.dataset.cellIndex") == "1"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("() => document.activeElement.className")
    assert "jp-Cell-inputWrapper" in focused
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.dataset.cellIndex") == "2"
    page.keyboard.press("Tab")  # leaves the notebook: the next stop is outside it
    assert page.evaluate("() => !document.activeElement.closest('.ns-notebook')"), page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 200)"
    )

    # Copy link to a cell: the address of the cell.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    cell = cells.nth(2)
    cell.hover()
    cell.get_by_role("button", name="Copy link to In [3]").click()
    assert page.url.endswith(f"#cell-{cell.get_attribute('data-cell-id')}")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith(f"#cell-{cell.get_attribute('data-cell-id')}")

    # Comments call a cell what the page shows: "In [3]", not "cell 3".
    button = cell.locator(".cm-cell-button")
    button.wait_for(state="attached")
    assert button.get_attribute("aria-label").startswith("Comments on In [3]")

    # The comment button never covers Markdown text, at either width.
    for _name, width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        first = cells.nth(0)
        first.hover()
        bar = first.locator(".cm-cell-button").bounding_box()
        text = first.locator(".jp-RenderedMarkdown").bounding_box()
        overlap_x = bar["x"] < text["x"] + text["width"] and text["x"] < bar["x"] + bar["width"]
        overlap_y = bar["y"] < text["y"] + text["height"] and text["y"] < bar["y"] + bar["height"]
        assert not (overlap_x and overlap_y), (width, bar, text)
        assert page.evaluate(NO_OVERFLOW), width

    # The reading features at both widths, light and dark.
    for scheme in ("light", "dark"):
        for size, width, height in SIZES:
            view = _page(new_page, alice, scheme, width, height)
            view.goto(notebook.get_absolute_url())
            view.wait_for_load_state("load")
            assert view.get_by_role("button", name=re.compile("Show more")).first.is_visible()
            assert view.locator(".blocked-image").is_visible()
            assert view.evaluate(NO_OVERFLOW), (scheme, width)
            view.locator(".jp-Cell[data-cell-id]").nth(2).focus()
            screenshot(view, f"reading-{size}-{scheme}")
            view.context.close()


def _math_heavy():
    names = ("variational-inference.ipynb", "demo.ipynb")
    found = [item for item in corpus_notebooks() if item.path.name in names]
    assert len(found) == 2
    return found


def test_math_heavy_corpus_notebooks_in_light_and_dark(new_page, alice, make_notebook, settings):
    settings.RENDER_ASYNC_BYTES = settings.RENDER_ASYNC_CELLS = 10**9  # render during upload
    for item in _math_heavy():
        notebook = make_notebook(alice, item.path.read_bytes(), filename=item.name)
        for scheme in ("light", "dark"):
            for size, width, height in SIZES:
                page = _page(new_page, alice, scheme, width, height)
                page.goto(notebook.get_absolute_url())
                page.wait_for_load_state("load")
                page.evaluate(OPEN_DETAILS)  # the proofs (vmatrix...) are in <details>
                page.evaluate("() => document.fonts.ready")
                font = page.evaluate(MATH_FONT_LOADED)
                assert font, "the vendored math font is not in use"
                maths = page.locator(".ns-notebook math")
                assert maths.count() >= 10
                assert page.evaluate(RAW_TEX_IN_MATH) == []
                assert page.locator(".ns-notebook .math-error").count() == 0
                # Display math is centred in its column, as $$ and align are in JupyterLab.
                offsets = page.evaluate(
                    """() => Array.from(document.querySelectorAll(
                        '.ns-notebook math[display=block]')).slice(0, 20).map((m) => {
                      const inner = m.firstElementChild.getBoundingClientRect();
                      const box = m.getBoundingClientRect();
                      if (inner.width >= box.width - 2) return 0;
                      return Math.abs((inner.left - box.left) - (box.right - inner.right));
                    })"""
                )
                assert max(offsets) < 3, offsets
                # align's columns line up: right-aligned left sides end at one x, the
                # left-aligned right sides start at one x.
                edges = page.evaluate(ALIGN_EDGES)
                for table in edges:
                    assert max(table["right"]) - min(table["right"]) < 1.5, table
                    assert max(table["left"]) - min(table["left"]) < 1.5, table
                screenshot(page, f"math-{item.path.stem}-{size}-{scheme}")
                page.context.close()


def test_times_are_dates_in_the_markup_and_relative_on_screen(
    new_page, alice, bob, make_notebook, settings
):
    """A kept or revalidated page must not say "5 minutes ago" an hour later: the markup holds
    the date, and the page script says how long ago it was, kept current while open."""
    settings.RENDER_ASYNC_BYTES = 10**9
    notebook = make_notebook(alice, reading_notebook(), title="Times")
    set_user_role(notebook, bob, "viewer")
    three_hours_ago = timezone.now() - timedelta(hours=3)
    NotebookVersion.objects.filter(notebook=notebook).update(created_at=three_hours_ago)
    Notebook.objects.filter(pk=notebook.pk).update(updated_at=three_hours_ago)
    plain = new_page(java_script_enabled=False)
    sign_in(plain, "bob", PASSWORD)
    plain.goto(notebook.get_absolute_url())
    uploaded = plain.locator("time[data-ago]").first
    assert uploaded.inner_text() == timezone.localtime(three_hours_ago).strftime("%-d %b %Y, %H:%M")
    for scheme, width in (("light", 1400), ("dark", 390)):
        page = _page(new_page, bob, scheme=scheme, width=width)
        for name, url in (("page", notebook.get_absolute_url()), ("dashboard", "/?tab=shared")):
            page.goto(url)
            shown = page.locator("time[data-ago]").first
            expect(shown).to_have_text("3 hours ago")
            assert str(three_hours_ago.year) in shown.get_attribute("title")
            screenshot(page, f"times-{name}-{scheme}-{width}")
