// Admin: pipelines and their stages. One stage per line,
// "Name, probability %, meaning" (meaning: open, won or lost); an existing
// stage keeps its id, written before the name as "id: Name, …".

import * as api from "../api.js";
import { getPipelines, uuid7 } from "../settings.js";
import { h, clear, errorBox, table, mountSection, saved } from "../ui.js";

const MEANINGS = ["open", "won", "lost"];

/** Lines of the stage editor -> stages, or throws with the line at fault. */
export function parseStages(text) {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) throw new Error("A pipeline needs at least one stage.");
  return lines.map((line, i) => {
    let id = null;
    let rest = line;
    const m = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(line);
    if (m) [, id, rest] = m;
    const [name, prob = "", meaning = "open"] = rest.split(",").map((p) => p.trim());
    const probability = prob === "" ? 0 : Number(prob.replace("%", ""));
    if (!name) throw new Error(`Line ${i + 1}: the stage needs a name.`);
    if (!Number.isInteger(probability) || probability < 0 || probability > 100) {
      throw new Error(`Line ${i + 1}: probability must be a whole number from 0 to 100.`);
    }
    if (!MEANINGS.includes(meaning)) throw new Error(`Line ${i + 1}: meaning must be open, won or lost.`);
    return { id: id || uuid7(), name, position: (i + 1) * 10, probability, meaning };
  });
}

function stageLines(p) {
  return (p.stages || []).map((s) => `${s.id}: ${s.name}, ${s.probability}, ${s.meaning}`).join("\n");
}

function editor(initial, label, testid, save, reload) {
  const text = h("textarea", { rows: 6, cols: 48, "data-testid": `${testid}-stages`, "data-keep": testid }, initial);
  const msg = h("span");
  const b = h(
    "button",
    {
      "data-testid": `${testid}-save`,
      onclick: async (ev) => {
        ev.preventDefault();
        b.disabled = true;
        clear(msg);
        try {
          await save(parseStages(text.value));
          saved(text);
          reload();
        } catch (e) {
          clear(msg, errorBox(e));
        } finally {
          b.disabled = false;
        }
      },
    },
    label,
  );
  return h("div", {}, text, h("div", {}, b, msg));
}

export function pipelinesSection(el, reload) {
  const name = h("input", { placeholder: "pipeline name", "data-testid": "new-pipeline-name" });
  const add = editor(
    "Prospecting, 10, open\nProposal, 50, open\nNegotiation, 75, open\nWon, 100, won\nLost, 0, lost",
    "Add pipeline",
    "new-pipeline",
    async (stages) => {
      await api.post("/api/pipelines", { name: name.value.trim(), stages });
      name.value = "";
    },
    reload,
  );
  return mountSection(
    el,
    "Pipelines",
    async () => {
      const p = await getPipelines(true);
      return table(
        [
          { label: "Pipeline", value: (pl) => pl.name + (pl.id === p.default_pipeline_id ? " (default)" : "") },
          {
            label: "Stages",
            value: (pl) =>
              editor(stageLines(pl), "Save stages", `pipeline-${pl.id}`, async (stages) => {
                await api.patch(`/api/pipelines/${api.enc(pl.id)}`, { stages });
              }, reload),
          },
        ],
        p.items || [],
        { testid: "pipelines-table", emptyText: "No pipelines yet: deals need one for the board." },
      );
    },
    h("div", { class: "card" }, h("strong", {}, "Add a pipeline "), name, add),
  );
}
