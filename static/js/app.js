// NotebookShare: progressive enhancement only; every page works without it.
"use strict";

function setupToggles() {
  const target = document.querySelector("[data-notebook]");
  document.querySelectorAll("[data-toggle-class]").forEach((box) => {
    const cls = box.dataset.toggleClass;
    const key = `notebookshare:${cls}`;
    const saved = window.localStorage.getItem(key);
    if (saved !== null) box.checked = saved === "1";
    const apply = () => { if (target) target.classList.toggle(cls, box.checked); };
    apply();
    box.addEventListener("change", () => {
      window.localStorage.setItem(key, box.checked ? "1" : "0");
      apply();
    });
  });
}

function pollRendering(el) {
  const url = el.dataset.renderStatus;
  let delay = 1000;
  const tick = () => {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => {
        if (data.finished) { window.location.reload(); return; }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(tick, delay);
      })
      .catch(() => window.setTimeout(tick, 5000));
  };
  window.setTimeout(tick, delay);
}

document.addEventListener("DOMContentLoaded", () => {
  setupToggles();
  document.querySelectorAll("[data-render-status]").forEach(pollRendering);
});
