// Small DOM helpers shared by the views: an element builder, loading, empty
// and error states, tables with paging, money and date formatting.

import { downloadCsv } from "./api.js";

/** h("div", {class: "x", onclick: f, "data-testid": "y"}, child, "text", [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const loading = (what = "Loading…") =>
  h("p", { class: "loading", "data-testid": "loading", role: "status" }, what);

export const empty = (what) => h("p", { class: "empty", "data-testid": "empty" }, what);

/** An error box from an ApiError (code, message, field) or any Error. */
export function errorBox(err) {
  const field = err && err.field ? h("span", { class: "err-field" }, ` (field: ${err.field})`) : null;
  const code = err && err.code ? h("code", {}, err.code) : null;
  return h(
    "div",
    { class: "error", role: "alert", "data-testid": "error", "data-code": err && err.code },
    h("strong", {}, "Error: "),
    (err && err.message) || String(err),
    field,
    code ? [" ", code] : null,
  );
}

/** Shows `loading` in `el` while `promise` runs, then `render(result)`, or the error. */
export async function load(el, promise, render) {
  clear(el, loading());
  try {
    const r = await promise;
    clear(el, render(r));
  } catch (e) {
    clear(el, errorBox(e));
  }
}

export function money(minor, currency) {
  if (minor === undefined || minor === null) return "";
  const v = Number(minor) / 100;
  try {
    return new Intl.NumberFormat(undefined, {
      style: currency ? "currency" : "decimal",
      currency: currency || undefined,
      maximumFractionDigits: 2,
    }).format(v);
  } catch (_) {
    return `${v.toFixed(2)} ${currency || ""}`.trim();
  }
}

export function when(ms) {
  if (ms === undefined || ms === null || ms === "") return "";
  const d = new Date(typeof ms === "number" ? ms : String(ms));
  return isNaN(d) ? String(ms) : d.toLocaleString();
}

export function day(ms) {
  if (ms === undefined || ms === null || ms === "") return "";
  const d = new Date(ms);
  return isNaN(d) ? String(ms) : d.toLocaleDateString();
}

export const fullName = (c) => [c.first_name, c.last_name].filter(Boolean).join(" ") || "(no name)";

/**
 * A table: columns = [{label, value: row => node|string}], rows = [...].
 * `testid` names the table; each row gets data-testid `${testid}-row` and data-id.
 */
export function table(columns, rows, { testid, emptyText = "Nothing here yet." } = {}) {
  if (!rows.length) return empty(emptyText);
  return h(
    "table",
    { "data-testid": testid },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h(
          "tr",
          { "data-testid": testid && `${testid}-row`, "data-id": r.id },
          columns.map((c) => h("td", {}, c.value(r))),
        ),
      ),
    ),
  );
}

/** Previous / next buttons for a `{total, limit, offset}` page. */
export function pager(page, go) {
  const { total, limit, offset } = page;
  if (total <= limit && offset === 0) return h("p", { class: "muted" }, `${total} in all`);
  return h(
    "div",
    { class: "pager" },
    h("button", { disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)) }, "← Previous"),
    ` ${offset + 1}–${Math.min(offset + limit, total)} of ${total} `,
    h("button", { disabled: offset + limit >= total, onclick: () => go(offset + limit) }, "Next →"),
  );
}

/** "Export CSV" for a list with its current filters. */
export function exportButton(listName, query, label = "Export CSV") {
  const status = h("span", { class: "muted" });
  const btn = h(
    "button",
    {
      class: "secondary",
      "data-testid": `export-${listName}`,
      onclick: async () => {
        btn.disabled = true;
        clear(status, " exporting…");
        try {
          await downloadCsv(listName, typeof query === "function" ? query() : query);
          clear(status);
        } catch (e) {
          clear(status, errorBox(e));
        } finally {
          btn.disabled = false;
        }
      },
    },
    label,
  );
  return h("span", {}, btn, status);
}

/** A link inside the console (handled by the router without a reload). */
export const link = (href, text, attrs = {}) => h("a", { href, "data-link": "", ...attrs }, text);

/** Plain JSON value to text for field history and conflicts. */
export function show(v) {
  if (v === undefined || v === null) return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * A value as the text of a CSV cell, with spreadsheet formula injection
 * neutralised by the OWASP rule, the same rule as the server's CSV export
 * (`neutralise` in sync-server/src/api/export.rs; change both together):
 * text that starts with =, +, -, @, tab or carriage return gets a leading
 * ' so a spreadsheet shows it as text. Numbers stay numbers (-5 stays -5;
 * the text "-5" becomes '-5).
 */
export function csvSafe(v) {
  if (v === undefined || v === null) return "";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const s = Array.isArray(v) ? v.join(" ") : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/**
 * "Export CSV" for a list the API has no export for (the admin lists): the
 * rows on screen, as `columns` = [[header, row => value]].
 */
export function localCsvButton(name, columns, rows) {
  const cell = (v) => {
    const s = csvSafe(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return h(
    "button",
    {
      class: "secondary",
      "data-testid": `export-${name}`,
      onclick: () => {
        const lines = [columns.map(([c]) => cell(c)).join(","), ...rows.map((r) => columns.map(([, f]) => cell(f(r))).join(","))];
        const a = document.createElement("a");
        a.href = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
        a.download = `${name}.csv`;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      },
    },
    "Export CSV",
  );
}

/**
 * Marks a field the user changed (`data-dirty`); app.js listens for every
 * `input` and `change` on the page. `replaceKeeping` carries such values over
 * a refresh, `saved` unmarks them once stored.
 */
export function markEdited(ev) {
  const t = ev.target;
  if (t instanceof HTMLElement && t.matches("input, select, textarea")) t.dataset.dirty = "";
}

/** Unmarks fields (or every field inside a form) once what they hold is stored. */
export function saved(...els) {
  for (const el of els) {
    delete el.dataset.dirty;
    for (const i of el.querySelectorAll("[data-dirty]")) delete i.dataset.dirty;
  }
}

const keyOf = (el) => el.dataset.keep || el.dataset.testid;

/**
 * `clear(el, ...children)` for a refresh (a live update, another form's
 * action) that must not take what the user is in the middle of: a value typed
 * into a form field or an inline editor (`data-keep`) and not saved yet, and
 * which `<details data-keep>` were open, go to the new element with the same
 * `data-keep` or `data-testid`. A key found twice is left alone.
 */
export function replaceKeeping(el, ...children) {
  const typed = new Map();
  const twice = new Set();
  for (const i of el.querySelectorAll("form [data-dirty], [data-keep][data-dirty]")) {
    const k = keyOf(i);
    if (!k) continue;
    if (typed.has(k)) twice.add(k);
    typed.set(k, i.value);
  }
  const open = new Set([...el.querySelectorAll("details[open][data-keep]")].map((d) => d.dataset.keep));
  clear(el, ...children);
  for (const d of el.querySelectorAll("details[data-keep]")) if (open.has(d.dataset.keep)) d.open = true;
  const seen = new Map();
  const fields = [...el.querySelectorAll("form input, form select, form textarea, [data-keep]")].filter((i) => typed.has(keyOf(i)));
  for (const i of fields) seen.set(keyOf(i), (seen.get(keyOf(i)) || 0) + 1);
  for (const i of fields) {
    const k = keyOf(i);
    if (twice.has(k) || seen.get(k) > 1) continue;
    i.value = typed.get(k);
    i.dataset.dirty = "";
  }
}

/**
 * Mounts a section: its title, a part that `load` fills on every refresh,
 * then `form`, which stays the same element for as long as the view is on
 * screen. Returns the refresh function; the refreshed part keeps what the
 * user is typing into its inline editors (`replaceKeeping`).
 */
export function mountSection(el, title, load, form = null) {
  const body = h("div", {}, loading());
  clear(el, h("h2", {}, title), body, form);
  return async () => {
    let next;
    try {
      next = await load();
    } catch (e) {
      next = errorBox(e);
    }
    replaceKeeping(body, next);
  };
}
