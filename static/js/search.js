// Search: "/" focuses the header search box; the cell a link points to (#cell-<id>, as from a
// search result) is highlighted and scrolled to, also when the notebook renders after the page
// loads. Progressive enhancement: without JavaScript the box still submits and :target still
// outlines the cell.
"use strict";

(function () {
  const TYPING = /^(INPUT|TEXTAREA|SELECT)$/;

  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const active = document.activeElement;
    if (active && (TYPING.test(active.tagName) || active.isContentEditable)) return;
    const box = document.querySelector("[data-search-box]") || document.getElementById("search-q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  function targetCellId() {
    const hash = window.location.hash;
    if (!hash.startsWith("#cell-")) return null;
    try { return decodeURIComponent(hash.slice(6)); } catch (err) { return null; }
  }

  function mark(cell) {
    document.querySelectorAll(".search-target").forEach((el) => el.classList.remove("search-target"));
    cell.classList.add("search-target");
    cell.scrollIntoView({ block: "start" });
  }

  function highlight() {
    const id = targetCellId();
    if (id === null) return;
    const find = () => document.getElementById(`cell-${id}`);
    const cell = find();
    if (cell) { mark(cell); return; }
    // The notebook may still be rendering: wait for the cell to appear (for a minute at most).
    const observer = new MutationObserver(() => {
      const found = find();
      if (found) { observer.disconnect(); mark(found); }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    window.setTimeout(() => observer.disconnect(), 60000);
  }

  window.addEventListener("hashchange", highlight);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", highlight);
  } else {
    highlight();
  }
})();
