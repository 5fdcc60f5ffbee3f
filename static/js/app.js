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

// Times marked data-ago are sent as dates (so a page kept or revalidated never says a stale
// "5 minutes ago") and shown here relative to now, kept current while the page is open.
const AGO_UNITS = [
  ["year", 31536000], ["month", 2592000], ["week", 604800],
  ["day", 86400], ["hour", 3600], ["minute", 60],
];

const AGO_FORMAT = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

function agoText(date, now) {
  const seconds = (date.getTime() - now) / 1000;
  for (const [unit, size] of AGO_UNITS) {
    if (Math.abs(seconds) >= size) return AGO_FORMAT.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

function showAgo(root) {
  const now = Date.now();
  root.querySelectorAll("time[data-ago]").forEach((el) => {
    const date = new Date(el.dateTime);
    if (Number.isNaN(date.getTime())) return;
    el.textContent = agoText(date, now);
    el.title = date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-render-status]").forEach(pollRendering);
  showAgo(document);
  window.setInterval(() => showAgo(document), 60000);
});
