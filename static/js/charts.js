// Interactive outputs (docs/charts.md): each chart is drawn in a sandboxed frame with an opaque
// origin. This page script fetches each chart library once and hands it, with the chart's
// checked spec, to the frames by postMessage; the static rendering stays underneath until a
// frame says it has drawn, and comes back if it fails or the reader asks for static charts.
"use strict";

(() => {
  const config = document.querySelector("[data-charts-config]");
  const dataElement = document.getElementById("ns-chart-data");
  const notebook = document.querySelector("[data-notebook]");
  if (!config || !dataElement || !notebook) return;
  let payload;
  try {
    payload = JSON.parse(dataElement.dataset.charts);
  } catch (error) {
    return;
  }
  const charts = Array.isArray(payload.charts) ? payload.charts : [];
  const models = payload.widgets && typeof payload.widgets === "object" ? payload.widgets : {};
  const frameUrl = new URL(config.dataset.frame, window.location.href).href;
  const libraryUrls = {
    plotly: config.dataset.plotly,
    vega: config.dataset.vega,
    "vega-lite": config.dataset.vega,
    widget: config.dataset.widgets,
  };
  const MAX_HEIGHT = 5000;
  const started = performance.now();
  const code = new Map(); // library URL -> Promise of its text: one transfer per page view
  const frames = new Map(); // frame window -> record
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  window.nsCharts = { drawn: 0, failed: 0, firstDrawnMs: null, libraryFetches: 0 };

  function library(url) {
    if (!code.has(url)) {
      window.nsCharts.libraryFetches += 1;
      code.set(url, fetch(url, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      }));
    }
    return code.get(url);
  }

  function note(marker, text) {
    let element = marker.querySelector(".ns-chart-note");
    if (!element) {
      element = document.createElement("p");
      element.className = "ns-chart-note";
      marker.append(element);
    }
    element.textContent = `Not drawn interactively: ${text}`;
  }

  function widgetState(entry) {
    const state = {};
    (entry.models || []).forEach((id) => {
      if (Object.prototype.hasOwnProperty.call(models, id)) state[id] = models[id];
    });
    return state;
  }

  function send(record) {
    const { entry } = record;
    const url = libraryUrls[entry.kind];
    if (!url) return;
    library(url).then((text) => {
      const message = { type: "draw", kind: entry.kind, code: text, entry, theme: dark.matches ? "dark" : "light" };
      if (entry.kind === "widget") message.state = widgetState(entry);
      record.frame.contentWindow.postMessage(message, "*"); // an opaque origin has no name
    }).catch(() => failed(record, "the chart library could not be loaded."));
  }

  function failed(record, reason) {
    finished(record);
    window.nsCharts.failed += 1;
    record.frame.remove();
    record.marker.classList.remove("ns-chart-live");
    note(record.marker, reason);
  }

  // Each frame compiles its library: a few at a time, in page order, keeps the first chart quick.
  const CONCURRENT = 2;
  const waiting = [];
  let busy = 0;

  function next() {
    while (busy < CONCURRENT && waiting.length) {
      const marker = waiting.shift();
      if (open(marker)) busy += 1;
    }
  }

  function finished(record) {
    if (record.done) return;
    record.done = true;
    busy -= 1;
    next();
  }

  function start(marker) {
    if (marker.dataset.chartQueued) return;
    marker.dataset.chartQueued = "1";
    waiting.push(marker);
    waiting.sort((a, b) => Number(a.dataset.chart) - Number(b.dataset.chart));
    next();
  }

  function open(marker) {
    const index = Number(marker.dataset.chart);
    const entry = charts[index];
    if (!entry || marker.querySelector("iframe")) return false;
    const frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.setAttribute("title", `Interactive chart (${entry.mime})`);
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.className = "ns-chart-frame";
    frame.src = frameUrl;
    marker.append(frame);
    frames.set(frame.contentWindow, { frame, marker, entry, done: false });
    (entry.notes || []).forEach((text) => note(marker, text));
    return true;
  }

  window.addEventListener("message", (event) => {
    const record = frames.get(event.source);
    // Only our frames, which have an opaque origin ("null"), and only their own messages.
    if (!record || event.origin !== "null" || record.frame.contentWindow !== event.source) return;
    const message = event.data;
    if (!message || typeof message !== "object") return;
    if (message.type === "ready") {
      send(record);
    } else if (message.type === "size") {
      const height = Number(message.height);
      if (Number.isFinite(height) && height > 0) {
        record.frame.style.height = `${Math.min(Math.ceil(height), MAX_HEIGHT)}px`;
      }
    } else if (message.type === "drawn") {
      finished(record);
      if (!record.marker.classList.contains("ns-chart-live")) {
        record.marker.classList.add("ns-chart-live");
        window.nsCharts.drawn += 1;
        if (window.nsCharts.firstDrawnMs === null) {
          window.nsCharts.firstDrawnMs = Math.round(performance.now() - started);
        }
      }
    } else if (message.type === "failed") {
      failed(record, typeof message.reason === "string" ? message.reason.slice(0, 300) : "it could not be drawn.");
    }
  });

  dark.addEventListener("change", () => {
    frames.forEach((record) => {
      record.frame.contentWindow.postMessage({ type: "theme", theme: dark.matches ? "dark" : "light" }, "*");
    });
  });

  const markers = Array.from(notebook.querySelectorAll(".ns-chart[data-chart]"));
  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((items) => {
      items.forEach((item) => {
        if (item.isIntersecting && !notebook.classList.contains("ns-charts-static")) {
          observer.unobserve(item.target);
          start(item.target);
        }
      });
    }, { rootMargin: "400px 0px" })
    : null;
  const startAll = () => markers.forEach((marker) => (observer ? observer.observe(marker) : start(marker)));

  const control = document.querySelector("[data-charts-control]");
  const toggle = control && control.querySelector("[data-charts-static]");
  if (toggle) {
    control.hidden = false;
    toggle.addEventListener("change", () => {
      notebook.classList.toggle("ns-charts-static", toggle.checked);
      if (!toggle.checked) startAll();
    });
  }
  window.addEventListener("beforeprint", () => markers.forEach(start));
  startAll();
})();
