// API tokens page: copy a new token to the clipboard (selecting it works without this).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector("[data-token-value]");
  const button = document.querySelector("[data-copy-token]");
  const status = document.querySelector("[data-copy-status]");
  if (!input || !button) return;
  input.addEventListener("focus", () => input.select());
  button.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = "Copied.";
    } catch (err) {
      status.textContent = "Press Ctrl+C (⌘C) to copy the selected token.";
    }
  });
});
