// Share links: the copy button beside a new link's address.
"use strict";

function copyLink(button) {
  const input = document.getElementById(button.dataset.copyButton);
  const status = button.closest("[data-new-link]").querySelector("[data-copy-status]");
  const done = (text) => { status.textContent = text; };
  const fallback = () => {
    input.focus();
    input.select();
    done("Selected: press Ctrl+C (or ⌘C) to copy.");
  };
  if (!navigator.clipboard) { fallback(); return; }
  navigator.clipboard.writeText(input.value)
    .then(() => { done("Copied to the clipboard."); button.textContent = "Copied"; })
    .catch(fallback);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy-button]").forEach((button) => {
    button.addEventListener("click", () => copyLink(button));
  });
  document.querySelectorAll("[data-copy-source]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
});
