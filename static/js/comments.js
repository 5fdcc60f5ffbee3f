// NotebookShare comments: threads on cells, loaded in one request, posted without a reload.
// Comment HTML arrives sanitised by the server; everything else is inserted as text.
"use strict";

(function () {
  const panel = document.querySelector("[data-comments-url]");
  if (!panel) return;
  const notebook = document.querySelector("[data-notebook]");
  const listUrl = panel.dataset.commentsUrl;
  const csrfInput = panel.querySelector("input[name=csrfmiddlewaretoken]");
  const statusLine = panel.querySelector("[data-comments-status]");
  const list = panel.querySelector("[data-thread-list]");
  const countOut = panel.querySelector("[data-comment-count]");
  const removedSection = panel.querySelector("[data-removed-section]");
  const removedList = panel.querySelector("[data-removed-list]");
  // The page also holds the threads as plain HTML forms for when JavaScript is off: this
  // script draws its own, so it drops those and shows its controls.
  panel.querySelectorAll("[data-comments-fallback]").forEach((node) => node.remove());
  panel.querySelectorAll("[data-js-only]").forEach((node) => { node.hidden = false; });
  const openCells = new Set();
  let data = null;
  let filter = "open";

  // --- small DOM helpers -------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    children.flat().forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function safeHtml(html) {
    // The server sanitised it; a <template> keeps it inert until it is in the page.
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function plainText(html) {
    return safeHtml(html).textContent.replace(/\s+/g, " ").trim();
  }

  function when(iso) {
    const date = new Date(iso);
    return el("time", { datetime: iso, title: date.toLocaleString() }, date.toLocaleString([], {
      dateStyle: "medium", timeStyle: "short",
    }));
  }

  function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

  function cells() {
    return notebook ? Array.from(notebook.querySelectorAll(".jp-Cell[data-cell-id]")) : [];
  }

  function cellElement(cellId) {
    return cells().find((cell) => cell.dataset.cellId === cellId) || null;
  }

  // What the page shows for a cell: its prompt ("In [3]") or, without one, "cell 7"
  // (static/js/notebook.js shows the same on the cell's Copy link button).
  function labelOf(index) {
    const cell = cells().find((c) => Number(c.dataset.cellIndex) === index);
    const prompt = cell && cell.querySelector(".jp-InputPrompt");
    const match = prompt && /In\s*\[(\d+)\]/.exec(prompt.textContent.replace(/\u00a0/g, " "));
    return match ? `In [${match[1]}]` : `cell ${index + 1}`;
  }

  function cellNumber(thread) {
    return thread.cell_index === null ? null : labelOf(thread.cell_index);
  }

  // --- talking to the server ---------------------------------------------------------------
  async function request(url, fields) {
    const options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (fields) {
      options.method = "POST";
      options.headers["X-CSRFToken"] = csrfInput.value;
      options.body = new URLSearchParams(fields);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      return { ok: false, message: "Could not reach the server. Check your connection and try again." };
    }
    const type = response.headers.get("Content-Type") || "";
    if (response.redirected || !type.includes("application/json")) {
      if (response.status === 403) return { ok: false, message: refusal(response.status) };
      if (response.status === 404) return { ok: false, message: refusal(response.status) };
      if (response.ok) return { ok: false, message: "Your session has ended. Reload the page and sign in again." };
      return { ok: false, message: `Something went wrong (HTTP ${response.status}). Try again.` };
    }
    const body = await response.json();
    if (response.ok) return { ok: true, body };
    const messages = [];
    Object.values(body.errors || {}).forEach((errors) => errors.forEach((e) => messages.push(e.message)));
    return { ok: false, message: messages.join(" ") || refusal(response.status) };
  }

  function refusal(status) {
    if (status === 403) return "You cannot do this (your access may have changed, or the page is stale). Reload the page.";
    if (status === 404) return "This thread or comment no longer exists. Reload the page.";
    return `Something went wrong (HTTP ${status}). Try again.`;
  }

  async function load(focusKey) {
    const result = await request(listUrl);
    if (!result.ok) {
      statusLine.textContent = `Comments could not be loaded. ${result.message}`;
      statusLine.hidden = false;
      return;
    }
    data = result.body;
    render(focusKey);
  }

  function start(body) {
    data = body;
    render();
  }

  // Run a change, then reload the threads; errors are shown next to what was clicked.
  async function change(url, fields, errorOut, button, focusKey) {
    if (button) button.disabled = true;
    const result = await request(url, fields);
    if (button) button.disabled = false;
    if (!result.ok) {
      errorOut.textContent = result.message;
      errorOut.hidden = false;
      return false;
    }
    await load(focusKey);
    return true;
  }

  // --- forms ---------------------------------------------------------------------------------
  function commentForm({ key, label, submitLabel, url, extra, initial, onCancel, focusAfter }) {
    const id = `cm-field-${key}`;
    const textarea = el("textarea", {
      id, name: "body", rows: 3, required: true, maxlength: data.max_length,
      "data-draft-key": key, "aria-describedby": `${id}-hint`,
    });
    textarea.value = initial || drafts.get(key) || "";
    const error = el("p", { class: "cm-error", role: "alert", hidden: true });
    const submit = el("button", { type: "submit", class: "button button-primary small" }, submitLabel);
    const form = el("form", { class: "cm-form", action: url, method: "post", novalidate: true },
      el("label", { for: id, class: "cm-label" }, label),
      textarea,
      el("p", { class: "cm-hint muted small", id: `${id}-hint` }, "Markdown. @name mentions someone. Ctrl+Enter posts."),
      error,
      el("div", { class: "cm-form-actions" }, submit,
        onCancel ? el("button", { type: "button", class: "button small", "data-cancel": true }, "Cancel") : null));
    textarea.addEventListener("input", () => drafts.set(key, textarea.value));
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
      if (event.key === "Escape" && onCancel) { event.preventDefault(); onCancel(); }
    });
    if (onCancel) form.querySelector("[data-cancel]").addEventListener("click", onCancel);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      const body = textarea.value.trim();
      if (!body) {
        error.textContent = "Write a comment first.";
        error.hidden = false;
        textarea.focus();
        return;
      }
      if (body.length > data.max_length) {
        error.textContent = `A comment can be at most ${data.max_length.toLocaleString()} characters long; this one has ${body.length.toLocaleString()}.`;
        error.hidden = false;
        return;
      }
      drafts.delete(key);
      const wasExpanded = expanded.delete(key);
      const ok = await change(url, { body, ...(extra || {}) }, error, submit, focusAfter || key);
      if (!ok) {
        drafts.set(key, textarea.value);
        if (wasExpanded) expanded.add(key);
      }
    });
    return form;
  }
  const drafts = new Map();

  // A button that opens a form in its place; the form stays open while it holds a draft.
  const expanded = new Set();
  function revealer(label, key, makeForm) {
    const wrap = el("div", { class: "cm-revealer" });
    const button = el("button", { type: "button", class: "button small", "data-focus-key": `open-${key}` }, label);
    const hide = () => {
      expanded.delete(key);
      drafts.delete(key);
      wrap.replaceChildren(button);
      button.focus();
    };
    const show = () => {
      expanded.add(key);
      wrap.replaceChildren(makeForm(hide));
      wrap.querySelector("textarea").focus();
    };
    button.addEventListener("click", show);
    if (expanded.has(key) || drafts.get(key)) wrap.append(makeForm(hide)); else wrap.append(button);
    return wrap;
  }

  function bubbleIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "cm-icon");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M2 3.5A1.5 1.5 0 0 1 3.5 2h9A1.5 1.5 0 0 1 14 3.5v6a1.5 1.5 0 0 1-1.5 1.5H7l-3 3v-3h-.5A1.5 1.5 0 0 1 2 9.5z");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.4");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
    return svg;
  }

  // --- one thread ----------------------------------------------------------------------------
  function commentItem(comment) {
    const item = el("li", { class: "cm-comment", id: `cm-comment-${comment.id}` });
    const body = el("div", { class: "cm-body" });
    body.append(safeHtml(comment.html));
    const meta = el("div", { class: "cm-meta" },
      el("strong", { class: "cm-author" }, comment.author),
      comment.author_removed ? el("span", { class: "muted small" }, " (account removed)") : null,
      " · ", when(comment.created_at),
      comment.edited_at ? el("span", { class: "muted small", title: new Date(comment.edited_at).toLocaleString() }, " · edited") : null);
    const actions = el("div", { class: "cm-actions" });
    const error = el("p", { class: "cm-error", role: "alert", hidden: true });
    if (comment.urls.edit) {
      const edit = el("button", { type: "button", class: "cm-link-button" }, "Edit");
      edit.setAttribute("aria-label", `Edit your comment from ${new Date(comment.created_at).toLocaleString()}`);
      edit.addEventListener("click", () => {
        const key = `edit-${comment.id}`;
        const restore = () => { form.replaceWith(body); actions.hidden = false; edit.focus(); };
        const form = commentForm({
          key, label: "Edit comment", submitLabel: "Save", url: comment.urls.edit,
          initial: comment.body, onCancel: restore,
        });
        body.replaceWith(form);
        actions.hidden = true;
        form.querySelector("textarea").focus();
      });
      actions.append(edit);
    }
    if (comment.urls.delete) {
      const remove = el("button", { type: "button", class: "cm-link-button cm-danger" }, "Delete");
      remove.setAttribute("aria-label", `Delete the comment by ${comment.author}`);
      remove.addEventListener("click", () => {
        if (!window.confirm("Delete this comment? This cannot be undone.")) return;
        change(comment.urls.delete, {}, error, remove);
      });
      actions.append(remove);
    }
    item.append(meta, body, actions, error);
    return item;
  }

  function threadElement(thread) {
    const number = cellNumber(thread);
    const classes = ["cm-thread", thread.resolved ? "cm-resolved" : "cm-open", `cm-anchor-${thread.state}`];
    const article = el("article", {
      class: classes.join(" "), id: `cm-thread-${thread.id}`, tabindex: "-1",
      "data-thread-id": thread.id, "aria-label": `Thread ${thread.resolved ? "(resolved)" : "(open)"}${number ? ` on ${number}` : ""}`,
    });
    const state = el("span", { class: `cm-state ${thread.resolved ? "cm-state-resolved" : "cm-state-open"}` },
      thread.resolved ? "Resolved" : "Open");
    const head = el("header", { class: "cm-thread-head" }, state,
      thread.resolved && thread.resolved_by ? el("span", { class: "muted small" }, ` by ${thread.resolved_by}`) : null,
      thread.started_on_version !== data.version
        ? el("span", { class: "muted small" }, ` · started on version ${thread.started_on_version}`) : null);
    article.append(head);
    if (thread.state === "outdated") {
      article.append(el("div", { class: "cm-outdated", "data-outdated": true },
        el("p", {}, el("strong", {}, "Outdated:"), " the cell changed since this comment. It was:"),
        el("pre", { class: "cm-excerpt" }, thread.excerpt || "(empty cell)")));
    } else if (thread.state === "removed") {
      article.append(el("div", { class: "cm-removed-cell" },
        el("p", { class: "small" }, "On a cell that is not in this version:"),
        el("pre", { class: "cm-excerpt" }, thread.excerpt || "(empty cell)")));
    }
    const comments = el("ol", { class: "cm-comments" }, thread.comments.map(commentItem));
    article.append(comments);
    const error = el("p", { class: "cm-error", role: "alert", hidden: true });
    if (thread.can_reply) {
      const key = `reply-${thread.id}`;
      const reply = revealer("Reply", key, (hide) => commentForm({
        key, label: "Reply", submitLabel: "Post reply", url: thread.urls.reply,
        onCancel: hide, focusAfter: `open-${key}`,
      }));
      const toggle = thread.resolved
        ? el("button", { type: "button", class: "button small" }, "Reopen")
        : el("button", { type: "button", class: "button small" }, "Resolve");
      toggle.setAttribute("data-focus-key", `toggle-${thread.id}`);
      toggle.addEventListener("click", () => {
        change(thread.resolved ? thread.urls.reopen : thread.urls.resolve, {}, error, toggle, `toggle-${thread.id}`);
      });
      article.append(el("div", { class: "cm-thread-actions" }, reply, toggle));
    }
    article.append(error);
    return article;
  }

  // --- cells -------------------------------------------------------------------------------
  function cellControls(cell, threads) {
    const cellId = cell.dataset.cellId;
    const number = labelOf(Number(cell.dataset.cellIndex));
    let bar = cell.querySelector(":scope > .cm-cell-bar");
    if (!bar) {
      const button = el("button", {
        type: "button", class: "cm-cell-button", "aria-expanded": "false", tabindex: "-1",
        "aria-controls": `cm-box-${cellId}`, "data-cell-button": cellId,
      }, bubbleIcon(),
      el("span", { class: "cm-button-text" }, data.can_comment ? "Comment" : "Comments"),
      el("span", { class: "cm-badge", "data-badge": true, hidden: true }));
      button.addEventListener("click", () => toggleCell(cellId));
      bar = el("div", { class: "cm-cell-bar" }, button);
      cell.prepend(bar);
    }
    const open = threads.filter((t) => !t.resolved).length;
    const button = bar.querySelector("button");
    const badge = bar.querySelector("[data-badge]");
    badge.textContent = String(open);
    badge.hidden = open === 0;
    cell.classList.toggle("cm-has-threads", threads.length > 0);
    cell.classList.toggle("cm-has-open", open > 0);
    button.setAttribute("aria-label", `Comments on ${number}: ${plural(open, "open thread")}` +
      (threads.length > open ? `, ${threads.length - open} resolved` : ""));
    button.setAttribute("aria-expanded", String(openCells.has(cellId)));

    let box = cell.querySelector(":scope > .cm-cell-threads");
    if (!openCells.has(cellId)) {
      if (box) box.remove();
      return;
    }
    const fresh = el("section", {
      class: "cm-cell-threads", id: `cm-box-${cellId}`, "aria-label": `Comments on ${number}`,
    });
    threads.forEach((thread) => fresh.append(threadElement(thread)));
    if (data.can_comment && data.is_latest) {
      const key = `new-${cellId}`;
      const form = (hide) => commentForm({
        key, label: threads.length ? `New thread on ${number}` : `Comment on ${number}`,
        submitLabel: "Comment", url: listUrl, extra: { cell_id: cellId }, focusAfter: `created-${cellId}`,
        onCancel: hide,
      });
      fresh.append(el("div", { class: "cm-new-thread" },
        threads.length ? revealer("New thread", key, form) : form(null)));
    } else if (data.can_comment) {
      fresh.append(el("p", { class: "muted small" }, "This is an older version: start new threads on the latest version."));
    } else if (!threads.length) {
      fresh.append(el("p", { class: "muted small" }, "No comments on this cell."));
    }
    if (box) box.replaceWith(fresh); else cell.append(fresh);
  }

  function toggleCell(cellId, focusNew = true) {
    if (openCells.has(cellId)) openCells.delete(cellId); else openCells.add(cellId);
    render();
    const cell = cellElement(cellId);
    if (!cell) return;
    if (openCells.has(cellId) && focusNew) {
      const target = cell.querySelector(".cm-new-thread textarea") || cell.querySelector(".cm-thread");
      if (target) target.focus();
    } else {
      cell.querySelector("[data-cell-button]").focus();
    }
  }

  // --- the side panel ------------------------------------------------------------------------
  function shown(thread) {
    if (filter === "open") return !thread.resolved;
    if (filter === "resolved") return thread.resolved;
    return true;
  }

  function panelItem(thread) {
    const number = cellNumber(thread);
    const first = thread.comments[0];
    const link = el("a", { href: number ? `#cell-${thread.cell_id}` : `#cm-thread-${thread.id}`, class: "cm-item-link" },
      el("span", { class: "cm-item-head" },
        el("span", { class: "cm-item-cell" }, number ? number.charAt(0).toUpperCase() + number.slice(1) : "Removed cell"),
        el("span", { class: `cm-state ${thread.resolved ? "cm-state-resolved" : "cm-state-open"}` }, thread.resolved ? "Resolved" : "Open"),
        thread.state === "outdated" ? el("span", { class: "cm-tag" }, "outdated") : null),
      el("span", { class: "cm-item-text" },
        first ? el("strong", {}, `${first.author}: `) : null,
        first ? plainText(first.html).slice(0, 140) : ""),
      el("span", { class: "cm-item-count muted small" }, plural(thread.comments.length, "comment")));
    link.addEventListener("click", (event) => {
      event.preventDefault();
      jumpTo(thread);
    });
    return el("li", { class: `cm-item ${thread.resolved ? "cm-item-resolved" : ""}`, "data-panel-thread": thread.id }, link);
  }

  function jumpTo(thread) {
    if (thread.cell_id && cellElement(thread.cell_id)) {
      openCells.add(thread.cell_id);
      render();
      history.replaceState(null, "", `#cell-${thread.cell_id}`);
    }
    const target = document.getElementById(`cm-thread-${thread.id}`);
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  function renderPanel() {
    const open = data.threads.filter((t) => !t.resolved).length;
    countOut.textContent = data.threads.length ? `(${open} open)` : "";
    const attached = data.threads.filter((t) => t.cell_id !== null);
    const removed = data.threads.filter((t) => t.cell_id === null);
    const visible = data.threads.filter(shown);
    list.replaceChildren(...visible.map(panelItem));
    statusLine.hidden = visible.length > 0;
    if (!visible.length) {
      const empty = {
        open: data.threads.length ? "No open threads." : "No comments yet.",
        resolved: "No resolved threads.",
        all: "No comments yet.",
      }[filter];
      const hint = data.can_comment && data.is_latest && filter !== "resolved"
        ? " Hover over a cell (or tab to it) and choose Comment to start a thread." : "";
      statusLine.textContent = empty + hint;
    }
    const removedShown = removed.filter(shown);
    removedSection.hidden = removedShown.length === 0;
    removedList.replaceChildren(...removedShown.map(threadElement));
    return attached;
  }

  function render(focusKey) {
    const active = document.activeElement;
    const activeKey = active && (active.dataset.draftKey || active.dataset.focusKey);
    const attached = renderPanel();
    const byCell = new Map();
    attached.forEach((thread) => {
      if (!byCell.has(thread.cell_id)) byCell.set(thread.cell_id, []);
      byCell.get(thread.cell_id).push(thread);
    });
    cells().forEach((cell) => cellControls(cell, byCell.get(cell.dataset.cellId) || []));
    const key = focusKey || activeKey;
    if (key) {
      const target = document.querySelector(`[data-draft-key="${CSS.escape(key)}"], [data-focus-key="${CSS.escape(key)}"]`);
      if (target) target.focus({ preventScroll: true });
      else if (key.startsWith("created-")) {
        // A new thread was started: focus it (the last thread on that cell).
        const box = document.getElementById(`cm-box-${key.slice(8)}`);
        const threads = box ? box.querySelectorAll(".cm-thread") : [];
        if (threads.length) threads[threads.length - 1].focus({ preventScroll: true });
      }
    }
  }

  panel.querySelectorAll("input[name=cm-filter]").forEach((input) => {
    input.addEventListener("change", () => {
      filter = input.value;
      if (data) renderPanel();
    });
  });

  // Open the cell's threads when the address points at a cell with comments.
  const hash = decodeURIComponent(window.location.hash || "");
  if (hash.startsWith("#cell-")) openCells.add(hash.slice(6));
  // The page carries the threads it was drawn with; later changes reload them from the server.
  const embedded = document.getElementById("comments-data");
  const first = embedded ? Promise.resolve(start(JSON.parse(embedded.textContent))) : load();
  first.then(() => {
    if (!data || !hash.startsWith("#cell-")) return;
    const cell = cellElement(hash.slice(6));
    if (cell) cell.scrollIntoView({ block: "start" });
  });
})();
