// Team dashboard: pipeline by stage, activities and visits per rep this
// week, deals won this month against goals, churn and retention.

import * as api from "../api.js";
import { h, clear, loading, errorBox, table, money } from "../ui.js";
import { debounce } from "./accounts.js";

const pct = (x) => (x === null || x === undefined ? "—" : `${Math.round(x * 1000) / 10}%`);

export async function view(root, _params, query, ctx) {
  const week = h("input", { type: "date", value: query.get("week") || "", "data-testid": "dashboard-week", onchange: () => refresh(false) });
  const out = h("div", { "data-testid": "dashboard" }, loading());
  root.append(h("div", { class: "title-row" }, h("h1", {}, "Team"), h("label", { class: "inline" }, "Week of ", week)), out);

  async function refresh(quiet) {
    if (!quiet) clear(out, loading());
    try {
      const tz = -new Date().getTimezoneOffset();
      const [team, pipe] = await Promise.all([
        api.get("/api/reports/team", { week: week.value || undefined, tz_offset_minutes: tz }),
        api.get("/api/reports/pipeline"),
      ]);
      clear(out, render(team, pipe));
    } catch (e) {
      clear(out, errorBox(e));
    }
  }

  await refresh(false);
  ctx.onChanged(debounce(() => refresh(true), 1000));
}

function bar(value, max) {
  const w = max > 0 ? Math.max(0, Math.min(100, (100 * value) / max)) : 0;
  const fill = h("span", { class: "fill" });
  fill.style.width = `${w}%`; // CSSOM, allowed by the console's CSP (an inline style attribute is not)
  return h("span", { class: "bar" }, fill);
}

function render(team, pipe) {
  const cur = team.currency || pipe.currency;
  const maxStage = Math.max(0, ...(pipe.stages || []).map((s) => s.total_minor || 0));
  const acc = team.accounts || {};
  const t = team.totals || {};
  return h(
    "div",
    {},
    h(
      "div",
      { class: "tiles" },
      tile("Activities this week", t.activities ?? 0, "tile-activities"),
      tile("Visits this week", t.visits ?? 0, "tile-visits"),
      tile("Won this month", `${t.won_this_month ?? 0} · ${money(t.won_this_month_minor || 0, cur)}`, "tile-won"),
      tile("Customers", acc.customers ?? 0),
      tile("Churned this month", acc.churned_this_month ?? 0),
      tile("Churned (all time)", acc.churned ?? 0),
      tile("Retention", pct(acc.retention_rate), "tile-retention"),
    ),
    h("h2", {}, `Pipeline by stage`),
    pipe.other_currency_deals ? h("p", { class: "muted" }, `${pipe.other_currency_deals} deal(s) in other currencies are not in these totals.`) : null,
    table(
      [
        { label: "Stage", value: (s) => s.name },
        { label: "Deals", value: (s) => s.count },
        { label: "Total", value: (s) => h("span", {}, money(s.total_minor, pipe.currency), " ", bar(s.total_minor, maxStage)) },
        { label: "Weighted", value: (s) => money(s.weighted_minor, pipe.currency) },
        { label: "Share", value: (s) => pct(s.share) },
      ],
      (pipe.stages || []).map((s) => ({ ...s, id: s.stage_id })),
      { testid: "report-pipeline", emptyText: "No pipeline yet." },
    ),
    h("p", {}, "Total ", money(pipe.total_minor || 0, pipe.currency), " · weighted ", money(pipe.weighted_minor || 0, pipe.currency)),
    h("h2", {}, `Reps, week of ${team.week_start || ""}`),
    table(
      [
        { label: "Rep", value: (r) => r.user_id },
        { label: "Activities", value: (r) => r.activities },
        { label: "Visits", value: (r) => h("span", {}, `${r.visits}${r.goals && r.goals.visits_per_week ? " / " + r.goals.visits_per_week : ""} `, r.goals && r.goals.visits_per_week ? bar(r.visits, r.goals.visits_per_week) : null) },
        { label: "Calls", value: (r) => r.calls ?? "" },
        {
          label: "Won this month",
          value: (r) =>
            h(
              "span",
              {},
              `${r.won_this_month} · ${money(r.won_this_month_minor, cur)}`,
              r.goals && r.goals.won_per_month_minor ? [` of ${money(r.goals.won_per_month_minor, cur)} `, bar(r.won_this_month_minor, r.goals.won_per_month_minor)] : null,
            ),
        },
        { label: "Open pipeline", value: (r) => money(r.open_pipeline_minor, cur) },
        { label: "Weighted", value: (r) => money(r.weighted_pipeline_minor, cur) },
      ],
      (team.reps || []).map((r) => ({ ...r, id: r.user_id })),
      { testid: "report-team", emptyText: "No reps in this team." },
    ),
  );
}

function tile(label, value, testid) {
  return h("div", { class: "tile card" }, h("div", { class: "muted" }, label), h("div", { class: "big", "data-testid": testid }, value));
}
