// The user menu (a <details> disclosure, so it works without this file) and the comment
// sheet on phones. This file adds: aria-expanded on the button, Escape and a click outside
// close the menu, and focus goes back to the button.
"use strict";

function setupMenu(details) {
  const button = details.querySelector("summary");
  const sync = () => button.setAttribute("aria-expanded", details.open ? "true" : "false");
  sync();
  details.addEventListener("toggle", sync);
  const close = (focus) => {
    if (!details.open) return;
    details.open = false;
    sync();
    if (focus) button.focus();
  };
  details.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); close(true); }
  });
  document.addEventListener("click", (event) => {
    if (!details.contains(event.target)) close(false);
  });
  details.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !details.contains(event.relatedTarget)) close(false);
  });
}

// On narrow screens the comments panel becomes a sheet at the bottom of the window: a bar
// with its heading that opens the sheet, and closes it again.
const SHEET_QUERY = window.matchMedia("(max-width: 700px)");

function setupSheet(panel) {
  const heading = panel.querySelector("h2");
  if (!heading) return;
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "sheet-toggle";
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", panel.id);
  toggle.append(...heading.childNodes);
  heading.replaceChildren(toggle);
  const set = (open) => {
    panel.classList.toggle("sheet-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  };
  const apply = () => {
    panel.classList.toggle("sheet", SHEET_QUERY.matches);
    document.body.classList.toggle("has-sheet", SHEET_QUERY.matches);
    toggle.disabled = !SHEET_QUERY.matches;
    if (!SHEET_QUERY.matches) set(false);
  };
  toggle.addEventListener("click", () => set(!panel.classList.contains("sheet-open")));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && panel.classList.contains("sheet-open")) { set(false); toggle.focus(); }
  });
  // Following a thread from the list closes the sheet, so the cell is in view.
  panel.addEventListener("click", (event) => {
    if (SHEET_QUERY.matches && event.target.closest(".cm-item-link")) set(false);
  });
  SHEET_QUERY.addEventListener("change", apply);
  apply();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-menu]").forEach(setupMenu);
  document.querySelectorAll("[data-sheet]").forEach(setupSheet);
});
