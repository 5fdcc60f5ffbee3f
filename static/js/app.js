// NotebookShare: progressive enhancement only; every page works without it.
"use strict";

function setupUpload(form) {
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector("[data-dropzone]");
  const nameOut = form.querySelector("[data-file-name]");
  const errors = form.querySelector("[data-upload-errors]");
  const progress = form.querySelector("[data-progress]");
  const bar = form.querySelector("[data-progress-bar]");
  const pct = form.querySelector("[data-progress-text]");
  const submit = form.querySelector("[data-submit]");

  const showName = () => {
    const file = input.files[0];
    nameOut.textContent = file ? `${file.name} (${formatSize(file.size)})` : "No file chosen";
  };
  input.addEventListener("change", showName);
  zone.addEventListener("click", (event) => { if (event.target === zone) input.click(); });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragover");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.remove("dragover");
  }));
  zone.addEventListener("drop", (event) => {
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showName();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.replaceChildren();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const value = Math.round((e.loaded / e.total) * 100);
      bar.value = value;
      pct.textContent = value === 100 ? "Processing…" : `${value}%`;
    });
    xhr.addEventListener("load", () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
      if (xhr.status === 201 && data.url) {
        window.location.assign(data.url);
        return;
      }
      finish();
      const messages = [];
      Object.values(data.errors || {}).forEach((list) => list.forEach((e) => messages.push(e.message)));
      if (!messages.length && data.detail) messages.push(data.detail);
      if (!messages.length) messages.push(`The upload failed (HTTP ${xhr.status}). Try again.`);
      messages.forEach((text) => {
        const p = document.createElement("p");
        p.className = "field-error";
        p.textContent = text;
        errors.appendChild(p);
      });
    });
    xhr.addEventListener("error", () => {
      finish();
      const p = document.createElement("p");
      p.className = "field-error";
      p.textContent = "The upload was interrupted. Check your connection and try again.";
      errors.appendChild(p);
    });
    progress.hidden = false;
    bar.value = 0;
    pct.textContent = "0%";
    submit.disabled = true;
    xhr.send(new FormData(form));
  });

  function finish() {
    submit.disabled = false;
    progress.hidden = true;
  }
}

function formatSize(bytes) {
  const units = ["bytes", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
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
  document.querySelectorAll("[data-upload-form]").forEach(setupUpload);
  document.querySelectorAll("[data-render-status]").forEach(pollRendering);
});
