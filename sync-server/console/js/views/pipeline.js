// The pipeline board: one column per stage with its deals, count, total and
// weighted total. Drag a deal card onto another column to move it (PATCH
// stage_id; the server records the move in the deal's stage history).

import * as api from "../api.js";
import { h, clear, loading, errorBox, empty, money, exportButton, link } from "../ui.js";
import { getPipelines } from "../settings.js";
import { debounce } from "./accounts.js";

export async function view(root, _params, query, ctx) {
  const state = { pipeline: query.get("pipeline") || "", owner: query.get("owner") || "" };
  const board = h("div", { "data-testid": "board-wrap" }, loading());
  const msg = h("div", { "data-testid": "board-message" });
  let pipelines;
  try {
    pipelines = await getPipelines(true);
  } catch (e) {
    root.append(errorBox(e));
    return;
  }
  const list = pipelines.items || [];
  if (!list.length) {
    root.append(h("h1", {}, "Pipeline"), empty("No pipeline is set up yet (an admin defines pipelines and stages in the settings)."));
    return;
  }
  if (!list.find((p) => p.id === state.pipeline)) state.pipeline = pipelines.default_pipeline_id || list[0].id;

  const pick = h(
    "select",
    { "data-testid": "board-pipeline", onchange: (ev) => ((state.pipeline = ev.target.value), refresh()) },
    list.map((p) => h("option", { value: p.id, selected: p.id === state.pipeline }, p.name)),
  );
  const owner = h("input", {
    type: "search",
    placeholder: "Owner (user id)",
    value: state.owner,
    oninput: debounce((ev) => ((state.owner = ev.target.value.trim()), refresh()), 250),
  });
  root.append(
    h("div", { class: "title-row" }, h("h1", {}, "Pipeline"), pick, owner, exportButton("deals", () => ({ pipeline: state.pipeline, owner: state.owner }))),
    msg,
    board,
  );

  async function fetchDeals() {
    const out = [];
    // every open page of the board (500 per request, the API's maximum)
    for (let offset = 0; ; offset += 500) {
      const page = await api.list("/api/deals", { pipeline: state.pipeline, owner: state.owner, limit: 500, offset });
      out.push(...page.items);
      if (out.length >= page.total || !page.items.length) return out;
    }
  }

  let seq = 0;
  async function refresh(quiet) {
    const mine = ++seq;
    if (!quiet) clear(board, loading());
    try {
      const deals = await fetchDeals();
      if (mine === seq) clear(board, render(list.find((p) => p.id === state.pipeline), deals));
    } catch (e) {
      if (mine === seq) clear(board, errorBox(e));
    }
  }

  async function move(deal, stageId) {
    clear(msg);
    try {
      await api.patch(`/api/accounts/${api.enc(deal.account)}/deals/${api.enc(deal.id)}`, { stage_id: stageId });
    } catch (e) {
      clear(msg, errorBox(e));
    }
    await refresh(true);
  }

  function render(pipeline, deals) {
    const stages = [...pipeline.stages].sort((a, b) => a.position - b.position);
    return h(
      "div",
      { class: "board", "data-testid": "board" },
      stages.map((s) => {
        const mine = deals.filter((d) => d.stage_id === s.id);
        const total = mine.reduce((t, d) => t + (d.amount_minor || 0), 0);
        const weighted = mine.reduce((t, d) => t + (d.weighted_minor || 0), 0);
        const currency = (mine[0] || {}).currency || pipelines.default_currency;
        const col = h(
          "section",
          {
            class: `column ${s.meaning || "open"}`,
            "data-testid": "board-column",
            "data-stage": s.id,
            "data-stage-name": s.name,
            ondragover: (ev) => {
              ev.preventDefault();
              ev.dataTransfer.dropEffect = "move";
              col.classList.add("over");
            },
            ondragleave: () => col.classList.remove("over"),
            ondrop: (ev) => {
              ev.preventDefault();
              col.classList.remove("over");
              const id = ev.dataTransfer.getData("text/plain");
              const deal = deals.find((d) => d.id === id);
              if (deal && deal.stage_id !== s.id) {
                col.querySelector(".cards").append(document.querySelector(`[data-testid="deal-card"][data-id="${CSS.escape(id)}"]`));
                move(deal, s.id);
              }
            },
          },
          h(
            "header",
            {},
            h("h2", {}, s.name),
            h("span", { class: "muted" }, `${s.probability ?? 0}% · `, h("span", { "data-testid": "column-count" }, mine.length), " deals"),
            h("div", {}, "Total ", h("strong", { "data-testid": "column-total", "data-minor": total }, money(total, currency))),
            h("div", {}, "Weighted ", h("strong", { "data-testid": "column-weighted", "data-minor": weighted }, money(weighted, currency))),
          ),
          h(
            "div",
            { class: "cards" },
            mine.map((d) =>
              h(
                "article",
                {
                  class: "deal",
                  draggable: "true",
                  "data-testid": "deal-card",
                  "data-id": d.id,
                  ondragstart: (ev) => {
                    ev.dataTransfer.setData("text/plain", d.id);
                    ev.dataTransfer.effectAllowed = "move";
                  },
                },
                h("strong", { "data-testid": "deal-name" }, d.name),
                h("div", {}, link(`/accounts/${api.enc(d.account)}#deals`, d.account_name || "account")),
                h("div", {}, money(d.amount_minor, d.currency), d.probability != null ? ` · ${d.probability}%` : ""),
                d.expected_close ? h("div", { class: "muted" }, `close ${d.expected_close}`) : null,
                d.owner ? h("div", { class: "muted" }, d.owner) : null,
              ),
            ),
          ),
        );
        return col;
      }),
    );
  }

  await refresh(false);
  ctx.onChanged(debounce(() => refresh(true), 300));
}
