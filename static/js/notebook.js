// NotebookShare: reading a rendered notebook (progressive enhancement; the page reads without it).
// View options remembered per notebook, long outputs folded with "Show more", a table of
// contents, copy-link-to-cell, and one Tab stop per cell with arrow keys inside.
"use strict";

(() => {
  const notebook = document.querySelector("[data-notebook]");
  if (!notebook) return;
  const notebookId = notebook.dataset.notebookId || "";
  const FOOTER = /^\s*\d[\d,]*\s+rows\s+[×x]\s+\d[\d,]*\s+columns\s*$/;
  const cells = Array.from(notebook.querySelectorAll(".jp-Cell[data-cell-id]"));

  // --- view options, remembered for this notebook only --------------------------------------
  function setupToggles() {
    document.querySelectorAll("[data-toggle-class]").forEach((box) => {
      const cls = box.dataset.toggleClass;
      const key = `notebookshare:view:${notebookId}:${cls}`;
      let saved = null;
      try { saved = window.localStorage.getItem(key); } catch (err) { saved = null; }
      if (saved !== null) box.checked = saved === "1";
      const apply = () => notebook.classList.toggle(cls, box.checked);
      apply();
      box.addEventListener("change", () => {
        try { window.localStorage.setItem(key, box.checked ? "1" : "0"); } catch (err) { /* private mode */ }
        apply();
        if (cls === "ns-collapse-outputs") measureAll();
      });
    });
  }

  // --- long outputs: folded, with a visible "Show more"; pandas' size footer stays visible ---
  const folds = [];

  function setupFold(output) {
    const clamp = document.createElement("div");
    clamp.className = "ns-clamp";
    const footer = Array.from(output.querySelectorAll("p")).reverse()
      .find((p) => FOOTER.test(p.textContent || ""));
    while (output.firstChild) clamp.appendChild(output.firstChild);
    output.appendChild(clamp);
    if (footer) {
      footer.classList.add("ns-table-footer");
      output.appendChild(footer); // outside the folded part: always visible
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ns-show-more";
    button.hidden = true;
    button.tabIndex = -1; // reached with the arrow keys inside its cell
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => {
      const expanded = clamp.classList.toggle("ns-expanded");
      button.setAttribute("aria-expanded", String(expanded));
      label(button, clamp);
    });
    output.appendChild(button);
    folds.push({ clamp, button });
  }

  function label(button, clamp) {
    if (clamp.classList.contains("ns-expanded")) {
      button.textContent = "Show less";
      return;
    }
    const pre = clamp.querySelector(":scope > pre");
    const rows = clamp.querySelectorAll("tbody > tr").length;
    const lines = pre ? (pre.textContent.match(/\n/g) || []).length : 0;
    const what = rows ? ` (${rows} table rows)` : lines ? ` (${lines} lines)` : "";
    button.textContent = `Show more${what}`;
  }

  function measureAll() {
    const on = notebook.classList.contains("ns-collapse-outputs");
    folds.forEach(({ clamp, button }) => {
      const long = on && (clamp.classList.contains("ns-expanded") || clamp.scrollHeight > clamp.clientHeight + 4);
      clamp.classList.toggle("ns-long", long);
      button.hidden = !long;
      if (long) label(button, clamp);
    });
  }

  // --- hide code also hides plotting cells' "Out[n]: <Figure ...>" reprs --------------------
  function markPlotResults() {
    cells.forEach((cell) => {
      if (!cell.querySelector(".jp-RenderedImage, .jp-RenderedSVG")) return;
      cell.querySelectorAll(".jp-OutputArea-child.jp-OutputArea-executeResult").forEach((child) => {
        const output = child.querySelector(".jp-OutputArea-output");
        if (output && output.dataset.mimeType === "text/plain") child.classList.add("ns-plot-result");
      });
    });
  }

  // --- cell labels (what comments call a cell) and copy-link-to-cell ------------------------
  function cellLabel(cell) {
    const prompt = cell.querySelector(".jp-InputPrompt");
    const match = prompt && /In\s*\[(\d+)\]/.exec(prompt.textContent.replace(/\u00a0/g, " "));
    return match ? `In [${match[1]}]` : `Cell ${Number(cell.dataset.cellIndex) + 1}`;
  }

  function setupCellLinks() {
    cells.forEach((cell) => {
      const name = cellLabel(cell);
      cell.dataset.cellLabel = name;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ns-cell-link";
      button.tabIndex = -1;
      button.textContent = "Copy link";
      button.setAttribute("aria-label", `Copy link to ${name}`);
      button.addEventListener("click", () => copyLink(cell, button));
      cell.appendChild(button);
    });
  }

  function copyLink(cell, button) {
    const url = new URL(window.location.href);
    url.hash = cell.id;
    const done = (text) => {
      button.textContent = text;
      window.setTimeout(() => { button.textContent = "Copy link"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url.href).then(() => done("Link copied"), () => done("Copy failed"));
    } else {
      done("Copy failed");
    }
    window.history.replaceState(null, "", url.hash);
  }

  // --- table of contents from the Markdown headings -------------------------------------------
  function setupToc() {
    const nav = document.querySelector("[data-toc]");
    if (!nav) return;
    const headings = Array.from(notebook.querySelectorAll(".jp-MarkdownCell :is(h1, h2, h3)"))
      .filter((h) => h.id && (h.textContent || "").trim());
    if (headings.length < 3) return;
    const top = Math.min(...headings.map((h) => Number(h.tagName[1])));
    const list = document.createElement("ol");
    headings.forEach((h) => {
      const item = document.createElement("li");
      item.className = `toc-level-${Number(h.tagName[1]) - top + 1}`;
      const link = document.createElement("a");
      link.href = `#${h.id}`;
      link.textContent = (h.textContent || "").replace(/¶\s*$/, "").trim();
      item.appendChild(link);
      list.appendChild(item);
    });
    nav.querySelector("[data-toc-list]").replaceChildren(list);
    nav.hidden = false;
  }

  // --- keyboard: one Tab stop per cell, arrow keys between and inside cells -------------------
  function parts(cell) {
    return Array.from(cell.querySelectorAll(".jp-Cell-inputWrapper, .jp-OutputArea-output[tabindex], .ns-show-more:not([hidden]), .ns-cell-link"));
  }

  function setupRovingFocus() {
    cells.forEach((cell, index) => {
      cell.tabIndex = index === 0 ? 0 : -1;
      cell.setAttribute("aria-label", cell.dataset.cellLabel || `Cell ${index + 1}`);
      parts(cell).forEach((part) => { part.tabIndex = -1; });
      // Heading anchors show on hover only; the contents list links to the headings.
      cell.querySelectorAll("a.anchor-link").forEach((a) => { a.tabIndex = -1; });
    });
    const focusCell = (cell) => {
      cells.forEach((c) => { c.tabIndex = c === cell ? 0 : -1; });
      cell.focus();
    };
    notebook.addEventListener("focusin", (event) => {
      const cell = event.target.closest(".jp-Cell[data-cell-id]");
      if (cell && cell.tabIndex !== 0) cells.forEach((c) => { c.tabIndex = c === cell ? 0 : -1; });
    });
    notebook.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const cell = event.target.closest(".jp-Cell[data-cell-id]");
      if (!cell) return;
      const index = cells.indexOf(cell);
      const onCell = event.target === cell;
      const inside = parts(cell);
      const at = inside.indexOf(event.target);
      let next = null;
      if (event.key === "ArrowDown" && onCell) next = cells[index + 1];
      else if (event.key === "ArrowUp" && onCell) next = cells[index - 1];
      else if (event.key === "Home" && onCell) next = cells[0];
      else if (event.key === "End" && onCell) next = cells[cells.length - 1];
      else if (event.key === "ArrowRight" && (onCell || at >= 0)) {
        const part = inside[at + 1];
        if (part) { event.preventDefault(); part.focus(); }
        return;
      } else if (event.key === "ArrowLeft" && at >= 0) {
        event.preventDefault();
        (inside[at - 1] || cell).focus();
        return;
      } else if (event.key === "Escape" && !onCell) {
        event.preventDefault();
        focusCell(cell);
        return;
      }
      if (next) {
        event.preventDefault();
        focusCell(next);
      }
    });
  }

  setupToggles();
  // Very large outputs (megabytes of log) keep the plain scrolling box: re-parenting and
  // measuring them would cost the page more than the fold is worth.
  notebook.querySelectorAll(":is(.jp-RenderedText, .jp-RenderedHTMLCommon).jp-OutputArea-output")
    .forEach((output) => { if ((output.textContent || "").length < 200000) setupFold(output); });
  markPlotResults();
  setupCellLinks();
  setupToc();
  setupRovingFocus();
  measureAll();
  window.addEventListener("load", measureAll); // images change heights
})();
