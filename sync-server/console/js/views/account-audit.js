// Tabs of the account page about the document's history: who changed which
// field when (from the Automerge change graph), and conflicts to resolve.

import * as api from "../api.js";
import { h, clear, loading, errorBox, table, when, show, fullName } from "../ui.js";

const author = (a) => (a ? a.user_id + (a.device_id === "api" ? " (console)" : "") : "unknown");

export async function historyTab(panel, { base, quiet }) {
  if (!quiet) clear(panel, loading());
  // the record to show: the account itself, a contact or a deal
  let contacts = [];
  let deals = [];
  try {
    [contacts, deals] = await Promise.all([
      api.list(`${base}/contacts`, { limit: 500 }).then((p) => p.items),
      api.list(`${base}/deals`, { limit: 500 }).then((p) => p.items),
    ]);
  } catch (e) {
    clear(panel, errorBox(e));
    return;
  }
  const options = [
    h("option", { value: "account|" }, "The account"),
    ...contacts.map((c) => h("option", { value: `contact|${c.id}` }, `Contact: ${fullName(c)}`)),
    ...deals.map((d) => h("option", { value: `deal|${d.id}` }, `Deal: ${d.name}`)),
  ];
  const picker = h("select", { "data-testid": "history-record", onchange: () => show_() }, options);
  const fieldFilter = h("input", { type: "search", placeholder: "Field (optional)", onchange: () => show_() });
  const out = h("div");
  clear(panel, h("div", { class: "filters" }, picker, fieldFilter), out);

  async function show_() {
    const [kind, rid] = picker.value.split("|");
    clear(out, loading());
    try {
      const r = await api.get(`${base}/history`, { record_kind: kind, record_id: rid || undefined, field: fieldFilter.value.trim() || undefined });
      const items = [...(r.items || [])].reverse(); // newest first
      clear(
        out,
        table(
          [
            { label: "When", value: (x) => when(x.at) },
            { label: "Who", value: (x) => author(x.author) },
            { label: "Field", value: (x) => x.field },
            { label: "Change", value: (x) => x.action || "set" },
            { label: "Before", value: (x) => show(x.old_value) },
            { label: "After", value: (x) => show(x.new_value) },
          ],
          items,
          { testid: "history-table", emptyText: "No changes recorded for this record." },
        ),
      );
    } catch (e) {
      clear(out, errorBox(e));
    }
  }
  await show_();
}

export async function conflictsTab(panel, { base, card, quiet, refresh }) {
  if (!quiet) clear(panel, loading());
  try {
    const r = await api.get(`${base}/conflicts`);
    const items = r.items || [];
    if (!items.length) {
      clear(panel, h("p", { class: "empty", "data-testid": "empty" }, "No conflicts: every field has one value."));
      return;
    }
    clear(
      panel,
      h("p", { class: "muted" }, "These fields were changed at the same time on different devices. Pick the value to keep, or type a new one."),
      items.map((c) => conflictCard(base, c, card.writable, refresh)),
    );
  } catch (e) {
    clear(panel, errorBox(e));
  }
}

function conflictCard(base, c, writable, refresh) {
  const msg = h("div");
  const resolve = async (body) => {
    try {
      await api.post(`${base}/conflicts/resolve`, { record_kind: c.record_kind, record_id: c.record_id, field: c.field, ...body });
      refresh();
    } catch (e) {
      clear(msg, errorBox(e));
    }
  };
  const custom = h("input", { placeholder: "or a new value" });
  return h(
    "div",
    { class: "card", "data-testid": "conflict" },
    h("h3", {}, `${c.record_kind} ${c.record_id ? c.record_id.slice(0, 8) + "… " : ""}· ${c.field}`),
    h(
      "ul",
      {},
      (c.values || []).map((v) =>
        h(
          "li",
          {},
          h("code", {}, show(v.value)),
          ` by ${author(v.author)} at ${when(v.at)} `,
          writable ? h("button", { "data-testid": "conflict-keep", onclick: () => resolve({ value_id: v.value_id }) }, "Keep this") : null,
        ),
      ),
    ),
    writable
      ? h(
          "form",
          {
            class: "inline",
            onsubmit: (ev) => {
              ev.preventDefault();
              // the new value takes the type of the values in conflict
              const isText = (c.values || []).some((v) => typeof v.value === "string");
              let value = custom.value;
              if (!isText) {
                try {
                  value = JSON.parse(custom.value);
                } catch (_) {
                  /* not JSON: send the text, the API names the field if the type is wrong */
                }
              }
              resolve({ value });
            },
          },
          custom,
          h("button", { type: "submit", class: "secondary" }, "Use new value"),
        )
      : null,
    msg,
  );
}
