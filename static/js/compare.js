// NotebookShare comparison page: view options (remembered), next / previous change, progress.
// Progressive enhancement: without it the page shows everything and the options form reloads.
"use strict";

(function () {
  const KEY = "notebookshare:diff-";
  const store = {
    get(name) { try { return window.localStorage.getItem(KEY + name); } catch (err) { return null; } },
    set(name, value) { try { window.localStorage.setItem(KEY + name, value); } catch (err) { /* private mode */ } },
  };

  const status = document.querySelector("[data-diff-status]");
  if (status) pollProgress(status);
  const diff = document.querySelector("[data-diff]");
  const toolbar = document.querySelector("[data-diff-toolbar]");
  if (!diff || !toolbar) return;
  const asked = new URLSearchParams(window.location.search);
  toolbar.addEventListener("submit", (event) => event.preventDefault());
  toolbar.querySelectorAll("[data-js-only]").forEach((node) => { node.hidden = false; });

  // --- options: one class on the diff container each, remembered in this browser -------------
  function choice(name, values, fallback) {
    const radios = Array.from(toolbar.querySelectorAll(`input[name=${name}]`));
    const apply = (value) => {
      values.forEach((v) => diff.classList.toggle(`nd-${name}-${v}`, v === value));
      radios.forEach((radio) => { radio.checked = radio.value === value; });
    };
    const saved = store.get(name);
    const initial = asked.has(name) ? asked.get(name) : saved || fallback;
    apply(values.includes(initial) ? initial : fallback);
    radios.forEach((radio) => radio.addEventListener("change", () => {
      store.set(name, radio.value);
      apply(radio.value);
    }));
  }
  const wide = window.matchMedia("(min-width: 900px)").matches;
  choice("layout", ["split", "unified"], wide ? "split" : "unified");
  choice("outputs", ["all", "changed", "none"], "all");

  toolbar.querySelectorAll("[data-diff-flag]").forEach((box) => {
    const cls = box.dataset.diffFlag;
    const saved = store.get(cls);
    if (!asked.has(box.name) && saved !== null) box.checked = saved === "1";
    const apply = () => {
      diff.classList.toggle(cls, box.checked);
      if (cls === "nd-show-meta" && box.checked) {
        diff.querySelectorAll("details.nd-run-minor").forEach((run) => { run.open = true; });
      }
    };
    apply();
    box.addEventListener("change", () => { store.set(cls, box.checked ? "1" : "0"); apply(); });
  });

  // --- unchanged runs -----------------------------------------------------------------------
  const expand = toolbar.querySelector("[data-diff-expand]");
  const runs = () => Array.from(diff.querySelectorAll("details.nd-run"));
  if (!runs().length) expand.hidden = true;
  const label = () => {
    const allOpen = runs().length > 0 && runs().every((run) => run.open);
    expand.textContent = allOpen ? "Collapse unchanged" : "Expand unchanged";
  };
  expand.addEventListener("click", () => {
    const open = !runs().every((run) => run.open);
    runs().forEach((run) => { run.open = open; });
    label();
  });
  runs().forEach((run) => run.addEventListener("toggle", label));

  function reveal(node) {
    const run = node.closest("details.nd-run");
    if (run) run.open = true;
  }
  function revealHash() {
    if (!window.location.hash.startsWith("#cell-")) return;
    const target = document.getElementById(window.location.hash.slice(1));
    if (target && diff.contains(target)) { reveal(target); target.scrollIntoView({ block: "start" }); }
  }
  window.addEventListener("hashchange", revealHash);
  revealHash();

  // --- next / previous change ---------------------------------------------------------------
  const position = toolbar.querySelector("[data-diff-position]");
  let current = -1;
  function changes() {
    const selector = diff.classList.contains("nd-show-meta")
      ? ".nd-row.nd-change, .nd-row.nd-minor" : ".nd-row.nd-change";
    return Array.from(diff.querySelectorAll(selector));
  }
  function go(step) {
    const list = changes();
    if (!list.length) { position.textContent = "No changes to go to."; return; }
    const at = list.indexOf(diff.querySelector(".nd-row.nd-current"));
    current = at === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + step, 0), list.length - 1);
    list.forEach((row) => row.classList.remove("nd-current"));
    const row = list[current];
    row.classList.add("nd-current");
    reveal(row);
    row.scrollIntoView({ block: "start", behavior: "auto" });
    row.focus({ preventScroll: true });
    position.textContent = `Change ${current + 1} of ${list.length}`;
  }
  toolbar.querySelector("[data-diff-next]").addEventListener("click", () => go(1));
  toolbar.querySelector("[data-diff-prev]").addEventListener("click", () => go(-1));
  diff.addEventListener("focusin", (event) => {
    const row = event.target.closest(".nd-row");
    if (!row || !changes().includes(row)) return;
    diff.querySelectorAll(".nd-row.nd-current").forEach((other) => other.classList.remove("nd-current"));
    row.classList.add("nd-current");
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === "j" || event.key === "n") { event.preventDefault(); go(1); }
    if (event.key === "k" || event.key === "p") { event.preventDefault(); go(-1); }
  });

  // --- a comparison the worker is still computing ------------------------------------------
  function pollProgress(el) {
    const bar = el.querySelector("[data-diff-progress]");
    const text = el.querySelector("[data-diff-progress-text]");
    let delay = 800;
    const tick = () => {
      fetch(el.dataset.diffStatus, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((data) => {
          if (data.finished) { window.location.reload(); return; }
          bar.value = data.progress;
          text.textContent = `${data.progress}%`;
          delay = Math.min(delay * 1.3, 4000);
          window.setTimeout(tick, delay);
        })
        .catch(() => window.setTimeout(tick, 4000));
    };
    window.setTimeout(tick, delay);
  }
})();
