// The Share page and group pages: roles apply on choice, names complete from the people one
// may see, a link's address copies to the clipboard. Every form also works without this file.
"use strict";

function shareStatus(text, failed) {
  const out = document.querySelector("[data-share-status]");
  if (!out) return;
  out.textContent = text;
  out.classList.toggle("field-error", Boolean(failed));
}

function firstError(data) {
  const errors = Object.values((data && data.errors) || {}).flat();
  const found = errors.find((error) => error && error.message);
  return found ? found.message : "";
}

// A role select posts its row's form as soon as it changes.
function setupRoleForm(form) {
  const select = form.querySelector("select[name=role]");
  let saved = select.value;
  form.querySelectorAll("[data-no-js-only]").forEach((node) => { node.hidden = true; });
  select.addEventListener("change", () => {
    select.disabled = true;
    const body = new FormData(form);
    body.set("role", select.value);
    shareStatus("Saving…");
    fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": body.get("csrfmiddlewaretoken") },
    })
      .then((response) => response.json().catch(() => ({})).then((data) => ({ response, data })))
      .then(({ response, data }) => {
        if (!response.ok) throw new Error(firstError(data) || `The change failed (HTTP ${response.status}).`);
        saved = select.value;
        shareStatus(data.message || "Saved.");
      })
      .catch((error) => {
        select.value = saved;
        shareStatus(`${error.message} Nothing was changed.`, true);
      })
      .finally(() => { select.disabled = false; select.focus(); });
  });
}

// Suggestions for a person field, from people the signed-in person may already see.
function setupPeopleSearch(input) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list) return;
  let timer = 0;
  let last = "";
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2 || query.includes("@") || query === last) return;
    timer = window.setTimeout(() => {
      last = query;
      const url = `${input.dataset.peopleSearch}?q=${encodeURIComponent(query)}`;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { people: [] }))
        .then((data) => {
          list.replaceChildren(...data.people.map((person) => {
            const option = document.createElement("option");
            option.value = person.username;
            if (person.name) option.label = `${person.name} (${person.username})`;
            return option;
          }));
        })
        .catch(() => {});
    }, 200);
  });
}

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
  // A browser that neither copies nor refuses (a permission prompt left unanswered) still
  // gets the address selected after a moment.
  const waiting = window.setTimeout(fallback, 1500);
  navigator.clipboard.writeText(input.value)
    .then(() => { done("Copied to the clipboard."); button.textContent = "Copied"; })
    .catch(fallback)
    .finally(() => window.clearTimeout(waiting));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-role-form]").forEach(setupRoleForm);
  document.querySelectorAll("[data-people-search]").forEach(setupPeopleSearch);
  document.querySelectorAll("[data-copy-button]").forEach((button) => {
    button.addEventListener("click", () => copyLink(button));
  });
  document.querySelectorAll("[data-copy-source]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
});
