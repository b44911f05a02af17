// CSV import: pick a file → preview with the suggested column mapping (each
// column editable) → dry run (per-row errors and duplicates, nothing written)
// → import, with a progress bar that polls the job.

import * as api from "../api.js";
import { h, clear, loading, errorBox, table, exportButton } from "../ui.js";

const KINDS = ["contacts", "accounts", "deals"];
const POLL_MS = 300;

export async function view(root, _params, query) {
  const state = { kind: KINDS.includes(query.get("kind")) ? query.get("kind") : "contacts", csv: null, preview: null, mapping: {}, dryRunOk: false };
  const kind = h(
    "select",
    { "data-testid": "import-kind", onchange: (ev) => ((state.kind = ev.target.value), state.csv && doPreview()) },
    KINDS.map((k) => h("option", { value: k, selected: k === state.kind }, k)),
  );
  const file = h("input", { type: "file", accept: ".csv,text/csv", "data-testid": "import-file", onchange: () => readFile() });
  const previewBox = h("div", { "data-testid": "import-preview" });
  const resultBox = h("div", { "data-testid": "import-result" });
  root.append(
    h("div", { class: "title-row" }, h("h1", {}, "Import CSV"), h("span", { class: "spacer" }), exportButton("contacts", {}, "Export contacts CSV"), exportButton("accounts", {}, "Export accounts CSV")),
    h("p", { class: "muted" }, "Exports from Salesforce and HubSpot are recognised. Rows are matched to existing records by e-mail or external id and updated; new ones are created."),
    h("div", { class: "filters" }, h("label", {}, "Import ", kind), file),
    previewBox,
    resultBox,
  );

  async function readFile() {
    const f = file.files[0];
    if (!f) return;
    state.csv = await f.text();
    doPreview();
  }

  async function doPreview() {
    state.dryRunOk = false;
    clear(resultBox);
    clear(previewBox, loading("Reading the file…"));
    try {
      state.preview = await api.request("POST", "/api/import/preview", { query: { kind: state.kind }, body: state.csv });
      state.mapping = { ...state.preview.suggested_mapping };
      clear(previewBox, renderPreview());
    } catch (e) {
      clear(previewBox, errorBox(e));
    }
  }

  function renderPreview() {
    const p = state.preview;
    const fields = p.fields || [...new Set(Object.values(p.suggested_mapping).filter(Boolean))];
    const match = h("select", { "data-testid": "import-match" }, ["email", "external_id"].map((m) => h("option", { value: m, selected: m === (state.kind === "contacts" ? "email" : "external_id") }, m)));
    const dry = h("button", { "data-testid": "import-dry-run", onclick: () => run(true, match.value) }, "Dry run");
    const go = h("button", { "data-testid": "import-run", disabled: true, onclick: () => run(false, match.value) }, "Import");
    state.enableImport = (on) => (go.disabled = !on);
    const mapRow = h(
      "tr",
      {},
      p.headers.map((col) =>
        h(
          "td",
          {},
          h(
            "select",
            {
              "data-testid": "import-map",
              "data-column": col,
              onchange: (ev) => {
                state.mapping[col] = ev.target.value || null;
                state.dryRunOk = false; // the mapping changed: dry-run again before importing
                go.disabled = true;
              },
            },
            h("option", { value: "" }, "(skip)"),
            fields.map((f) => h("option", { value: f, selected: state.mapping[col] === f }, f)),
          ),
        ),
      ),
    );
    return h(
      "section",
      { class: "card" },
      h("h2", {}, `${p.rows} row(s) · map the columns`),
      h(
        "div",
        { class: "scroll" },
        h("table", { "data-testid": "import-mapping" }, h("thead", {}, h("tr", {}, p.headers.map((c) => h("th", {}, c))), mapRow), h("tbody", {}, (p.sample || []).map((r) => h("tr", {}, r.map((v) => h("td", {}, v)))))),
      ),
      h("div", { class: "inline" }, h("label", {}, "Match existing records by ", match), dry, go),
    );
  }

  async function run(dryRun, match) {
    clear(resultBox, loading(dryRun ? "Checking every row…" : "Importing…"));
    try {
      const { job } = await api.post("/api/import", { kind: state.kind, csv: state.csv, mapping: state.mapping, dry_run: dryRun, match });
      const bar = h("progress", { max: 1, value: 0, "data-testid": "import-progress" });
      const label = h("span", { "data-testid": "import-progress-label" });
      clear(resultBox, h("div", { class: "card" }, bar, " ", label));
      let st;
      for (;;) {
        st = await api.get(`/api/import/${api.enc(job)}`);
        bar.max = Math.max(1, st.total || 0);
        bar.value = st.processed || 0;
        label.textContent = `${st.processed || 0} / ${st.total || 0}`;
        if (st.state !== "running") break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      clear(resultBox, renderResult(st));
      if (dryRun && st.state === "done") {
        state.dryRunOk = true;
        state.enableImport(true);
      }
      if (!dryRun && st.state === "done") state.enableImport(false);
    } catch (e) {
      clear(resultBox, errorBox(e));
    }
  }
}

function renderResult(st) {
  const errors = st.errors || [];
  const dups = st.duplicates || [];
  return h(
    "section",
    { class: "card", "data-testid": st.dry_run ? "dry-run-result" : "import-done", "data-state": st.state },
    h("h2", {}, st.state === "failed" ? "The import failed" : st.dry_run ? "Dry run: nothing was written" : "Import finished"),
    h("progress", { max: Math.max(1, st.total || 0), value: st.processed || 0 }),
    h(
      "p",
      {},
      h("span", { "data-testid": "import-created" }, st.created ?? 0),
      st.dry_run ? " would be created, " : " created, ",
      h("span", { "data-testid": "import-updated" }, st.updated ?? 0),
      st.dry_run ? " would be updated, " : " updated, ",
      h("span", { "data-testid": "import-duplicates" }, dups.length),
      " duplicate(s) skipped, ",
      h("span", { "data-testid": "import-errors" }, errors.length),
      " row(s) with errors.",
    ),
    errors.length
      ? [
          h("h3", {}, "Rows with errors"),
          table(
            [
              { label: "Row", value: (e) => e.row },
              { label: "Field", value: (e) => e.field || "" },
              { label: "Problem", value: (e) => e.message },
              { label: "Code", value: (e) => h("code", {}, e.code) },
            ],
            errors.map((e, i) => ({ ...e, id: i })),
            { testid: "import-error-rows" },
          ),
        ]
      : null,
    dups.length
      ? [
          h("h3", {}, "Duplicates"),
          table(
            [
              { label: "Row", value: (d) => d.row },
              { label: "Same as", value: (d) => (d.duplicate_of_row ? `row ${d.duplicate_of_row}` : d.existing ? h("a", { href: `/accounts/${api.enc(d.existing.account)}`, "data-link": "" }, "an existing record") : "") },
              { label: "By", value: (d) => d.key },
            ],
            dups.map((d, i) => ({ ...d, id: i })),
            { testid: "import-duplicate-rows" },
          ),
        ]
      : null,
  );
}
