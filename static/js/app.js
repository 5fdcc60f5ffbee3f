// NotebookShare: progressive enhancement only; every page works without it.
"use strict";

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
  document.querySelectorAll("[data-render-status]").forEach(pollRendering);
});
