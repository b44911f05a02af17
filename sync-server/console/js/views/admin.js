// Admin: users and roles, teams, tokens, territories, account assignment,
// goals, pipelines and custom fields. Everything here needs the admin role; the API answers 403 otherwise.

import * as api from "../api.js";
import { h, clear, errorBox, table, empty, localCsvButton, mountSection, saved } from "../ui.js";
import { pipelinesSection } from "./admin-pipelines.js";

const ROLES = ["viewer", "rep", "manager", "admin"];

export async function view(root, _params, _query, ctx) {
  if (ctx.me && ctx.me.role !== "admin") {
    root.append(h("h1", {}, "Admin"), errorBox({ code: "forbidden", message: "Only admins can manage users, teams and territories." }));
    return;
  }
  const users = h("section", { "data-testid": "admin-users" });
  const teams = h("section", { "data-testid": "admin-teams" });
  const territories = h("section", { "data-testid": "admin-territories" });
  const assignments = h("section", { "data-testid": "admin-assignments" });
  const fields = h("section", { "data-testid": "admin-custom-fields" });
  const pipelines = h("section", { "data-testid": "admin-pipelines" });
  root.append(h("h1", {}, "Admin"), users, h("div", { class: "cols" }, teams, territories), assignments, pipelines, fields);
  // every action reloads every section (adding a territory changes the users
  // table too); each section's form is built once, so a reload never takes
  // what the user is typing in another section
  const refresh = [
    usersSection(users, () => reload()),
    teamsSection(teams),
    territoriesSection(territories, () => reload()),
    assignmentsSection(assignments, () => reload()),
    pipelinesSection(pipelines, () => reload()),
    customFieldsSection(fields, () => reload()),
  ];
  const reload = () => Promise.all(refresh.map((f) => f()));
  await reload();
}

function action(label, f, attrs = {}) {
  const msg = h("span");
  const b = h(
    "button",
    {
      ...attrs,
      onclick: async (ev) => {
        ev.preventDefault();
        b.disabled = true;
        clear(msg);
        try {
          const r = await f();
          if (r instanceof Node) clear(msg, r);
        } catch (e) {
          clear(msg, errorBox(e));
        } finally {
          b.disabled = false;
        }
      },
    },
    label,
  );
  return h("span", {}, b, msg);
}

function usersSection(el, reload) {
  const id = h("input", { placeholder: "user id", "data-testid": "new-user-id" });
  const role = h("select", { "data-testid": "new-user-role" }, ROLES.map((r) => h("option", { value: r, selected: r === "rep" }, r)));
  const team = h("input", { placeholder: "team (optional)", "data-testid": "new-user-team" });
  const msg = h("span");
  const form = h(
    "form",
    {
      class: "inline card",
      onsubmit: async (ev) => {
        ev.preventDefault();
        clear(msg);
        try {
          await api.post("/api/admin/users", { id: id.value.trim(), role: role.value, team: team.value.trim() || null });
          id.value = "";
          team.value = "";
          reload();
        } catch (e) {
          clear(msg, errorBox(e));
        }
      },
    },
    h("strong", {}, "Add a user "),
    id,
    role,
    team,
    h("button", { type: "submit", "data-testid": "new-user-submit" }, "Add"),
    msg,
  );
  return mountSection(
    el,
    "Users",
    async () => {
      const list = await api.get("/api/admin/users");
      const rows = Array.isArray(list) ? list : list.items || [];
      return h(
        "div",
        {},
        localCsvButton("users", [["id", (u) => u.id], ["role", (u) => u.role], ["team", (u) => u.team], ["territories", (u) => u.territories], ["assigned", (u) => u.assigned]], rows),
        table(
          [
            { label: "User", value: (u) => u.id },
            {
              label: "Role · team",
              value: (u) => {
                const r = h("select", { "data-keep": `role:${u.id}` }, ROLES.map((x) => h("option", { value: x, selected: x === u.role }, x)));
                const t = h("input", { value: u.team || "", placeholder: "team", size: 10, "data-keep": `team:${u.id}` });
                const save = async () => {
                  await api.patch(`/api/admin/users/${api.enc(u.id)}`, { role: r.value, team: t.value.trim() || null });
                  saved(r, t);
                  reload();
                  return null;
                };
                return h("span", {}, r, t, action("Save", save));
              },
            },
            { label: "Territories", value: (u) => (u.territories || []).join(", ") },
            { label: "Accounts assigned", value: (u) => (u.assigned || []).length },
            { label: "Tokens", value: (u) => tokensCell(u) },
            { label: "Goals", value: (u) => goalsCell(u) },
          ],
          rows,
          { testid: "users-table" },
        ),
      );
    },
    form,
  );
}

function tokensCell(u) {
  const box = h("div");
  const show = async () => {
    try {
      const toks = await api.get(`/api/admin/users/${api.enc(u.id)}/tokens`);
      clear(
        box,
        (toks.items || toks).map((t) =>
          h("div", {}, h("code", {}, t.id), t.label ? ` ${t.label} ` : " ", t.revoked ? h("span", { class: "badge" }, "revoked") : action("revoke", async () => (await api.del(`/api/admin/tokens/${api.enc(t.id)}`), show(), null), { class: "link" })),
        ),
        issue,
      );
    } catch (e) {
      clear(box, errorBox(e), issue);
    }
  };
  const issue = action(
    "Issue token",
    async () => {
      const r = await api.post(`/api/admin/users/${api.enc(u.id)}/tokens`);
      return h("div", { class: "notice" }, "Shown once, copy it now: ", h("code", { "data-testid": "issued-token" }, r.token));
    },
    { class: "secondary", "data-testid": "issue-token" },
  );
  clear(box, h("button", { class: "link", onclick: show }, "show"), " ", issue);
  return box;
}

function goalsCell(u) {
  const g = u.goals || {};
  const visits = h("input", { type: "number", min: 0, size: 4, placeholder: "visits/wk", value: g.visits_per_week ?? "" });
  const won = h("input", { type: "number", min: 0, size: 8, placeholder: "won/mo", value: g.won_per_month_minor != null ? g.won_per_month_minor / 100 : "" });
  return h(
    "span",
    {},
    visits,
    won,
    action("Set", async () => {
      await api.request("PUT", `/api/admin/users/${api.enc(u.id)}/goals`, {
        body: {
          visits_per_week: visits.value === "" ? null : Number(visits.value),
          won_per_month_minor: won.value === "" ? null : Math.round(Number(won.value) * 100),
        },
      });
      return h("span", { class: "ok" }, " saved");
    }),
  );
}

function teamsSection(el) {
  return mountSection(el, "Teams", async () => {
    const list = await api.get("/api/admin/teams");
    const rows = (list.items || list).map((t) => ({ ...t, id: t.team }));
    return h(
      "div",
      {},
      localCsvButton("teams", [["team", (t) => t.team], ["members", (t) => t.members]], rows),
      table([{ label: "Team", value: (t) => t.team }, { label: "Members", value: (t) => (t.members || []).join(", ") }], rows, { testid: "teams-table", emptyText: "No teams: set a team on a user." }),
    );
  });
}

function territoriesSection(el, reload) {
  const user = h("input", { placeholder: "user id" });
  const terr = h("input", { placeholder: "territory" });
  const form = h("div", { class: "inline" }, "Give ", user, " the territory ", terr, action("Add", async () => (await api.post(`/api/admin/users/${api.enc(user.value.trim())}/territories/${api.enc(terr.value.trim())}`), reload(), null)));
  return mountSection(
    el,
    "Territories",
    async () => {
      const list = await api.get("/api/admin/territories");
      const rows = (list.items || list).map((t) => ({ ...t, id: t.territory }));
      return h(
        "div",
        {},
        localCsvButton("territories", [["territory", (t) => t.territory], ["users", (t) => t.users], ["accounts", (t) => t.accounts]], rows),
        table(
          [
            { label: "Territory", value: (t) => t.territory },
            { label: "Reps", value: (t) => (t.users || []).map((u) => h("span", { class: "chip" }, u, action("×", async () => (await api.del(`/api/admin/users/${api.enc(u)}/territories/${api.enc(t.territory)}`), reload(), null), { class: "link", title: "remove" }))) },
            { label: "Accounts", value: (t) => t.accounts ?? "" },
          ],
          rows,
          { testid: "territories-table", emptyText: "No territories yet." },
        ),
      );
    },
    form,
  );
}

function assignmentsSection(el, reload) {
  const user = h("input", { placeholder: "user id", "data-testid": "assign-user" });
  const doc = h("input", { placeholder: "account id", size: 30, "data-testid": "assign-account" });
  const form = h("div", { class: "inline" }, "Assign account ", doc, " to ", user, action("Assign", async () => (await api.post(`/api/admin/users/${api.enc(user.value.trim())}/assignments/${api.enc(doc.value.trim())}`), reload(), null), { "data-testid": "assign-submit" }));
  return mountSection(
    el,
    "Account assignment",
    async () => {
      const list = await api.get("/api/admin/assignments");
      const rows = (list.items || list).map((a) => ({ ...a, id: `${a.user_id}|${a.account}` }));
      return h(
        "div",
        {},
        localCsvButton("assignments", [["user_id", (a) => a.user_id], ["account", (a) => a.account], ["account_name", (a) => a.account_name]], rows),
        rows.length
          ? table(
              [
                { label: "Rep", value: (a) => a.user_id },
                { label: "Account", value: (a) => h("a", { href: `/accounts/${api.enc(a.account)}`, "data-link": "" }, a.account_name || a.account) },
                { label: "", value: (a) => action("Unassign", async () => (await api.del(`/api/admin/users/${api.enc(a.user_id)}/assignments/${api.enc(a.account)}`), reload(), null), { class: "link" }) },
              ],
              rows,
              { testid: "assignments-table" },
            )
          : empty("No accounts are assigned one by one (territories may still give reps their accounts)."),
      );
    },
    form,
  );
}

const FIELD_TYPES = ["text", "number", "integer", "bool", "date", "choice"];
const ENTITIES = ["account", "contact", "deal", "activity", "order", "case"];

function customFieldsSection(el, reload) {
  const entity = h("select", {}, ENTITIES.map((e) => h("option", { value: e, selected: e === "contact" }, e)));
  const key = h("input", { placeholder: "key (e.g. shoe_size)", "data-testid": "new-field-key" });
  const label = h("input", { placeholder: "label", "data-testid": "new-field-label" });
  const type = h("select", { "data-testid": "new-field-type" }, FIELD_TYPES.map((t) => h("option", { value: t }, t)));
  const options = h("input", { placeholder: "choices, comma separated" });
  const form = h(
    "div",
    { class: "inline card" },
    h("strong", {}, "Add a field "),
    entity,
    key,
    label,
    type,
    options,
    action(
      "Add",
      async () => {
        await api.post("/api/custom-fields", {
          entity: entity.value,
          key: key.value.trim(),
          label: label.value.trim(),
          field_type: type.value,
          options: options.value.split(",").map((o) => o.trim()).filter(Boolean),
        });
        for (const i of [key, label, options]) i.value = "";
        reload();
        return null;
      },
      { "data-testid": "new-field-submit" },
    ),
  );
  return mountSection(
    el,
    "Custom fields",
    async () => {
      const r = await api.get("/api/custom-fields");
      return table(
        [
          { label: "Record", value: (f) => f.entity },
          { label: "Key", value: (f) => h("code", {}, f.key) },
          { label: "Label", value: (f) => f.label },
          { label: "Type", value: (f) => f.field_type },
          { label: "Choices", value: (f) => (f.options || []).join(", ") },
        ],
        r.items || [],
        { testid: "custom-fields-table", emptyText: "No custom fields yet." },
      );
    },
    form,
  );
}
