// The web console in headless Chromium against the real outpost-server
// (started by ../run.sh, which passes OUTPOST_BASE, OUTPOST_ADMIN_TOKEN,
// OUTPOST_DEVICE_EDIT, OUTPOST_CHROMIUM, OUTPOST_ARTIFACTS). The scenarios
// run in order in one browser tab, as an office user would work.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { seed } from "../lib/seed.mjs";

const BASE = must("OUTPOST_BASE");
const ADMIN_TOKEN = must("OUTPOST_ADMIN_TOKEN");
const DEVICE_EDIT = must("OUTPOST_DEVICE_EDIT");
const ARTIFACTS = process.env.OUTPOST_ARTIFACTS || "browser-artifacts";
const WAIT = 20_000; // how long the UI may take to show something (not asserted on)

function must(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run tests/browser/run.sh`);
  return v;
}

let browser;
let page;
let data;
const pageErrors = [];

before(async () => {
  data = await seed(BASE, ADMIN_TOKEN);
  browser = await chromium.launch({
    executablePath: process.env.OUTPOST_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  // the console loads nothing from outside the server
  await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
    pageErrors.push(`request outside the server: ${route.request().url()}`);
    route.abort();
  });
});

after(async () => {
  if (browser) await browser.close();
});

/** A scenario: on failure, a full-page screenshot goes to ARTIFACTS. */
function scenario(name, body) {
  test(name, async () => {
    pageErrors.length = 0;
    try {
      await body();
      assert.deepEqual(pageErrors, [], "no script errors on the page");
    } catch (e) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const file = `${ARTIFACTS}/${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`;
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.error(`screenshot: ${file}`);
      throw e;
    }
  });
}

const byTest = (id) => page.getByTestId(id);

async function signIn(token) {
  await byTest("signin-token").fill(token);
  await byTest("signin-submit").click();
}

scenario("sign in with a token (a wrong token is refused; sign out works)", async () => {
  await page.goto(BASE + "/");
  await page.waitForURL(/\/signin/);
  await signIn("not-a-real-token-at-all");
  await byTest("signin-message").getByTestId("error").waitFor();
  assert.match(await byTest("signin-message").innerText(), /not valid/);

  await signIn(ADMIN_TOKEN);
  await page.waitForURL(/\/accounts/);
  await byTest("accounts-table").waitFor();
  assert.match(await byTest("me").innerText(), /admin/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("outpost.token")), ADMIN_TOKEN);

  await byTest("sign-out").click();
  await page.waitForURL(/\/signin/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("outpost.token")), null);
  await signIn(ADMIN_TOKEN);
  await byTest("accounts-table").waitFor();
});

scenario("find an account by searching", async () => {
  await byTest("nav-accounts").click();
  await byTest("accounts-table").waitFor();
  assert.equal(await byTest("accounts-table-row").count(), 3);
  await byTest("accounts-search").fill("fjord");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="accounts-table-row"]').length === 1);
  const row = byTest("accounts-table-row");
  assert.match(await row.innerText(), /Fjordline Fisk AS/);
  await row.getByTestId("account-link").click();
  await page.waitForURL(new RegExp(`/accounts/${data.fjord}`));
  assert.equal(await byTest("account-name").innerText(), "Fjordline Fisk AS");
  await byTest("contacts-table").waitFor();
  assert.match(await byTest("contacts-table").innerText(), /Ingrid Berg/);
  // the office edits the account itself
  await byTest("account-edit").click();
  await byTest("account-edit-value_tier").fill("A");
  await byTest("account-edit-save").click();
  await page.waitForFunction(() => !document.querySelector("details.edit[open]"));
  assert.equal((await data.admin.get(`/api/accounts/${data.fjord}`)).account.value_tier, "A");
  // a search that matches nothing says so
  await page.goto(BASE + "/accounts?q=zzz-no-such-account");
  await byTest("accounts-results").getByTestId("empty").waitFor();
});

scenario("edit a contact and see it saved", async () => {
  await page.goto(`${BASE}/accounts/${data.fjord}`);
  await byTest("contacts-table").getByTestId("contact-link").click();
  await byTest("contact-form").waitFor();
  assert.equal(await byTest("edit-title").inputValue(), "Buyer");
  await byTest("edit-title").fill("Head of Purchasing");
  await byTest("edit-hobbies").fill("sailing, chess");
  await byTest("edit-save").click();
  await byTest("edit-saved").waitFor();
  await page.waitForFunction(() => /Head of Purchasing/.test(document.querySelector('[data-testid="contact-title-view"]').textContent));
  // on the server, attributed to the office user
  const c = await data.admin.get(`/api/accounts/${data.fjord}/contacts/${data.contactId}`);
  assert.equal(c.title, "Head of Purchasing");
  assert.deepEqual(Object.keys(c.hobbies).sort(), ["chess", "sailing"]);
  assert.equal(c.last_name, "Berg", "fields not in the form's changes stay as they were");
  // and still there after a reload
  await page.reload();
  await byTest("contact-form").waitFor();
  assert.equal(await byTest("edit-title").inputValue(), "Head of Purchasing");
});

scenario("move a deal on the board by drag and drop", async () => {
  await byTest("nav-pipeline").click();
  await byTest("board").waitFor();
  const card = page.locator(`[data-testid="deal-card"][data-id="${data.dealId}"]`);
  const from = page.locator(`[data-testid="board-column"][data-stage="${data.from.id}"]`);
  const to = page.locator(`[data-testid="board-column"][data-stage="${data.to.id}"]`);
  await from.locator(`[data-id="${data.dealId}"]`).waitFor();
  assert.equal(await to.getByTestId("column-count").innerText(), "0");

  await card.dragTo(to);
  await to.locator(`[data-id="${data.dealId}"]`).waitFor();
  // the board reloads from the server: the count and weighted total follow the move
  await page.waitForFunction(
    (stage) => document.querySelector(`[data-testid="board-column"][data-stage="${stage}"] [data-testid="column-count"]`).textContent === "1",
    data.to.id,
  );
  const deal = await data.admin.get(`/api/accounts/${data.fjord}/deals/${data.dealId}`);
  assert.equal(deal.stage_id, data.to.id);
  const moves = Object.values(deal.stage_history || {});
  assert.ok(moves.some((m) => m.from_stage === data.from.id && m.to_stage === data.to.id), "the move is in the stage history");
  const board = await data.admin.get(`/api/deals?pipeline=${data.pipeline.id}&stage=${data.to.id}`);
  const weighted = board.items.reduce((t, d) => t + d.weighted_minor, 0);
  assert.ok(weighted > 0, "the target stage has a weighted total");
  assert.equal(await to.getByTestId("column-weighted").getAttribute("data-minor"), String(weighted));
  assert.equal(await from.getByTestId("column-weighted").getAttribute("data-minor"), "0");
  assert.equal(await from.getByTestId("column-count").innerText(), "0");
});

scenario("import a CSV with a dry run first", async () => {
  // a HubSpot-style export: one bad e-mail, one row repeated
  const csv = [
    "First Name,Last Name,Email,Company Name,Job Title,Favourite Colour",
    "Per,Hansen,per.hansen@havbruk.example,Havbruk Nord AS,CEO,blue",
    "Lise,Dahl,lise.dahl@havbruk.example,Havbruk Nord AS,CFO,green",
    "Ola,Nordmann,not-an-email,Havbruk Nord AS,Buyer,red",
    "Per,Hansen,per.hansen@havbruk.example,Havbruk Nord AS,CEO,blue",
  ].join("\n");
  await byTest("nav-import").click();
  await byTest("import-kind").selectOption("contacts");
  await byTest("import-file").setInputFiles({ name: "hubspot-contacts.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await byTest("import-mapping").waitFor();
  const mapped = (col) => page.locator(`[data-testid="import-map"][data-column="${col}"]`).inputValue();
  assert.equal(await mapped("Email"), "email");
  assert.equal(await mapped("First Name"), "first_name");
  assert.equal(await mapped("Company Name"), "account_name");
  assert.equal(await mapped("Favourite Colour"), "", "an unknown column is not imported");
  assert.ok(await byTest("import-run").isDisabled(), "import waits for a dry run");

  await byTest("import-dry-run").click();
  const dry = byTest("dry-run-result");
  await dry.waitFor();
  assert.equal(await dry.getAttribute("data-state"), "done");
  assert.equal(await byTest("import-created").innerText(), "2");
  assert.equal(await byTest("import-errors").innerText(), "1");
  assert.equal(await byTest("import-duplicates").innerText(), "1");
  assert.match(await byTest("import-error-rows").innerText(), /\b3\b[\s\S]*email/);
  assert.match(await byTest("import-duplicate-rows").innerText(), /\b4\b[\s\S]*row 1/);
  const before = await data.admin.get("/api/contacts?q=hansen");
  assert.equal(before.total, 0, "a dry run writes nothing");

  await byTest("import-run").click();
  const done = byTest("import-done");
  await done.waitFor();
  assert.equal(await done.getAttribute("data-state"), "done");
  assert.equal(await byTest("import-created").innerText(), "2");
  const progress = done.locator("progress");
  assert.equal(await progress.getAttribute("value"), await progress.getAttribute("max"));
  const after = await data.admin.get("/api/contacts?q=hansen");
  assert.equal(after.total, 1);
  assert.equal(after.items[0].account_name, "Havbruk Nord AS");
});

scenario("an edit made on a Rust device appears live, without a reload", async () => {
  await page.goto(`${BASE}/accounts/${data.fjord}`);
  await byTest("account-card").getByTestId("account-industry").waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]').dataset.state === "on");
  assert.equal(await byTest("account-industry").innerText(), "Fishing");
  await page.evaluate(() => (window.__sameDocument = true)); // gone if the page reloads
  const value = `Aquaculture ${Date.now()}`;
  await runDevice(["--account", data.fjord, "--field", "industry", "--value", value]);
  await page.waitForFunction((v) => document.querySelector('[data-testid="account-industry"]').textContent === v, value);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload");
  // the field history names the rep who made the change on the phone
  await byTest("tab-history").click();
  const row = byTest("history-table-row").filter({ hasText: value });
  await row.waitFor();
  assert.match(await row.innerText(), /kari[\s\S]*industry[\s\S]*Fishing/);
});

scenario("a conflict between a phone and the office shows up live and is resolved", async () => {
  await page.goto(`${BASE}/accounts/${data.fjord}#conflicts`);
  await byTest("account-tab-panel").getByTestId("empty").waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]').dataset.state === "on");
  // kari's phone goes offline and sets the contact's role; the office sets it too
  const device = startDevice(["--account", data.fjord, "--contact", data.contactId, "--field", "role", "--value", "Decision maker", "--offline"]);
  await device.offline;
  await data.admin.patch(`/api/accounts/${data.fjord}/contacts/${data.contactId}`, { role: "Economic buyer" });
  device.resume();
  await device.done;

  const card = byTest("conflict");
  await card.waitFor();
  const text = await card.innerText();
  assert.match(text, /role/);
  assert.match(text, /Decision maker[^\n]*kari/);
  assert.match(text, /Economic buyer[^\n]*admin/);
  await card.locator("li", { hasText: "Decision maker" }).getByTestId("conflict-keep").click();
  await byTest("account-tab-panel").getByTestId("empty").waitFor();
  const c = await data.admin.get(`/api/accounts/${data.fjord}/contacts/${data.contactId}`);
  assert.equal(c.role, "Decision maker");
  assert.equal((await data.admin.get(`/api/accounts/${data.fjord}/conflicts`)).items.length, 0);
});

scenario("export the accounts list as CSV", async () => {
  await page.goto(`${BASE}/accounts?q=fjord`);
  await byTest("accounts-table").waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), byTest("export-accounts").click()]);
  assert.equal(download.suggestedFilename(), "accounts.csv");
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const lines = Buffer.concat(chunks).toString("utf8").trim().split(/\r?\n/);
  assert.match(lines[0], /name/, "a header row");
  assert.equal(lines.length, 2, "the list's filter applies: one account");
  assert.match(lines[1], /Fjordline Fisk AS/);
});

scenario("team dashboard and admin screens show the org", async () => {
  await byTest("nav-dashboard").click();
  const stage = byTest("report-pipeline-row").filter({ hasText: data.to.name });
  await stage.waitFor();
  assert.match(await stage.innerText(), new RegExp(`${data.to.name}\\s+1\\b`), "the moved deal counts in its new stage");
  await byTest("report-team").waitFor();
  assert.match(await byTest("report-team").innerText(), /kari/);
  await byTest("nav-admin").click();
  const kari = byTest("users-table-row").filter({ hasText: "kari" });
  await kari.waitFor();
  assert.match(await kari.innerText(), /west/);
  await byTest("territories-table").waitFor();
  assert.match(await byTest("territories-table").innerText(), /west[\s\S]*kari/);
});

scenario("an admin adds a custom field and it is filled in on a contact", async () => {
  await byTest("nav-admin").click();
  await byTest("new-field-key").fill("shoe_size");
  await byTest("new-field-label").fill("Shoe size");
  await byTest("new-field-type").selectOption("integer");
  await byTest("new-field-submit").click();
  await byTest("custom-fields-table").filter({ hasText: "shoe_size" }).waitFor();
  await page.goto(`${BASE}/accounts/${data.fjord}/contacts/${data.contactId}`);
  await byTest("edit-custom-shoe_size").fill("44");
  await byTest("edit-save").click();
  await byTest("edit-saved").waitFor();
  await byTest("contact-custom-shoe_size").waitFor();
  assert.equal(await byTest("contact-custom-shoe_size").innerText(), "44");
  const c = await data.admin.get(`/api/accounts/${data.fjord}/contacts/${data.contactId}`);
  assert.equal(c.custom.shoe_size, 44);
  assert.equal(c.title, "Head of Purchasing", "other fields untouched");
});

scenario("an admin adds a pipeline with its stages; a bad stage line is explained", async () => {
  await byTest("nav-admin").click();
  await byTest("new-pipeline-name").fill("Service renewals");
  await byTest("new-pipeline-stages").fill("Due, 20, open\nQuoted, 150, open");
  await byTest("new-pipeline-save").click();
  await byTest("admin-pipelines").getByTestId("error").waitFor();
  assert.match(await byTest("admin-pipelines").getByTestId("error").innerText(), /Line 2/);
  await byTest("new-pipeline-stages").fill("Due, 20, open\nQuoted, 60, open\nRenewed, 100, won\nChurned, 0, lost");
  await byTest("new-pipeline-save").click();
  await byTest("pipelines-table").filter({ hasText: "Service renewals" }).waitFor();
  const all = await data.admin.get("/api/pipelines");
  const p = all.items.find((x) => x.name === "Service renewals");
  assert.ok(p, "the pipeline is stored");
  assert.deepEqual(
    p.stages.map((s) => [s.name, s.probability, s.meaning]),
    [["Due", 20, "open"], ["Quoted", 60, "open"], ["Renewed", 100, "won"], ["Churned", 0, "lost"]],
  );
});

scenario("a rep signs in and sees only their territory, without admin screens", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const rep = await context.newPage();
  rep.setDefaultTimeout(WAIT);
  rep.on("pageerror", (e) => pageErrors.push(String(e)));
  try {
    await rep.goto(BASE + "/signin");
    await rep.getByTestId("signin-token").fill(data.kariToken);
    await rep.getByTestId("signin-submit").click();
    await rep.getByTestId("accounts-table").waitFor();
    assert.match(await rep.getByTestId("me").innerText(), /kari \(rep\)/);
    assert.equal(await rep.getByTestId("nav-admin").isVisible(), false);
    assert.equal(await rep.getByTestId("nav-import").isVisible(), false);
    const names = await rep.getByTestId("account-link").allInnerTexts();
    assert.deepEqual(names.sort(), ["Acme Retail AS", "Fjordline Fisk AS", "Nordlys Bakeri"], "the west territory, not the imported account");
    await rep.goto(BASE + "/admin");
    await rep.getByTestId("error").waitFor();
    assert.match(await rep.getByTestId("error").innerText(), /Only admins/);
  } finally {
    await context.close();
  }
});

scenario("add a deal on the account page", async () => {
  await page.goto(`${BASE}/accounts/${data.fjord}#deals`);
  await byTest("deals-table").waitFor();
  await page.locator("summary", { hasText: "Add a deal" }).click();
  await byTest("new-deal-name").fill("Fjordline spare parts");
  const third = data.pipeline.stages.find((st) => st.position === 3);
  await byTest("new-deal-stage").selectOption(third.id);
  await byTest("new-deal-amount").fill("1200.50");
  await byTest("new-deal-submit").click();
  await byTest("deals-table-row").filter({ hasText: "Fjordline spare parts" }).waitFor();
  const deals = await data.admin.get(`/api/deals?account=${data.fjord}`);
  const deal = deals.items.find((d) => d.name === "Fjordline spare parts");
  assert.ok(deal, "the deal is on the server");
  assert.equal(deal.amount_minor, 120050);
  assert.equal(deal.stage_id, third.id);
  assert.equal(deal.pipeline_id, data.pipeline.id);
});

/** Runs the Rust device (kari's phone) until it has synced its edit. */
function runDevice(args) {
  return startDevice(args).done;
}

/**
 * Starts the Rust device. `offline` resolves when a device started with
 * `--offline` has synced and gone offline; `resume()` lets it edit and
 * reconnect; `done` resolves when it exited 0 (the edit is on the server).
 */
function startDevice(args) {
  const ws = BASE.replace(/^http/, "ws") + "/sync";
  const child = spawn(DEVICE_EDIT, ["--url", ws, "--token", data.kariToken, "--user", "kari", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  let out = "";
  child.stderr.on("data", (d) => (err += d));
  let wentOffline;
  const offline = new Promise((resolve) => (wentOffline = resolve));
  child.stdout.on("data", (d) => {
    out += d;
    if (out.includes("offline")) wentOffline();
  });
  const done = new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`device_edit exited ${code}: ${err}`))));
  });
  return { offline: Promise.race([offline, done]), done, resume: () => child.stdin.end("go\n") };
}
