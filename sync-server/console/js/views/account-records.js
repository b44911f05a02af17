// Tabs of the account page that list the account's records: contacts,
// deals, the activity timeline, sales (orders) with the balance, and cases.

import * as api from "../api.js";
import { h, clear, loading, errorBox, replaceKeeping, saved, table, money, when, day, fullName, link, exportButton } from "../ui.js";
import { stageIndex, getPipelines, uuid7 } from "../settings.js";

async function fill(panel, quiet, work) {
  if (!quiet) clear(panel, loading());
  try {
    // a live update must not take a half-typed new contact or deal
    replaceKeeping(panel, await work());
  } catch (e) {
    clear(panel, errorBox(e));
  }
}

const primary = (m) => {
  const items = Object.values(m || {});
  return (items.find((x) => x.primary) || items.sort((a, b) => (a.id < b.id ? -1 : 1))[0] || {});
};

export function contactsTab(panel, { id, base, card, ctx, quiet, refresh }) {
  return fill(panel, quiet, async () => {
    const page = await api.list(`${base}/contacts`, { limit: 500, sort: "last_name" });
    return h(
      "div",
      {},
      h("div", { class: "title-row" }, h("h2", {}, "Contacts"), exportButton("contacts", { account: id })),
      table(
        [
          { label: "Name", value: (c) => link(`/accounts/${api.enc(id)}/contacts/${api.enc(c.id)}`, fullName(c), { "data-testid": "contact-link" }) },
          { label: "Title", value: (c) => h("span", { "data-testid": "contact-title" }, c.title || "") },
          { label: "Role", value: (c) => c.role || "" },
          { label: "E-mail", value: (c) => primary(c.emails).address || "" },
          { label: "Phone", value: (c) => primary(c.phones).number || "" },
        ],
        page.items,
        { testid: "contacts-table", emptyText: "No contacts at this account yet." },
      ),
      card.writable ? newContactForm(base, ctx, id) : null,
    );
  });
}

function newContactForm(base, ctx, account) {
  const first = h("input", { placeholder: "First name", required: true, "data-testid": "new-contact-first" });
  const last = h("input", { placeholder: "Last name", "data-testid": "new-contact-last" });
  const email = h("input", { type: "email", placeholder: "E-mail", "data-testid": "new-contact-email" });
  const msg = h("div");
  return h(
    "details",
    { class: "card", "data-keep": "new-contact" },
    h("summary", {}, "Add a contact"),
    h(
      "form",
      {
        class: "inline",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const body = { first_name: first.value.trim(), last_name: last.value.trim() };
          if (email.value.trim()) {
            const eid = uuid7();
            body.emails = { [eid]: { id: eid, address: email.value.trim(), primary: true, opted_out: false } };
          }
          try {
            const c = await api.post(`${base}/contacts`, body);
            ctx.navigate(`/accounts/${api.enc(account)}/contacts/${api.enc(c.id)}`);
          } catch (e) {
            clear(msg, errorBox(e));
          }
        },
      },
      first,
      last,
      email,
      h("button", { type: "submit" }, "Add"),
      msg,
    ),
  );
}

export function dealsTab(panel, { id, base, card, quiet, refresh }) {
  return fill(panel, quiet, async () => {
    const [page, stages, pipelines] = await Promise.all([api.list(`${base}/deals`, { limit: 500 }), stageIndex(), getPipelines()]);
    const stageSelect = (d) => {
      const pl = (pipelines.items || []).find((p) => p.id === d.pipeline_id);
      if (!pl || !card.writable) return (stages[d.stage_id] || {}).name || d.stage_id || "";
      const msg = h("span");
      return h(
        "span",
        {},
        h(
          "select",
          {
            "data-testid": "deal-stage-select",
            onchange: async (ev) => {
              try {
                await api.patch(`${base}/deals/${api.enc(d.id)}`, { stage_id: ev.target.value });
                refresh();
              } catch (e) {
                clear(msg, errorBox(e));
              }
            },
          },
          pl.stages.map((s) => h("option", { value: s.id, selected: s.id === d.stage_id }, s.name)),
        ),
        msg,
      );
    };
    return h(
      "div",
      {},
      h("div", { class: "title-row" }, h("h2", {}, "Deals"), exportButton("deals", { account: id })),
      table(
        [
          { label: "Deal", value: (d) => d.name },
          { label: "Stage", value: stageSelect },
          { label: "Amount", value: (d) => money(d.amount_minor, d.currency) },
          { label: "Probability", value: (d) => (d.probability ?? (stages[d.stage_id] || {}).probability ?? "") + "%" },
          { label: "Expected close", value: (d) => d.expected_close || "" },
          { label: "Type", value: (d) => d.deal_type || "" },
          { label: "Stage moves", value: (d) => Object.keys(d.stage_history || {}).length },
        ],
        page.items,
        { testid: "deals-table", emptyText: "No deals at this account." },
      ),
      card.writable && (pipelines.items || []).length ? newDealForm(base, pipelines, refresh) : null,
    );
  });
}

function newDealForm(base, pipelines, refresh) {
  const pl = pipelines.items.find((p) => p.id === pipelines.default_pipeline_id) || pipelines.items[0];
  const name = h("input", { placeholder: "Deal name", required: true, "data-testid": "new-deal-name" });
  const stage = h("select", { "data-testid": "new-deal-stage" }, pl.stages.map((s) => h("option", { value: s.id }, s.name)));
  const amount = h("input", { type: "number", min: 0, step: "0.01", placeholder: "Amount", "data-testid": "new-deal-amount" });
  const currency = h("input", { value: pipelines.default_currency || "", placeholder: "Currency", size: 4, maxlength: 3, "data-keep": "new-deal-currency" });
  const close = h("input", { type: "date", "aria-label": "Expected close", "data-keep": "new-deal-close" });
  const msg = h("div");
  return h(
    "details",
    { class: "card", "data-keep": "new-deal" },
    h("summary", {}, `Add a deal (${pl.name})`),
    h(
      "form",
      {
        class: "inline",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const body = {
            name: name.value.trim(),
            pipeline_id: pl.id,
            stage_id: stage.value,
            amount_minor: Math.round(Number(amount.value || 0) * 100),
            currency: currency.value.trim().toUpperCase(),
          };
          if (close.value) body.expected_close = close.value;
          try {
            await api.post(`${base}/deals`, body);
            saved(ev.target);
            refresh();
          } catch (e) {
            clear(msg, errorBox(e));
          }
        },
      },
      name,
      stage,
      amount,
      currency,
      close,
      h("button", { type: "submit", "data-testid": "new-deal-submit" }, "Add"),
      msg,
    ),
  );
}

const KIND_LABEL = { call: "Call", meeting: "Meeting", visit: "Visit", email: "E-mail", sms: "SMS", note: "Note", task: "Task" };
const activityTime = (a) => a.start_at || a.due_at || a.completed_at || a.created_at;

export function activityTab(panel, { id, base, quiet }) {
  return fill(panel, quiet, async () => {
    const page = await api.list(`${base}/activities`, { limit: 500 });
    const items = [...page.items].sort((x, y) => (activityTime(y) || 0) - (activityTime(x) || 0));
    return h(
      "div",
      {},
      h("div", { class: "title-row" }, h("h2", {}, "Activity timeline"), exportButton("activities", { account: id })),
      items.length
        ? h(
            "ol",
            { class: "timeline", "data-testid": "timeline" },
            items.map((a) =>
              h(
                "li",
                { "data-testid": "timeline-item", "data-id": a.id, class: a.status },
                h("span", { class: `kind ${a.kind}` }, KIND_LABEL[a.kind] || a.kind),
                h("span", { class: "when" }, when(activityTime(a))),
                h("strong", {}, a.subject || a.kind),
                h("span", { class: "badge" }, a.status),
                a.outcome ? h("span", { class: "muted" }, ` ${a.outcome}`) : null,
                a.report ? h("p", { class: "notes" }, a.report) : a.body ? h("p", { class: "notes" }, a.body) : null,
              ),
            ),
          )
        : h("p", { class: "empty", "data-testid": "empty" }, "Nothing has happened here yet."),
    );
  });
}

const paid = (o) => Object.values(o.payments || {}).reduce((s, p) => s + (p.amount_minor || 0), 0);
const lineTotal = (o) =>
  Object.values(o.lines || {}).reduce((s, l) => s + Math.round(((l.quantity_milli * l.unit_price_minor) / 1000) * (1 - (l.discount_percent || 0) / 100)), 0);

export function salesTab(panel, { id, base, card, quiet }) {
  return fill(panel, quiet, async () => {
    const page = await api.list(`${base}/orders`, { limit: 500, sort: "-ordered_at" });
    const b = (card.account || {}).balance || {};
    return h(
      "div",
      {},
      h(
        "div",
        { class: "card grid", "data-testid": "balance" },
        h("div", { class: "kv" }, h("span", { class: "k" }, "Balance"), h("span", { class: "v" }, money(b.balance_minor || 0, b.currency))),
        h("div", { class: "kv" }, h("span", { class: "k" }, "Overdue"), h("span", { class: "v" }, money(b.overdue_minor || 0, b.currency))),
        h("div", { class: "kv" }, h("span", { class: "k" }, "Open invoices"), h("span", { class: "v" }, b.open_invoices || 0)),
        h("div", { class: "kv" }, h("span", { class: "k" }, "Last payment"), h("span", { class: "v" }, when(b.last_payment_at) || "—")),
        h("div", { class: "kv" }, h("span", { class: "k" }, "As of"), h("span", { class: "v" }, when(b.as_of) || "—")),
      ),
      h("div", { class: "title-row" }, h("h2", {}, "Sales history"), exportButton("orders", { account: id })),
      table(
        [
          { label: "Order", value: (o) => o.number || o.id.slice(0, 8) },
          { label: "Date", value: (o) => day(o.ordered_at) },
          { label: "Status", value: (o) => o.status || "" },
          { label: "Total", value: (o) => money(o.total_minor || lineTotal(o), o.currency) },
          { label: "Outstanding", value: (o) => money((o.total_minor || lineTotal(o)) - paid(o), o.currency) },
          { label: "Payment", value: (o) => [o.payment_method, o.credit_terms_days ? `${o.credit_terms_days} days` : ""].filter(Boolean).join(", ") },
          { label: "Late payments", value: (o) => Object.values(o.payments || {}).filter((p) => p.late).length || "" },
        ],
        page.items,
        { testid: "orders-table", emptyText: "No orders yet." },
      ),
    );
  });
}

export function casesTab(panel, { id, base, quiet }) {
  return fill(panel, quiet, async () => {
    const page = await api.list(`${base}/cases`, { limit: 500 });
    return h(
      "div",
      {},
      h("div", { class: "title-row" }, h("h2", {}, "Cases"), exportButton("cases", { account: id })),
      table(
        [
          { label: "Subject", value: (c) => c.subject },
          { label: "Kind", value: (c) => c.kind || "" },
          { label: "Channel", value: (c) => c.channel || "" },
          { label: "Status", value: (c) => c.status || "" },
          { label: "Opened", value: (c) => day(c.opened_at) },
          { label: "Resolution", value: (c) => c.resolution || "" },
          { label: "Satisfaction", value: (c) => (c.satisfaction ? "★".repeat(c.satisfaction) : "") },
        ],
        page.items,
        { testid: "cases-table", emptyText: "No cases." },
      ),
    );
  });
}
