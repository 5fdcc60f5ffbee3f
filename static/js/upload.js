// Upload forms: drag and drop, a progress bar while (and only while) a file is sent, errors in
// place, and several files at once on the new-notebook form (one request, one notebook each).
// Without JavaScript the same form posts normally.
"use strict";

(() => {
  function formatSize(bytes) {
    const units = ["bytes", "KB", "MB", "GB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
  }

  function errorLines(status, data) {
    const lines = [];
    Object.values(data.errors || {}).forEach((list) => list.forEach((e) => lines.push(e.message)));
    if (!lines.length && data.detail) lines.push(data.detail);
    if (!lines.length) lines.push(`The upload failed (HTTP ${status}). Try again.`);
    return lines;
  }

  function errorParagraph(text) {
    const p = document.createElement("p");
    p.className = "field-error";
    p.textContent = text;
    return p;
  }

  // Sends one FormData; onProgress(percent); resolves {status, data} or {network: true}.
  function send(url, body, onProgress) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
      });
      xhr.addEventListener("load", () => {
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
        resolve({ status: xhr.status, data });
      });
      xhr.addEventListener("error", () => resolve({ network: true }));
      xhr.addEventListener("abort", () => resolve({ network: true }));
      xhr.send(body);
    });
  }

  function setup(form) {
    const input = form.querySelector("input[type=file]");
    const zone = form.querySelector("[data-dropzone]");
    const nameOut = form.querySelector("[data-file-name]");
    const errors = form.querySelector("[data-upload-errors]");
    const list = form.querySelector("[data-upload-list]");
    const progress = form.querySelector("[data-progress]");
    const bar = form.querySelector("[data-progress-bar]");
    const pct = form.querySelector("[data-progress-text]");
    const submit = form.querySelector("[data-submit]");
    const url = form.action || window.location.href;
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

    const showNames = () => {
      const files = Array.from(input.files);
      if (!files.length) nameOut.textContent = "No file chosen";
      else if (files.length === 1) nameOut.textContent = `${files[0].name} (${formatSize(files[0].size)})`;
      else nameOut.textContent = `${files.length} files: ${files.map((f) => f.name).join(", ")}`;
    };
    input.addEventListener("change", showNames);
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
        showNames();
      }
    });

    const resetProgress = () => {
      progress.hidden = true;
      bar.value = 0;
      pct.textContent = "0%";
    };
    const showProgress = (value) => {
      progress.hidden = false;
      bar.value = value;
      pct.textContent = value >= 100 ? "Processing…" : `${value}%`;
    };

    async function uploadOne() {
      showProgress(0);
      const result = await send(url, new FormData(form), showProgress);
      if (!result.network && (result.status === 201 || result.status === 200) && result.data.url) {
        window.location.assign(result.data.url);
        return;
      }
      resetProgress();
      submit.disabled = false;
      if (result.network) {
        errors.appendChild(errorParagraph("The upload was interrupted. Check your connection and try again."));
        return;
      }
      errorLines(result.status, result.data).forEach((text) => errors.appendChild(errorParagraph(text)));
    }

    async function uploadMany(files) {
      list.replaceChildren();
      list.hidden = false;
      let done = 0;
      for (const file of files) {
        const item = document.createElement("li");
        item.className = "upload-item";
        item.dataset.uploadResult = "";
        const name = document.createElement("strong");
        name.textContent = file.name;
        const bar1 = document.createElement("progress");
        bar1.max = 100;
        bar1.value = 0;
        bar1.setAttribute("aria-label", `Upload progress of ${file.name}`);
        item.append(name, bar1);
        list.appendChild(item);
        const body = new FormData();
        body.append("csrfmiddlewaretoken", csrf);
        body.append("file", file, file.name);
        body.append("batch", "1");
        const result = await send(url, body, (value) => { bar1.value = value; });
        bar1.remove();
        if (!result.network && result.status === 201 && result.data.url) {
          item.classList.add("ok");
          const line = document.createElement("span");
          const link = document.createElement("a");
          link.href = result.data.url;
          link.textContent = result.data.title || file.name;
          line.append("Uploaded: ", link);
          item.appendChild(line);
          done += 1;
        } else {
          item.classList.add("failed");
          const lines = result.network
            ? ["The upload was interrupted. Check your connection and try again."]
            : errorLines(result.status, result.data);
          lines.forEach((text) => item.appendChild(errorParagraph(text)));
        }
      }
      submit.disabled = false;
      const summary = done === files.length
        ? `Uploaded all ${done} notebooks.`
        : `Uploaded ${done} of ${files.length}; the others are listed with what is wrong.`;
      nameOut.textContent = summary;
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      errors.replaceChildren();
      submit.disabled = true;
      const files = Array.from(input.files);
      if (form.hasAttribute("data-multiple") && files.length > 1) uploadMany(files);
      else uploadOne();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-upload-form]").forEach(setup);
  });
})();
