// A contact: the profile (e-mails, phones, family, hobbies, important dates…)
// and the edit form. Saving sends only the fields that changed (PATCH). A
// change arriving live reloads the profile, unless the form has unsaved edits
// (then a notice offers the reload).

import * as api from "../api.js";
import { h, clear, loading, errorBox, fullName, show } from "../ui.js";
import { uuid7 } from "../settings.js";

const METHODS = ["", "phone", "email", "sms", "visit", "messaging"];
const SCALARS = [
  ["first_name", "First name"],
  ["last_name", "Last name"],
  ["title", "Title"],
  ["role", "Role at the account"],
  ["preferred_contact_time", "Preferred time"],
  ["language", "Language (e.g. nb, en-GB)"],
  ["birthday", "Birthday (YYYY-MM-DD or --MM-DD)"],
];
const REQUIRED = new Set(["first_name", "last_name"]);

export async function view(root, params, _query, ctx) {
  const url = `/api/accounts/${api.enc(params.account)}/contacts/${api.enc(params.contact)}`;
  const back = h("p", {}, h("a", { href: `/accounts/${api.enc(params.account)}#contacts`, "data-link": "" }, "← Account"));
  const body = h("div", { "data-testid": "contact-page" }, loading());
  const notice = h("div");
  root.append(back, notice, body);
  let dirty = false;

  async function reload(quiet, flash) {
    if (!quiet) clear(body, loading());
    try {
      const [c, defs] = await Promise.all([api.get(url), customFields()]);
      dirty = false;
      // a live reload keeps the "Saved." of a save just made
      if (flash) clear(notice, flash);
      else if (!quiet) clear(notice);
      const saved = () => reload(true, h("p", { class: "ok", "data-testid": "edit-saved" }, "Saved."));
      clear(body, profile(c, defs), editForm(c, defs, url, () => (dirty = true), saved));
    } catch (e) {
      clear(body, errorBox(e));
    }
  }
  await reload(false);
  ctx.onChanged((account) => {
    if (account !== params.account) return;
    if (!dirty) return reload(true);
    clear(
      notice,
      h("div", { class: "notice", "data-testid": "changed-elsewhere" }, "This contact was changed elsewhere. ", h("button", { onclick: () => reload(false) }, "Reload (drops your edits)")),
    );
  });
}

const items = (m) => Object.values(m || {});
const set = (m) => Object.entries(m || {}).filter(([, v]) => v).map(([k]) => k);

/** Custom field definitions for contacts (none when the org has no settings). */
async function customFields() {
  try {
    const r = await api.get("/api/custom-fields", { entity: "contact" });
    return (r.items || []).filter((d) => !d.archived);
  } catch (_) {
    return [];
  }
}

function profile(c, defs) {
  const list = (label, values, testid) =>
    h("div", { class: "kv" }, h("span", { class: "k" }, label), h("span", { class: "v", "data-testid": testid }, values.length ? values.join(", ") : "—"));
  const consent = c.consent || {};
  return h(
    "section",
    { class: "card" },
    h("h1", { "data-testid": "contact-name" }, fullName(c)),
    h("p", { class: "muted", "data-testid": "contact-title-view" }, [c.title, c.role].filter(Boolean).join(" · ")),
    (c._conflicts || []).length ? h("p", { class: "notice" }, `${c._conflicts.length} field(s) in conflict: see the account's Conflicts tab.`) : null,
    h(
      "div",
      { class: "grid" },
      list("E-mails", items(c.emails).map((e) => e.address + (e.primary ? " (primary)" : "") + (e.opted_out ? " (opted out)" : "")), "contact-emails"),
      list("Phones", items(c.phones).map((p) => `${p.number}${p.label ? " " + p.label : ""}${p.opted_out ? " (opted out)" : ""}`), "contact-phones"),
      list("Addresses", items(c.addresses).map((a) => [a.street, a.postal_code, a.city, a.country].filter(Boolean).join(" "))),
      list("Social", items(c.social).map((s) => `${s.network}: ${s.handle}`)),
      list("Prefers", [c.preferred_contact_method, c.preferred_contact_time].filter(Boolean)),
      list("Language", c.language ? [c.language] : []),
      list("Birthday", c.birthday ? [c.birthday] : []),
      list("Family", items(c.family).map((f) => `${f.name}${f.relation ? " (" + f.relation + ")" : ""}${f.birthday ? " b. " + f.birthday : ""}${f.anniversary ? " anniv. " + f.anniversary : ""}`), "contact-family"),
      list("Hobbies", set(c.hobbies), "contact-hobbies"),
      list("Memberships", set(c.memberships)),
      list("Important dates", items(c.important_dates).map((d) => `${d.label}: ${d.date}${d.one_off ? "" : " (yearly)"}`), "contact-dates"),
      list("Consent", Object.entries(consent).filter(([k, v]) => v === true && k !== "recorded_at").map(([k]) => k.replace("_", " "))),
      list("Tags", set(c.tags)),
      list("External ids", Object.entries(c.external_ids || {}).map(([k, v]) => `${k}: ${v}`)),
      Object.entries(c.custom || {}).map(([k, v]) => list((defs.find((d) => d.key === k) || {}).label || k, [show(v)], `contact-custom-${k}`)),
    ),
    c.notes ? h("p", { class: "notes" }, c.notes) : null,
  );
}

/** Editable rows for a keyed map (e-mails, phones, family, important dates). */
function rows(title, map, columns, blank, onDirty, testid) {
  const state = items(map).map((x) => ({ ...x }));
  const box = h("fieldset", { "data-testid": testid }, h("legend", {}, title));
  const render = () => {
    clear(
      box,
      h("legend", {}, title),
      state.map((item, i) =>
        h(
          "div",
          { class: "row" },
          columns.map(([key, label, type]) =>
            type === "checkbox"
              ? h("label", { class: "check" }, h("input", { type: "checkbox", checked: !!item[key], onchange: (ev) => ((item[key] = ev.target.checked), onDirty()) }), label)
              : h("input", { placeholder: label, value: item[key] || "", "data-testid": `${testid}-${key}`, oninput: (ev) => ((item[key] = ev.target.value), onDirty()) }),
          ),
          h("button", { type: "button", class: "link", onclick: () => (state.splice(i, 1), onDirty(), render()) }, "remove"),
        ),
      ),
      h("button", { type: "button", class: "secondary", "data-testid": `${testid}-add`, onclick: () => (state.push({ id: uuid7(), ...blank }), onDirty(), render()) }, "+ add"),
    );
  };
  render();
  return {
    el: box,
    value: () => {
      const out = {};
      for (const item of state) {
        const clean = {};
        for (const [k, v] of Object.entries(item)) if (v !== "" && v !== undefined) clean[k] = v;
        out[item.id] = clean;
      }
      return out;
    },
  };
}

/** An input for a custom field, typed by its definition; `read()` gives the value or undefined. */
function customInput(def, value, onDirty) {
  const t = def.field_type;
  const attrs = { "data-testid": `edit-custom-${def.key}`, oninput: onDirty, onchange: onDirty };
  let el;
  if (t === "bool") el = h("input", { ...attrs, type: "checkbox", checked: value === true });
  else if (t === "choice") el = h("select", attrs, h("option", { value: "" }, "—"), (def.options || []).map((o) => h("option", { value: o, selected: o === value }, o)));
  else el = h("input", { ...attrs, type: t === "number" || t === "integer" ? "number" : t === "date" ? "date" : "text", step: t === "integer" ? 1 : "any", value: value ?? "" });
  const read = () => {
    if (t === "bool") return el.checked;
    if (el.value === "") return undefined;
    if (t === "integer") return Math.round(Number(el.value));
    if (t === "number") return Number(el.value);
    return el.value;
  };
  return { el: h("label", {}, def.label || def.key, el), read };
}

function editForm(c, defs, url, onDirty, saved) {
  const inputs = {};
  const custom = defs.map((d) => [d.key, customInput(d, (c.custom || {})[d.key], onDirty)]);
  for (const [key, label] of SCALARS) {
    inputs[key] = h("input", { name: key, value: c[key] || "", "data-testid": `edit-${key}`, oninput: onDirty, "aria-label": label });
  }
  const method = h(
    "select",
    { "data-testid": "edit-preferred_contact_method", onchange: onDirty },
    METHODS.map((m) => h("option", { value: m, selected: (c.preferred_contact_method || "") === m }, m || "—")),
  );
  const hobbies = h("input", { value: set(c.hobbies).join(", "), "data-testid": "edit-hobbies", oninput: onDirty });
  const notes = h("textarea", { rows: 3, "data-testid": "edit-notes", oninput: onDirty }, c.notes || "");
  const emails = rows("E-mails", c.emails, [["address", "address"], ["label", "label"], ["primary", "primary", "checkbox"], ["opted_out", "opted out", "checkbox"]], { address: "", primary: false, opted_out: false }, onDirty, "edit-emails");
  const phones = rows("Phones", c.phones, [["number", "number"], ["label", "label"], ["primary", "primary", "checkbox"], ["opted_out", "opted out", "checkbox"]], { number: "", primary: false, opted_out: false }, onDirty, "edit-phones");
  const family = rows("Family", c.family, [["name", "name"], ["relation", "relation"], ["birthday", "birthday"], ["anniversary", "anniversary"]], { name: "" }, onDirty, "edit-family");
  const dates = rows("Important dates", c.important_dates, [["label", "label"], ["date", "date"], ["one_off", "one-off", "checkbox"]], { label: "", date: "", one_off: false }, onDirty, "edit-dates");
  const msg = h("div", { "data-testid": "edit-message" });
  const save = h("button", { type: "submit", "data-testid": "edit-save" }, "Save");

  const form = h(
    "form",
    {
      class: "card",
      "data-testid": "contact-form",
      onsubmit: async (ev) => {
        ev.preventDefault();
        const patch = {};
        for (const [key] of SCALARS) {
          const v = inputs[key].value.trim();
          if (v !== (c[key] || "")) patch[key] = v === "" && !REQUIRED.has(key) ? null : v;
        }
        if (method.value !== (c.preferred_contact_method || "")) patch.preferred_contact_method = method.value || null;
        if (notes.value !== (c.notes || "")) patch.notes = notes.value;
        const hob = Object.fromEntries(hobbies.value.split(",").map((s) => s.trim()).filter(Boolean).map((s) => [s, true]));
        if (JSON.stringify(Object.keys(hob).sort()) !== JSON.stringify(set(c.hobbies).sort())) patch.hobbies = hob;
        for (const [key, r] of [["emails", emails], ["phones", phones], ["family", family], ["important_dates", dates]]) {
          const v = r.value();
          if (show(v) !== show(canon(c[key]))) patch[key] = v;
        }
        if (custom.length) {
          // the whole map, so values of fields not shown here are kept
          const next = { ...(c.custom || {}) };
          for (const [key, input] of custom) {
            const v = input.read();
            if (v === undefined) delete next[key];
            else next[key] = v;
          }
          if (show(next) !== show(c.custom || {})) patch.custom = next;
        }
        if (!Object.keys(patch).length) {
          clear(msg, h("p", { class: "muted" }, "Nothing changed."));
          return;
        }
        save.disabled = true;
        clear(msg, h("p", { class: "loading" }, "Saving…"));
        try {
          await api.patch(url, patch);
          clear(msg);
          saved();
        } catch (e) {
          clear(msg, errorBox(e));
          if (e.field) {
            const bad = inputs[e.field.split(/[.[]/)[0]];
            if (bad) bad.setAttribute("aria-invalid", "true");
          }
        } finally {
          save.disabled = false;
        }
      },
    },
    h("h2", {}, "Edit"),
    h("div", { class: "grid" }, SCALARS.map(([key, label]) => h("label", {}, label, inputs[key])), h("label", {}, "Preferred method", method), h("label", {}, "Hobbies (comma separated)", hobbies), custom.map(([, input]) => input.el)),
    emails.el,
    phones.el,
    family.el,
    dates.el,
    h("label", {}, "Notes", notes),
    save,
    msg,
  );
  return form;
}

/** The keyed map as `rows().value()` would give it, for comparing. */
function canon(map) {
  const out = {};
  for (const item of items(map)) {
    const clean = {};
    for (const [k, v] of Object.entries(item)) if (v !== "" && v !== undefined && v !== null) clean[k] = v;
    out[item.id] = clean;
  }
  return out;
}
