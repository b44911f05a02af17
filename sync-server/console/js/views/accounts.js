// Accounts: search, filters, sorting, paging, CSV export, a new-account form.

import * as api from "../api.js";
import { h, clear, loading, table, pager, exportButton, link, money, when, errorBox } from "../ui.js";

const STATUSES = ["", "selection", "acquisition", "retention", "expansion", "churned"];

export async function view(root, _params, query, ctx) {
  const state = {
    q: query.get("q") || "",
    owner: query.get("owner") || "",
    territory: query.get("territory") || "",
    status: query.get("status") || "",
    archived: query.get("archived") === "true",
    sort: query.get("sort") || "name",
    offset: 0,
    limit: 50,
  };
  const filters = () => ({ q: state.q, owner: state.owner, territory: state.territory, status: state.status, archived: state.archived ? "true" : "", sort: state.sort });

  const results = h("div", { "data-testid": "accounts-results" });
  const input = (name, placeholder, testid) =>
    h("input", {
      type: "search",
      name,
      placeholder,
      value: state[name],
      "data-testid": testid,
      oninput: debounce((ev) => {
        state[name] = ev.target.value.trim();
        state.offset = 0;
        refresh();
      }, 250),
    });
  const status = h(
    "select",
    {
      "data-testid": "accounts-status",
      onchange: (ev) => {
        state.status = ev.target.value;
        state.offset = 0;
        refresh();
      },
    },
    STATUSES.map((s) => h("option", { value: s, selected: s === state.status }, s || "any stage")),
  );

  function sortHeader(label, field) {
    const active = state.sort.replace(/^-/, "") === field;
    const arrow = active ? (state.sort.startsWith("-") ? " ↓" : " ↑") : "";
    return h(
      "button",
      {
        class: "link",
        onclick: () => {
          state.sort = state.sort === field ? "-" + field : field;
          refresh();
        },
      },
      label + arrow,
    );
  }

  let seq = 0;
  // a newer request wins: an older answer arriving late is dropped
  async function refresh({ quiet = false } = {}) {
    const mine = ++seq;
    // keep the URL shareable without adding history entries
    const qs = new URLSearchParams(Object.entries(filters()).filter(([k, v]) => v && !(k === "sort" && v === "name")));
    history.replaceState(null, "", "/accounts" + (qs.toString() ? "?" + qs : ""));
    if (!quiet) clear(results, loading());
    try {
      const page = await api.list("/api/accounts", { ...filters(), limit: state.limit, offset: state.offset });
      if (mine === seq) clear(results, render(page));
    } catch (e) {
      if (mine === seq) clear(results, errorBox(e));
    }
  }

  const render = (page) =>
    h(
      "div",
      {},
      table(
        [
          {
            label: sortHeader("Name", "name"),
            value: (a) => [link(`/accounts/${api.enc(a.id)}`, a.name || "(no name)", { "data-testid": "account-link" }), a.archived ? h("span", { class: "badge warn" }, "archived") : null],
          },
          { label: "Stage", value: (a) => a.lifecycle_stage || "" },
          { label: "Territory", value: (a) => a.territory || "" },
          { label: "Owner", value: (a) => a.owner || "" },
          { label: sortHeader("Balance", "balance_minor"), value: (a) => money(a.balance_minor, a.currency) },
          { label: sortHeader("Updated", "updated_at"), value: (a) => when(a.updated_at) },
        ],
        page.items,
        {
          testid: "accounts-table",
          emptyText: state.q || state.owner || state.territory || state.status ? "No account matches these filters." : "No accounts yet.",
        },
      ),
      pager(page, (o) => {
        state.offset = o;
        refresh();
      }),
    );

  root.append(
    h(
      "section",
      {},
      h("div", { class: "title-row" }, h("h1", {}, "Accounts"), exportButton("accounts", filters)),
      h(
        "div",
        { class: "filters" },
        input("q", "Search by name…", "accounts-search"),
        input("owner", "Owner (user id)", "accounts-owner"),
        input("territory", "Territory", "accounts-territory"),
        status,
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            checked: state.archived,
            "data-testid": "accounts-archived",
            onchange: (ev) => {
              state.archived = ev.target.checked;
              state.offset = 0;
              refresh();
            },
          }),
          "include archived",
        ),
      ),
      results,
      newAccountForm(ctx),
    ),
  );
  refresh();
  ctx.onChanged(debounce(() => refresh({ quiet: true }), 300));
}

function newAccountForm(ctx) {
  const name = h("input", { name: "name", required: true, "data-testid": "new-account-name", placeholder: "Account name" });
  const territory = h("input", { name: "territory", placeholder: "Territory (optional)" });
  const msg = h("div");
  return h(
    "details",
    { class: "card" },
    h("summary", {}, "New account"),
    h(
      "form",
      {
        class: "inline",
        onsubmit: async (ev) => {
          ev.preventDefault();
          clear(msg);
          const body = { name: name.value.trim() };
          if (territory.value.trim()) body.territory = territory.value.trim();
          try {
            const card = await api.post("/api/accounts", body);
            ctx.navigate(`/accounts/${api.enc(card.id)}`);
          } catch (e) {
            clear(msg, errorBox(e));
          }
        },
      },
      name,
      territory,
      h("button", { type: "submit" }, "Create"),
      msg,
    ),
  );
}

export function debounce(f, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => f(...args), ms);
  };
}
