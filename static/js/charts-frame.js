// The chart frame (docs/charts.md): runs in a sandboxed frame with an opaque origin, takes the
// library code and one checked spec from the page that framed it, draws, and reports its size.
// Nothing here fetches: the frame's policy forbids every request, and Vega gets a loader that
// refuses every address.
"use strict";

(() => {
  if (window.parent === window) return;
  const parentOrigin = new URL(window.location.href).origin; // the page's origin; ours is opaque
  const root = document.getElementById("chart");
  let current = null; // the draw message, kept to redraw on a theme change
  let started = false;

  function post(message) {
    window.parent.postMessage(message, parentOrigin);
  }

  function fail(reason) {
    post({ type: "failed", reason: String(reason || "it could not be drawn.").slice(0, 300) });
  }

  function run(code) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => { URL.revokeObjectURL(url); resolve(); };
      script.onerror = () => reject(new Error("the chart library could not start."));
      document.head.append(script);
    });
  }

  // No navigation out of the frame: links in chart text do nothing.
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a")) event.preventDefault();
  }, true);

  const refuse = () => Promise.reject(new Error("This chart names an address, which is never fetched."));
  const noLoader = { load: refuse, sanitize: refuse, http: refuse, file: refuse, fileAccess: false };

  const DARK_VEGA = {
    background: "#1f1f1f",
    title: { color: "#e0e0e0", subtitleColor: "#bbbbbb" },
    style: { "guide-label": { fill: "#d0d0d0" }, "guide-title": { fill: "#e0e0e0" } },
    axis: { domainColor: "#888888", gridColor: "#3a3a3a", tickColor: "#888888" },
    view: { stroke: "#555555" },
  };

  async function drawVega(message) {
    const { vega, vegaLite, expressionInterpreter } = window.nsVega;
    let spec = message.entry.spec;
    const config = message.theme === "dark" ? DARK_VEGA : {};
    if (message.entry.kind === "vega-lite") spec = vegaLite.compile(spec, { config }).spec;
    const runtime = vega.parse(spec, message.entry.kind === "vega" ? config : null, { ast: true });
    root.replaceChildren();
    const view = new vega.View(runtime, {
      expr: expressionInterpreter,
      loader: noLoader,
      renderer: "svg",
      container: root,
      hover: true,
    });
    await view.runAsync();
  }

  async function drawPlotly(message) {
    const { data } = message.entry;
    // The frame starts 0 px high, so autosize would find no height: use Plotly's default.
    const layout = { ...message.entry.layout };
    if (!(Number(layout.height) > 0)) layout.height = 450;
    const dark = message.theme === "dark";
    root.classList.toggle("chart-card", dark);
    await window.Plotly.react(root, data, layout, {
      displaylogo: false,
      responsive: true,
      showLink: false,
      showSendToCloud: false,
      modeBarButtonsToRemove: ["toImage", "sendDataToCloud"],
    });
  }

  async function drawWidgets(message) {
    const { HTMLManager, styles } = window.nsWidgets;
    document.body.classList.add("widgets");
    const style = document.createElement("style");
    style.textContent = styles;
    document.head.append(style);
    // No loader: a model of any module but the standard widgets' is refused by the manager.
    const manager = new HTMLManager();
    await manager.set_state({ version_major: 2, version_minor: 0, state: message.state });
    const model = await manager.get_model(message.entry.model_id);
    const view = await manager.create_view(model);
    const area = document.createElement("div");
    area.className = "widget-subarea";
    root.append(area);
    await manager.display_view(view, area);
  }

  async function draw(message) {
    if (message.kind === "plotly") await drawPlotly(message);
    else if (message.kind === "vega" || message.kind === "vega-lite") await drawVega(message);
    else if (message.kind === "widget") await drawWidgets(message);
    else throw new Error("this kind of output is not drawn here.");
    post({ type: "drawn" });
  }

  window.addEventListener("message", async (event) => {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    const message = event.data;
    if (!message || typeof message !== "object") return;
    try {
      if (message.type === "draw" && !started && typeof message.code === "string") {
        started = true;
        current = message;
        await run(message.code);
        await draw(message);
      } else if (message.type === "theme" && current && current.kind !== "widget") {
        current = { ...current, theme: message.theme === "dark" ? "dark" : "light" };
        await draw(current);
      }
    } catch (error) {
      fail(error && error.message ? error.message : error);
    }
  });

  new ResizeObserver(() => {
    post({ type: "size", height: document.documentElement.scrollHeight });
  }).observe(document.body);
  post({ type: "ready" });
})();
