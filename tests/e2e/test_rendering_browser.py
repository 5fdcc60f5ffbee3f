"""The rendering issue's acceptance tests, in Chromium: hostile notebooks stay inert and inside
their box, real notebooks look right in light and dark, math needs no network, view options work.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nbformat
import pytest
from django.conf import settings
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.conftest import PASSWORD
from tests.corpus import corpus_notebooks
from tests.e2e.conftest import screenshot, sign_in
from tests.hostile import hostile_notebooks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Records what a page's own security machinery saw, before any page script runs.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""

# Every element of the page chrome that notebook content must not cover: for each, the point
# hit-testing returns must be the chrome element itself or inside it, never notebook content.
CHROME_HIT_TEST = """
() => {
  const problems = [];
  for (const selector of ['header.topbar', 'h1.nb-title', 'aside.nb-side', '.nb-options']) {
    const box = document.querySelector(selector);
    if (!box) { problems.push(selector + ' missing'); continue; }
    box.scrollIntoView({block: 'nearest'});
    const r = box.getBoundingClientRect();
    for (const [fx, fy] of [[0.5, 0.5], [0.1, 0.2], [0.9, 0.8], [0.05, 0.95], [0.95, 0.05]]) {
      const x = r.left + r.width * fx;
      const y = r.top + r.height * fy;
      const hit = document.elementFromPoint(x, y);
      if (!hit || !box.contains(hit) || hit.closest('.ns-notebook')) {
        problems.push(`${selector} at ${fx},${fy}: ${hit ? hit.outerHTML.slice(0, 120) : null}`);
      }
    }
  }
  return problems;
}
"""

# Nothing inside the notebook may be fixed or sticky, nor lie outside the notebook's own
# (scrollable) box, and the box itself must clip what it holds.
CONTAINMENT = """
() => {
  const nb = document.querySelector('.ns-notebook');
  const style = getComputedStyle(nb);
  const problems = [];
  if (!/paint|strict|content/.test(style.contain) && style.overflow === 'visible') {
    problems.push('the notebook box does not clip its content');
  }
  const box = nb.getBoundingClientRect();
  const right = box.left + Math.max(nb.scrollWidth, box.width) + 1;
  const bottom = box.top + Math.max(nb.scrollHeight, box.height) + 1;
  for (const el of nb.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    if (s.position === 'fixed' || s.position === 'sticky') {
      problems.push(`${s.position}: ${el.outerHTML.slice(0, 120)}`);
    }
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < box.left - 1 || r.top < box.top - 1 || r.right > right || r.bottom > bottom) {
      problems.push(`outside: ${el.outerHTML.slice(0, 120)}`);
    }
  }
  return problems;
}
"""

# Links left in notebook content: only http(s), mailto, relative or fragment.
LINK_HREFS = "els => els.map(a => a.getAttribute('href'))"


def notebook_bytes_of(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode()


def signed_in_page(new_page, user, color_scheme: str = "light"):
    page = new_page(color_scheme=color_scheme)
    sign_in(page, user.username, PASSWORD)
    return page


def same_origin(url: str, base: str) -> bool:
    return url.startswith("data:") or urlsplit(url)[:2] == urlsplit(base)[:2]


# --- 1. hostile notebooks -------------------------------------------------------------


def test_hostile_notebooks_run_nothing_request_nothing_and_stay_in_their_box(
    new_page, live_server, alice, make_notebook
):
    cases = hostile_notebooks()
    notebooks = [
        (name, make_notebook(alice, notebook_bytes_of(nb), filename=f"{name}.ipynb", title=name))
        for name, nb in cases
    ]

    page = signed_in_page(new_page, alice)
    session = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    assert session, "signing in set no session cookie"
    assert session[0]["httpOnly"], "the session cookie is readable by page scripts"
    assert session[0]["sameSite"] == "Lax"

    requests: list[tuple[str, str, str, str]] = []
    dialogs: list[str] = []
    page_errors: list[str] = []
    page.on("request", lambda r: requests.append((page.url, r.method, r.url, r.resource_type)))
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: page_errors.append(f"{page.url}: {e}"))
    page.add_init_script(WATCH_CSP)

    csp_violations: dict[str, list[str]] = {}
    for name, notebook in notebooks:
        response = page.goto(notebook.get_absolute_url())
        assert response is not None and response.ok, name
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, (name, csp)
        page.wait_for_load_state("load")
        notebook_box = page.locator(".ns-notebook")
        assert notebook_box.count() == 1, f"{name}: not rendered"
        assert page.locator(".ns-notebook .jp-Cell").count() == 1, name

        # Move the mouse over the content: handlers such as onmouseover must not exist.
        box = notebook_box.bounding_box()
        for fy in (0.2, 0.5, 0.8):
            page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * fy)
            page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * fy)

        pwned = page.evaluate("() => [typeof window.__pwned, typeof window.__cookie]")
        assert pwned == ["undefined", "undefined"], f"{name}: a payload ran"
        hrefs = page.locator(".ns-notebook a[href]").evaluate_all(LINK_HREFS)
        for href in hrefs:
            scheme = href.split(":", 1)[0].strip().lower() if ":" in href.split("/")[0] else ""
            assert scheme in {"", "http", "https", "mailto"}, f"{name}: link {href!r}"
        # Content cannot borrow our UI's classes nor clash with our ids.
        if name == "markdown-our-classes":
            fake = page.locator(".ns-notebook").get_by_text("fake UI")
            assert fake.evaluate("el => el.className") == "", "content kept our classes"
        assert page.locator("#content, [name=login]").count() == 0, name

        assert page.evaluate(CHROME_HIT_TEST) == [], name
        assert page.evaluate(CONTAINMENT) == [], name
        violations = page.evaluate("() => window.__cspViolations")
        if violations:
            csp_violations[name] = violations
        if name in {"markdown-style-overlay", "markdown-our-classes"}:
            screenshot(page, f"hostile-{name}")

    sent = [r for r in requests if r[1] not in {"GET", "HEAD"}]
    assert not sent, f"state-changing requests: {sent}"
    foreign = [r for r in requests if not same_origin(r[2], live_server.url)]
    assert not foreign, f"requests to other hosts: {foreign}"
    # The sanitiser, not the CSP, removed everything: the browser had nothing to block.
    assert not csp_violations, f"the CSP had to block notebook content: {csp_violations}"
    assert not dialogs, dialogs
    assert not page_errors, page_errors
    # Only our own pages and static files were fetched: nothing on the content's behalf.
    # (and the chart sandbox document for interactive outputs, docs/charts.md).
    sandbox = live_server.url + "/sandbox/chart/"
    documents = [r[2] for r in requests if r[3] == "document" and r[2] != sandbox]
    assert documents == [live_server.url + nb.get_absolute_url() for _, nb in notebooks]
    # Our own scripts may fetch our own JSON (GET, same origin, checked above).
    others = [r[2] for r in requests if r[3] not in {"document", "fetch", "xhr"}]
    not_static = [url for url in others if not url.startswith(live_server.url + "/static/")]
    assert others and not not_static, not_static

    # The checks above can fail: an overlay the sanitiser had let through would be reported.
    page.evaluate(
        """() => {
          const nb = document.querySelector('.ns-notebook');
          const div = nb.appendChild(document.createElement('div'));
          div.textContent = 'overlay';
          Object.assign(div.style, {position: 'fixed', inset: '0', zIndex: '99999'});
        }"""
    )
    assert any(p.startswith("fixed:") for p in page.evaluate(CONTAINMENT))
    page.evaluate("() => { document.querySelector('.ns-notebook').style.contain = 'none'; }")
    assert page.evaluate(CHROME_HIT_TEST), "the hit test cannot see an overlay"
    page.evaluate(
        """() => document.querySelector('.ns-notebook').insertAdjacentHTML(
             'beforeend', '<p style="color: red">inline style</p>')"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")


# --- 2. fidelity on real notebooks ----------------------------------------------------

# Chosen by member path (stable across corpus downloads); each stands for one kind of content.
CORPUS_CHOICE = {
    "plots": "nbconvert-7.17.2/tests/files/notebook2.ipynb",
    "worldpop": "jupytext-1.19.6/demo/World population.ipynb",
    "mixed": "jupytext-1.19.6/tests/data/notebooks/inputs/ipynb_py/text_outputs_and_images.ipynb",
    "math": "jupytext-1.19.6/tests/data/notebooks/inputs/ipynb_py/Line_breaks_in_LateX_305.ipynb",
    "latex": "nbconvert-7.17.2/tests/files/notebook1.ipynb",
    "traceback": "papermill-2.7.0/papermill/tests/notebooks/keyboard_interrupt.ipynb",
}

# The colours the reader sees: text colour and the first opaque background up the tree.
COLOURS = """
el => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) { bg = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  return {color: parse(getComputedStyle(el).color).slice(0, 3), background: bg || [255, 255, 255]};
}
"""

# Text the reader cannot read: elements with own text whose contrast with their background
# is below 3:1 (WCAG's large-text minimum, lenient on purpose). ANSI colour spans are left out:
# they keep JupyterLab's own terminal palette (its cyan is about 2:1 on white there too).
LOW_CONTRAST = """
nb => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of nb.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || String(el.className).includes('ansi-')) continue;
    const fg = parse(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 3) bad.push(`${el.tagName.toLowerCase()}.${el.className} ${ratio.toFixed(2)}`);
  }
  return [...new Set(bad)];
}
"""


def corpus_by_member() -> dict[str, object]:
    return {nb.member: nb for nb in corpus_notebooks() if nb.valid}


def test_real_notebooks_render_faithfully_in_light_and_dark(
    new_page, alice, make_notebook, settings
):
    # World population is 6 MB (mostly plotly's inlined JavaScript): render it inline too.
    settings.RENDER_ASYNC_BYTES = 16 * 1024 * 1024
    corpus = corpus_by_member()
    missing = [member for member in CORPUS_CHOICE.values() if member not in corpus]
    assert not missing, f"corpus notebooks not found: {missing}"
    chosen = {}
    for short, member in CORPUS_CHOICE.items():
        entry = corpus[member]
        cells = len(nbformat.read(entry.path, as_version=4).cells)
        notebook = make_notebook(
            alice, entry.path.read_bytes(), filename=entry.name, title=f"corpus {short}"
        )
        chosen[short] = (notebook.get_absolute_url(), cells)

    pages = {scheme: signed_in_page(new_page, alice, scheme) for scheme in ("light", "dark")}
    contrast_problems: dict[str, list[str]] = {}
    for scheme, page in pages.items():
        for short, (url, cells) in chosen.items():
            page.goto(url)
            page.wait_for_load_state("load")
            nb = page.locator(".ns-notebook")
            assert page.locator(".ns-notebook .jp-Cell").count() == cells, short
            # Every image in every chosen notebook decoded (data: URIs, nothing fetched).
            broken = page.locator(".ns-notebook img").evaluate_all(
                "els => els.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)"
            )
            assert broken == [], (short, scheme, broken)
            assert page.locator(".ns-notebook .math-error:not(:empty)").count() == 0, short

            colours = nb.evaluate(COLOURS)
            assert colours["color"] != colours["background"], (short, scheme)
            body_bg = page.locator("body").evaluate(COLOURS)["background"]
            if scheme == "dark":
                assert body_bg != [255, 255, 255], f"{short}: white page in dark mode"
                assert sum(colours["background"]) < 3 * 100, f"{short}: light notebook in dark"
                assert sum(colours["color"]) > 3 * 150, f"{short}: dark text in dark mode"
            else:
                assert sum(colours["background"]) > 3 * 200, short
            low = nb.evaluate(LOW_CONTRAST)
            if low:
                contrast_problems[f"{short}-{scheme}"] = low

            if short == "plots":
                sizes = page.locator(".ns-notebook .jp-RenderedImage img").evaluate_all(
                    "els => els.map(i => [i.naturalWidth, i.getBoundingClientRect().width])"
                )
                assert sizes and all(w > 100 and shown > 100 for w, shown in sizes), sizes
            if short == "worldpop":  # pandas tables, a matplotlib plot, plotly
                tables = page.locator(".ns-notebook .jp-OutputArea-output table")
                assert tables.count() >= 2
                assert tables.first.locator("thead th").count() >= 2
                assert tables.first.locator("tbody tr").count() >= 6
                assert tables.first.locator("td").first.is_visible()
                assert page.locator(".ns-notebook .jp-RenderedImage img").count() == 1
                placeholder = page.locator(".ns-notebook .ns-placeholder").filter(
                    has_text="application/vnd.plotly.v1+json"
                )
                assert placeholder.count() == 1
                assert placeholder.is_visible()
            if short == "mixed":  # small DataFrames, images, an error
                cells = page.locator(".ns-notebook .jp-OutputArea-output table td")
                assert cells.all_inner_texts()[1::2] == ["4", "5", "6"]
                assert page.locator(".ns-notebook .jp-RenderedImage img").count() == 2
                error = page.locator(
                    '.ns-notebook [data-mime-type="application/vnd.jupyter.stderr"]'
                )
                assert "NameError" in error.inner_text()
            if short in {"math", "latex"}:
                sizes = page.locator(".ns-notebook math").evaluate_all(
                    "els => els.map(m => [m.getBoundingClientRect().width,"
                    " m.getBoundingClientRect().height])"
                )
                assert sizes and all(w > 5 and h > 5 for w, h in sizes), (short, sizes)
            if short == "traceback":
                stderr = page.locator(
                    '.ns-notebook [data-mime-type="application/vnd.jupyter.stderr"]'
                )
                assert stderr.count() >= 1
                red = stderr.locator(".ansi-red-fg, .ansi-red-intense-fg").first
                pre_colour = stderr.first.locator("pre").evaluate(COLOURS)["color"]
                assert red.evaluate(COLOURS)["color"] != pre_colour, "ANSI colours not applied"
            screenshot(page, f"corpus-{short}-{scheme}")

    assert not contrast_problems, f"text hard to read: {contrast_problems}"


# --- 3. math without network ----------------------------------------------------------


def math_notebook() -> bytes:
    nb = new_notebook()
    nb.cells.append(
        new_markdown_cell(
            "Inline $x^2$ and display:\n\n$$\\int_0^1 f(x)\\,dx$$\n\n"
            "\\begin{equation}E=mc^2\\end{equation}\n"
        )
    )
    nb.cells.append(
        new_code_cell(
            "Math(r'\\frac{a}{b}')",
            execution_count=1,
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/latex": "$\\frac{a}{b}$", "text/plain": "<Math>"},
                    execution_count=1,
                )
            ],
        )
    )
    return notebook_bytes_of(nb)


def test_math_renders_as_mathml_without_network(new_page, alice, make_notebook):
    notebook = make_notebook(alice, math_notebook(), filename="math.ipynb", title="Math")
    page = signed_in_page(new_page, alice)
    page.goto(notebook.get_absolute_url())
    page.wait_for_load_state("load")

    maths = page.locator(".ns-notebook math")
    assert maths.count() == 4  # x^2, the integral, the equation, the text/latex output
    sizes = maths.evaluate_all(
        "els => els.map(m => { const r = m.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert all(w > 5 and h > 5 for w, h in sizes), sizes
    assert page.locator(".ns-notebook .math-error").count() == 0
    assert page.locator('.ns-notebook math[display="block"]').count() >= 2
    assert page.locator(".ns-notebook .jp-RenderedLatex math").count() == 1
    # Laid out as MathML, not shown as a row of letters: the exponent sits above its base,
    # the fraction's numerator above its denominator.
    raised = page.locator(".ns-notebook msup").first.evaluate(
        "m => m.children[1].getBoundingClientRect().top < m.children[0].getBoundingClientRect().top"
    )
    assert raised, "x^2 is not laid out as a superscript"
    stacked = page.locator(".ns-notebook .jp-RenderedLatex mfrac").evaluate(
        "m => m.children[0].getBoundingClientRect().bottom"
        " <= m.children[1].getBoundingClientRect().top + 1"
    )
    assert stacked, "a/b is not laid out as a fraction"
    assert "$" not in page.locator(".ns-notebook").inner_text()
    screenshot(page, "math-mathml")


# --- 4. view options ------------------------------------------------------------------


def view_options_notebook() -> bytes:
    nb = new_notebook()
    nb.cells.append(new_markdown_cell("# Report\nSome *markdown* before the code."))
    nb.cells.append(
        new_code_cell(
            "print('short')",
            execution_count=1,
            outputs=[new_output("stream", name="stdout", text="short\n")],
        )
    )
    long_text = "".join(f"line {i}\n" for i in range(200))
    nb.cells.append(
        new_code_cell(
            "for i in range(200): print('line', i)",
            execution_count=2,
            outputs=[new_output("stream", name="stdout", text=long_text)],
        )
    )
    return notebook_bytes_of(nb)


def test_view_options_hide_code_outputs_collapse_and_persist(new_page, alice, make_notebook):
    notebook = make_notebook(alice, view_options_notebook(), filename="view.ipynb", title="View")
    page = signed_in_page(new_page, alice)
    page.goto(notebook.get_absolute_url())
    page.wait_for_load_state("load")

    hide_code = page.get_by_label("Hide code")
    hide_outputs = page.get_by_label("Hide outputs")
    collapse = page.get_by_label("Collapse long outputs")
    code_inputs = page.locator(".ns-notebook .jp-CodeCell .jp-Cell-inputWrapper")
    markdown = page.locator(".ns-notebook .jp-MarkdownCell .jp-Cell-inputWrapper")
    outputs = page.locator(".ns-notebook .jp-Cell-outputWrapper")
    long_area = (
        page.locator(".ns-notebook .jp-RenderedText.jp-OutputArea-output")
        .filter(has_text="line 199")
        .locator(".ns-clamp")
    )
    extent = "el => [el.clientHeight, el.scrollHeight]"

    def all_visible(locator, expected: bool) -> bool:
        return all(locator.nth(i).is_visible() == expected for i in range(locator.count()))

    assert code_inputs.count() == 2 and markdown.count() == 1 and outputs.count() == 2
    assert not hide_code.is_checked() and not hide_outputs.is_checked()
    assert collapse.is_checked()
    assert all_visible(code_inputs, True) and all_visible(outputs, True)
    shown, whole = long_area.evaluate(extent)
    assert 0 < shown < whole / 3, (shown, whole)  # collapsed by default, "Show more" below
    assert page.locator(".ns-notebook").get_by_text("line 199").count() == 1

    hide_code.check()
    assert all_visible(code_inputs, False)
    assert all_visible(markdown, True)
    assert page.get_by_role("heading", name="Report").is_visible()
    assert all_visible(outputs, True)
    screenshot(page, "view-hide-code")
    hide_code.uncheck()
    assert all_visible(code_inputs, True)

    hide_outputs.check()
    assert all_visible(outputs, False)
    assert all_visible(code_inputs, True) and all_visible(markdown, True)
    hide_outputs.uncheck()
    assert all_visible(outputs, True)

    collapse.uncheck()
    shown, whole = long_area.evaluate(extent)
    assert shown >= whole - 1, (shown, whole)  # the whole output, no inner scrolling
    collapse_off_height = shown

    # The reader's choice survives a reload.
    hide_code.check()
    page.reload()
    page.wait_for_load_state("load")
    assert hide_code.is_checked() and not collapse.is_checked() and not hide_outputs.is_checked()
    assert all_visible(code_inputs, False) and all_visible(markdown, True)
    assert long_area.evaluate(extent)[0] == collapse_off_height
    stored = page.evaluate(
        f"() => [localStorage.getItem('notebookshare:view:{notebook.pk}:ns-hide-code'),"
        f" localStorage.getItem('notebookshare:view:{notebook.pk}:ns-collapse-outputs')]"
    )
    assert stored == ["1", "0"]

    # And turning collapse back on caps the long output again after another reload.
    collapse.check()
    hide_code.uncheck()
    page.reload()
    page.wait_for_load_state("load")
    assert collapse.is_checked() and not hide_code.is_checked()
    shown, whole = long_area.evaluate(extent)
    assert shown < whole / 3


# --- known differences from JupyterLab -------------------------------------------------

PROMPTS_CUT = """
() => [...document.querySelectorAll('.ns-notebook :is(.jp-InputPrompt, .jp-OutputPrompt)')]
  .filter(p => p.textContent.trim() && p.scrollWidth > p.clientWidth)
  .map(p => p.textContent)
"""
EQUALS_LEFT = """
() => [...document.querySelectorAll('.ns-notebook mtable mo')]
  .filter(m => m.textContent === '=')
  .map(m => Math.round(m.getBoundingClientRect().left))
"""


def fidelity_notebook() -> bytes:
    nb = new_notebook()
    nb.cells.append(
        new_markdown_cell(
            "\\begin{align}\n\\dot{x} & = \\sigma(y-x) \\\\\n"
            "\\dot{y} & = \\rho x - y - xz\n\\end{align}"
        )
    )
    traceback = [
        "\x1b[0;31m---------------------------------------------------------------------------"
        "\x1b[0m",
        "\x1b[0;31mNameError\x1b[0m: name 'x' is not defined",
    ]
    nb.cells.append(
        new_code_cell(
            "x",
            execution_count=1,
            outputs=[new_output("error", ename="NameError", evalue="x", traceback=traceback)],
        )
    )
    return notebook_bytes_of(nb)


@pytest.mark.parametrize("check", ["prompts-fit", "error-background", "align-equals"])
def test_details_match_jupyterlab(new_page, alice, make_notebook, check):
    notebook = make_notebook(alice, fidelity_notebook(), filename="f.ipynb", title="Fidelity")
    page = signed_in_page(new_page, alice)
    page.goto(notebook.get_absolute_url())
    page.wait_for_load_state("load")
    if check == "prompts-fit":
        # "In [10]:" fits in nbconvert's prompt width (content-box, not our border-box).
        assert page.evaluate(PROMPTS_CUT) == []
    elif check == "error-background":
        # stderr and tracebacks sit on an error background, as in JupyterLab.
        error = page.locator('.ns-notebook [data-mime-type="application/vnd.jupyter.stderr"]')
        background = error.evaluate(COLOURS)["background"]
        assert background != page.locator(".ns-notebook").evaluate(COLOURS)["background"]
    else:
        # align's `&=` columns line up (Chromium ignores MathML's columnalign; our CSS does not).
        lefts = page.evaluate(EQUALS_LEFT)
        assert len(lefts) == 2
        assert max(lefts) - min(lefts) <= 1, lefts
