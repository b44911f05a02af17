// Seeds the server through the REST API: a rep with a territory, three
// accounts in it, a contact and a deal on a pipeline. Returns what the
// scenarios need.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Api, uuid7 } from "./api.mjs";

/**
 * The org's pipeline comes from an admin device (`seed_settings`, a Rust
 * bin on core's SyncClient): the API reads pipelines but does not define them.
 */
async function seedSettings(base, adminToken) {
  const bin = process.env.OUTPOST_SEED_SETTINGS;
  if (!bin) throw new Error("OUTPOST_SEED_SETTINGS is not set: run tests/browser/run.sh");
  const ws = base.replace(/^http/, "ws") + "/sync";
  await promisify(execFile)(bin, ["--url", ws, "--token", adminToken, "--user", "admin"]);
}

export async function seed(base, adminToken) {
  const admin = new Api(base, adminToken);
  await seedSettings(base, adminToken);
  await admin.post("/api/admin/users", { id: "kari", role: "rep", team: "west" });
  const { token: kariToken } = await admin.post("/api/admin/users/kari/tokens");
  await admin.post("/api/admin/users/kari/territories/west");

  const account = async (body) => (await admin.post("/api/accounts", { territory: "west", ...body })).id;
  const fjord = await account({ name: "Fjordline Fisk AS", industry: "Fishing", lifecycle_stage: "retention" });
  await account({ name: "Nordlys Bakeri", industry: "Food", lifecycle_stage: "acquisition" });
  await account({ name: "Acme Retail AS", industry: "Retail", lifecycle_stage: "selection" });

  const emailId = uuid7();
  const contact = await admin.post(`/api/accounts/${fjord}/contacts`, {
    first_name: "Ingrid",
    last_name: "Berg",
    title: "Buyer",
    emails: { [emailId]: { id: emailId, address: "ingrid.berg@fjordline.example", primary: true, opted_out: false } },
    hobbies: { sailing: true },
  });

  const pipelines = await admin.get("/api/pipelines");
  const pipeline = (pipelines.items || []).find((p) => p.id === pipelines.default_pipeline_id) || (pipelines.items || [])[0];
  const open = pipeline ? pipeline.stages.filter((s) => (s.meaning || "open") === "open") : [];
  if (open.length < 2) {
    throw new Error(`seed: GET /api/pipelines has no pipeline with two open stages: ${JSON.stringify(pipelines)}`);
  }
  const deal = await admin.post(`/api/accounts/${fjord}/deals`, {
    name: "Fjordline trawler nets",
    pipeline_id: pipeline.id,
    stage_id: open[0].id,
    amount_minor: 2_500_000,
    currency: "NOK",
  });
  return { admin, kariToken, fjord, contactId: contact.id, dealId: deal.id, pipeline, from: open[0], to: open[1] };
}
