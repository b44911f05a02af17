// The account page: the card (fields, balance, derived values) and tabs for
// contacts, deals, the activity timeline, sales, cases, field history and
// conflicts. A change to this account arriving live reloads the card and the
// open tab in place.

import * as api from "../api.js";
import { h, clear, loading, errorBox, money, when, show } from "../ui.js";
import { contactsTab, dealsTab, activityTab, salesTab, casesTab } from "./account-records.js";
import { historyTab, conflictsTab } from "./account-audit.js";
import { getPipelines } from "../settings.js";

const TABS = [
  ["contacts", "Contacts", contactsTab],
  ["deals", "Deals", dealsTab],
  ["activity", "Activity", activityTab],
  ["sales", "Sales & balance", salesTab],
  ["cases", "Cases", casesTab],
  ["history", "Field history", historyTab],
  ["conflicts", "Conflicts", conflictsTab],
];

export async function view(root, params, _query, ctx) {
  const id = params.account;
  const base = `/api/accounts/${api.enc(id)}`;
  const header = h("div", { "data-testid": "account-card" }, loading());
  const tabBar = h("nav", { class: "tabs", role: "tablist" });
  const panel = h("div", { class: "tab-panel", "data-testid": "account-tab-panel" });
  root.append(h("p", {}, h("a", { href: "/accounts", "data-link": "" }, "← Accounts")), header, tabBar, panel);

  let current = TABS.find(([k]) => "#" + k === location.hash) || TABS[0];
  let card = null;

  async function loadCard(quiet, force = false) {
    if (!quiet) clear(header, loading());
    try {
      const [c, settings] = await Promise.all([api.get(base), getPipelines().catch(() => ({}))]);
      card = c;
      // a live refresh leaves an open edit form alone (it would drop what is being typed)
      if (!force && quiet && header.querySelector("details.edit[open]")) return renderTabs();
      clear(header, renderCard(card, base, () => loadCard(true, true), settings.default_currency));
      renderTabs();
    } catch (e) {
      clear(header, errorBox(e));
    }
  }

  function renderTabs() {
    clear(
      tabBar,
      TABS.map(([key, label]) => {
        const countKey = { activity: "activities", sales: "orders" }[key] || key;
        const n = key === "conflicts" ? card && card.conflicts : card && card.counts && card.counts[countKey];
        return h(
          "button",
          {
            role: "tab",
            class: current[0] === key ? "active" : "",
            "aria-selected": current[0] === key ? "true" : "false",
            "data-testid": `tab-${key}`,
            onclick: () => {
              current = TABS.find(([k]) => k === key);
              history.replaceState(null, "", location.pathname + "#" + key);
              renderTabs();
              openTab(false);
            },
          },
          label,
          n ? h("span", { class: "badge" }, n) : null,
        );
      }),
    );
  }

  function openTab(quiet) {
    const [, , render] = current;
    return render(panel, { id, base, card, ctx, quiet, refresh: () => refreshAll() });
  }

  async function refreshAll() {
    await loadCard(true);
    await openTab(true);
  }

  await loadCard(false);
  if (card) openTab(false);
  ctx.onChanged((account) => {
    if (account === id) refreshAll();
  });
}

function field(label, value, testid) {
  return h("div", { class: "kv" }, h("span", { class: "k" }, label), h("span", { class: "v", "data-testid": testid }, value === undefined || value === null || value === "" ? "—" : value));
}

function renderCard(card, base, reload, orgCurrency) {
  const a = card.account || {};
  const b = a.balance || {};
  const cur = b.currency || a.currency || orgCurrency;
  const msg = h("div");
  const archive = h(
    "button",
    {
      class: "secondary",
      disabled: !card.writable,
      "data-testid": a.archived ? "account-restore" : "account-archive",
      onclick: async () => {
        try {
          await api.post(`${base}/${a.archived ? "restore" : "archive"}`);
          reload();
        } catch (e) {
          clear(msg, errorBox(e));
        }
      },
    },
    a.archived ? "Restore" : "Archive",
  );
  return h(
    "section",
    { class: "card" },
    h(
      "div",
      { class: "title-row" },
      h("h1", { "data-testid": "account-name" }, a.name || "(no name)"),
      a.archived ? h("span", { class: "badge warn" }, "archived") : null,
      card.writable ? null : h("span", { class: "badge" }, "read only"),
      h("span", { class: "spacer" }),
      archive,
    ),
    msg,
    h(
      "div",
      { class: "grid" },
      field("Type", a.account_type),
      field("Industry", a.industry, "account-industry"),
      field("Lifecycle", a.lifecycle_stage),
      field("Territory", a.territory),
      field("Owner", a.owner),
      field("Value tier", a.value_tier),
      field("Website", a.website),
      field("Customer since", a.customer_since),
      field("Payment", [a.preferred_payment_method, a.payment_terms].filter(Boolean).join(", ")),
      field("Credit limit", a.credit_limit_minor != null ? money(a.credit_limit_minor, a.currency) : null),
      field("Balance", money(b.balance_minor || 0, cur), "account-balance"),
      field("Overdue", money(b.overdue_minor || 0, cur)),
      field("Open invoices", b.open_invoices || 0),
      field("Open pipeline", money(card.open_pipeline_minor || 0, cur), "account-open-pipeline"),
      field("Last activity", when(card.last_activity_at)),
      field("Next activity", when(card.next_activity_at)),
      a.churned_at ? field("Churned", `${when(a.churned_at)} ${show(a.churn_reason || "")}`) : null,
      a.lost_to_competitor ? field("Lost to", `${a.lost_to_competitor} ${a.lost_to_reason || ""}`) : null,
    ),
    a.notes ? h("p", { class: "notes" }, a.notes) : null,
    card.writable ? editAccount(a, base, reload) : null,
  );
}

const ACCOUNT_FIELDS = [
  ["name", "Name"],
  ["industry", "Industry"],
  ["website", "Website"],
  ["territory", "Territory"],
  ["owner", "Owner (user id)"],
  ["value_tier", "Value tier"],
  ["payment_terms", "Payment terms"],
];
const LIFECYCLE = ["", "selection", "acquisition", "retention", "expansion", "churned"];

/** A small form for the account's own fields; PATCH sends only what changed. */
function editAccount(a, base, reload) {
  const inputs = Object.fromEntries(ACCOUNT_FIELDS.map(([k, label]) => [k, h("input", { value: a[k] || "", "aria-label": label, "data-testid": `account-edit-${k}` })]));
  const stage = h("select", { "data-testid": "account-edit-lifecycle_stage" }, LIFECYCLE.map((v) => h("option", { value: v, selected: (a.lifecycle_stage || "") === v }, v || "—")));
  const msg = h("div");
  return h(
    "details",
    { class: "edit" },
    h("summary", { "data-testid": "account-edit" }, "Edit account"),
    h(
      "form",
      {
        onsubmit: async (ev) => {
          ev.preventDefault();
          const patch = {};
          for (const [k] of ACCOUNT_FIELDS) {
            const v = inputs[k].value.trim();
            if (v !== (a[k] || "")) patch[k] = v === "" && k !== "name" ? null : v;
          }
          if (stage.value !== (a.lifecycle_stage || "")) patch.lifecycle_stage = stage.value || null;
          if (!Object.keys(patch).length) return clear(msg, h("p", { class: "muted" }, "Nothing changed."));
          try {
            await api.patch(base, patch);
            reload();
          } catch (e) {
            clear(msg, errorBox(e));
          }
        },
      },
      h("div", { class: "grid" }, ACCOUNT_FIELDS.map(([k, label]) => h("label", {}, label, inputs[k])), h("label", {}, "Lifecycle stage", stage)),
      h("button", { type: "submit", "data-testid": "account-edit-save" }, "Save"),
      msg,
    ),
  );
}
