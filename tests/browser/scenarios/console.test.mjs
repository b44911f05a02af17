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

/**
 * Waits until `read()` gives a value that `ok` accepts and returns it; fails
 * after WAIT with the last value seen. What the console shows changes while
 * data loads and when live updates re-render it, so assertions on the screen
 * go through here (or `waitFor`/`waitForFunction`) instead of reading once
 * right after something appeared.
 */
async function eventually(what, read, ok) {
  const deadline = Date.now() + WAIT;
  let last;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (e) {
      last = e; // e.g. the element was re-rendered between lookup and read
    }
    if (Date.now() > deadline) {
      assert.fail(`${what}: still ${last instanceof Error ? last.message : JSON.stringify(last)} after ${WAIT} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `locator` matches exactly `n` elements. */
const expectCount = (locator, n) => eventually(`${locator} count ${n}`, () => locator.count(), (c) => c === n);

/** Waits until the text of `locator` is `expected` (a string) or matches it (a RegExp). */
const expectText = (locator, expected) =>
  eventually(
    `${locator} text ${expected}`,
    () => locator.innerText({ timeout: 1000 }),
    (t) => (expected instanceof RegExp ? expected.test(t) : t === expected),
  );

/** Waits until the value of the input `locator` is `expected`. */
const expectValue = (locator, expected) =>
  eventually(`${locator} value ${expected}`, () => locator.inputValue({ timeout: 1000 }), (v) => v === expected);

/** Clicks an export button and returns the downloaded file's name and text. */
async function download(button) {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const chunks = [];
  for await (const c of await file.createReadStream()) chunks.push(c);
  return { name: file.suggestedFilename(), text: Buffer.concat(chunks).toString("utf8") };
}

/** CSV text → rows of cells (RFC 4180: a quoted cell may hold , " CR and LF). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') cell += text[++i];
      else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell), rows.push(row), (row = []), (cell = "");
    } else cell += ch;
  }
  if (cell !== "" || row.length) row.push(cell), rows.push(row);
  return rows;
}

/** CSV text → one object per row, keyed by the header row. */
function csvObjects(text) {
  const [head, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

async function signIn(token) {
  await byTest("signin-token").fill(token);
  await byTest("signin-submit").click();
}

scenario("sign in with a token (a wrong token is refused; sign out works)", async () => {
  await page.goto(BASE + "/");
  await page.waitForURL(/\/signin/);
  await signIn("not-a-real-token-at-all");
  await byTest("signin-message").getByTestId("error").waitFor();
  await expectText(byTest("signin-message"), /not valid/);

  await signIn(ADMIN_TOKEN);
  await page.waitForURL(/\/accounts/);
  await byTest("accounts-table").waitFor();
  await expectText(byTest("me"), /admin/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("outpost.token")), ADMIN_TOKEN);

  await byTest("sign-out").click();
  await page.waitForURL(/\/signin/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("outpost.token")), null);
  await signIn(ADMIN_TOKEN);
  await byTest("accounts-table").waitFor();
});

scenario("find an account by searching", async () => {
  await byTest("nav-accounts").click();
  // the table appears with its rows, but the one on screen may still be the
  // previous render about to be replaced: wait for the expected rows
  await expectCount(byTest("accounts-table-row"), 3);
  await byTest("accounts-search").fill("fjord");
  await expectCount(byTest("accounts-table-row"), 1);
  const row = byTest("accounts-table-row");
  await expectText(row, /Fjordline Fisk AS/);
  await row.getByTestId("account-link").click();
  await page.waitForURL(new RegExp(`/accounts/${data.fjord}`));
  await expectText(byTest("account-name"), "Fjordline Fisk AS");
  await expectText(byTest("contacts-table"), /Ingrid Berg/);
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
  await expectValue(byTest("edit-title"), "Buyer");
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
  await expectValue(byTest("edit-title"), "Head of Purchasing");
});

scenario("move a deal on the board by drag and drop", async () => {
  await byTest("nav-pipeline").click();
  await byTest("board").waitFor();
  const card = page.locator(`[data-testid="deal-card"][data-id="${data.dealId}"]`);
  const from = page.locator(`[data-testid="board-column"][data-stage="${data.from.id}"]`);
  const to = page.locator(`[data-testid="board-column"][data-stage="${data.to.id}"]`);
  await from.locator(`[data-id="${data.dealId}"]`).waitFor();
  await expectText(to.getByTestId("column-count"), "0");

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
  const minor = (column) => () => column.getByTestId("column-weighted").getAttribute("data-minor", { timeout: 1000 });
  await eventually("the target stage's weighted total", minor(to), (v) => v === String(weighted));
  await eventually("the source stage's weighted total", minor(from), (v) => v === "0");
  await expectText(from.getByTestId("column-count"), "0");
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
  await expectText(byTest("import-created"), "2");
  await expectText(byTest("import-errors"), "1");
  await expectText(byTest("import-duplicates"), "1");
  await expectText(byTest("import-error-rows"), /\b3\b[\s\S]*email/);
  await expectText(byTest("import-duplicate-rows"), /\b4\b[\s\S]*row 1/);
  const before = await data.admin.get("/api/contacts?q=hansen");
  assert.equal(before.total, 0, "a dry run writes nothing");

  await byTest("import-run").click();
  const done = byTest("import-done");
  await done.waitFor();
  assert.equal(await done.getAttribute("data-state"), "done");
  await expectText(byTest("import-created"), "2");
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
  await expectText(byTest("account-industry"), "Fishing");
  await page.evaluate(() => (window.__sameDocument = true)); // gone if the page reloads
  const value = `Aquaculture ${Date.now()}`;
  await runDevice(["--account", data.fjord, "--field", "industry", "--value", value]);
  await page.waitForFunction((v) => document.querySelector('[data-testid="account-industry"]').textContent === v, value);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload");
  // the field history names the rep who made the change on the phone
  await byTest("tab-history").click();
  await expectText(byTest("history-table-row").filter({ hasText: value }), /kari[\s\S]*industry[\s\S]*Fishing/);
});

scenario("a live update does not take a half-typed new contact", async () => {
  await page.goto(`${BASE}/accounts/${data.fjord}`);
  await byTest("tab-contacts").click();
  await byTest("contacts-table").waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]').dataset.state === "on");
  await page.getByText("Add a contact").click();
  await byTest("new-contact-first").fill("Sølvi");
  await byTest("new-contact-last").fill("Øyen");
  // the tab's table is marked: a refresh replaces it
  await page.evaluate(() => (document.querySelector('[data-testid="contacts-table"]').__before = true));
  await runDevice(["--account", data.fjord, "--field", "industry", "--value", `Shipping ${Date.now()}`]);
  await page.waitForFunction(() => !document.querySelector('[data-testid="contacts-table"]').__before);
  assert.equal(await byTest("new-contact-first").inputValue(), "Sølvi");
  assert.equal(await byTest("new-contact-last").inputValue(), "Øyen");
  assert.equal(await byTest("new-contact-first").isVisible(), true, "the form stays open");
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
  await expectText(card, /role/);
  await expectText(card, /Decision maker[^\n]*kari/);
  await expectText(card, /Economic buyer[^\n]*admin/);
  await card.locator("li", { hasText: "Decision maker" }).getByTestId("conflict-keep").click();
  await byTest("account-tab-panel").getByTestId("empty").waitFor();
  const c = await data.admin.get(`/api/accounts/${data.fjord}/contacts/${data.contactId}`);
  assert.equal(c.role, "Decision maker");
  assert.equal((await data.admin.get(`/api/accounts/${data.fjord}/conflicts`)).items.length, 0);
});

scenario("export the accounts list as CSV", async () => {
  await page.goto(`${BASE}/accounts?q=fjord`);
  await expectCount(byTest("accounts-table-row"), 1);
  const file = await download(byTest("export-accounts"));
  assert.equal(file.name, "accounts.csv");
  const lines = file.text.trim().split(/\r?\n/);
  assert.match(lines[0], /name/, "a header row");
  assert.equal(lines.length, 2, "the list's filter applies: one account");
  assert.match(lines[1], /Fjordline Fisk AS/);
});

scenario("team dashboard and admin screens show the org", async () => {
  await byTest("nav-dashboard").click();
  // the moved deal counts in its new stage
  await expectText(byTest("report-pipeline-row").filter({ hasText: data.to.name }), new RegExp(`${data.to.name}\\s+1\\b`));
  await expectText(byTest("report-team"), /kari/);
  await byTest("nav-admin").click();
  await expectText(byTest("users-table-row").filter({ hasText: "kari" }), /west/);
  await expectText(byTest("territories-table"), /west[\s\S]*kari/);
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
  await expectText(byTest("contact-custom-shoe_size"), "44");
  const c = await data.admin.get(`/api/accounts/${data.fjord}/contacts/${data.contactId}`);
  assert.equal(c.custom.shoe_size, 44);
  assert.equal(c.title, "Head of Purchasing", "other fields untouched");
});

scenario("what an admin is typing survives another section's reload", async () => {
  await byTest("nav-admin").click();
  // half-filled: a new custom field, and kari's team changed in the users table
  await byTest("new-field-key").fill("typed_before");
  await byTest("new-field-label").fill("Typed before");
  const kariTeam = () => byTest("users-table-row").filter({ hasText: "kari" }).locator('input[placeholder="team"]');
  await kariTeam().fill("west-unsaved");
  // another form's action reloads every section of the page
  await byTest("new-user-id").fill("ola");
  await byTest("new-user-submit").click();
  await byTest("users-table-row").filter({ hasText: "ola" }).waitFor();
  await byTest("custom-fields-table").waitFor();
  assert.equal(await byTest("new-field-key").inputValue(), "typed_before");
  assert.equal(await byTest("new-field-label").inputValue(), "Typed before");
  assert.equal(await kariTeam().inputValue(), "west-unsaved", "an inline edit not saved yet is kept");
  assert.equal(await byTest("new-user-id").inputValue(), "", "the submitted form is emptied");
  // saving that row shows the stored value from then on
  await kariTeam().fill("west");
  await byTest("users-table-row").filter({ hasText: "kari" }).getByRole("button", { name: "Save" }).click();
  await eventually("kari's team saved", async () => (await data.admin.get("/api/admin/users")).find((u) => u.id === "kari")?.team, (t) => t === "west");
});

scenario("an admin adds a pipeline with its stages; a bad stage line is explained", async () => {
  await byTest("nav-admin").click();
  await byTest("new-pipeline-name").fill("Service renewals");
  await byTest("new-pipeline-stages").fill("Due, 20, open\nQuoted, 150, open");
  await byTest("new-pipeline-save").click();
  await expectText(byTest("admin-pipelines").getByTestId("error"), /Line 2/);
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
    await expectText(rep.getByTestId("me"), /kari \(rep\)/);
    assert.equal(await rep.getByTestId("nav-admin").isVisible(), false);
    assert.equal(await rep.getByTestId("nav-import").isVisible(), false);
    // the west territory, not the imported account
    const west = JSON.stringify(["Acme Retail AS", "Fjordline Fisk AS", "Nordlys Bakeri"]);
    await eventually("the rep's accounts", async () => JSON.stringify((await rep.getByTestId("account-link").allInnerTexts()).sort()), (names) => names === west);
    await rep.goto(BASE + "/admin");
    await expectText(rep.getByTestId("error"), /Only admins/);
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

scenario("CSV exports neutralise spreadsheet formulas, the server's and the console's own", async () => {
  const formula = '=HYPERLINK("http://x","y")';
  const { id } = await data.admin.post("/api/accounts", { name: formula, territory: "-1+1", balance: { balance_minor: -5 } });
  await data.admin.post(`/api/admin/users/kari/assignments/${id}`);
  try {
    // the server's export, through the accounts list's button
    await page.goto(`${BASE}/accounts?q=HYPERLINK`);
    await expectCount(byTest("accounts-table-row"), 1);
    const [account] = csvObjects((await download(byTest("export-accounts"))).text);
    assert.equal(account.name, `'${formula}`);
    assert.equal(account.territory, "'-1+1", "text that looks like a sum is neutralised");
    assert.equal(account.balance_minor, "-5", "a number stays a number");

    // the console's client-side exports of the admin lists
    await byTest("nav-admin").click();
    await byTest("assignments-table-row").filter({ hasText: "HYPERLINK" }).waitFor();
    const assignments = csvObjects((await download(byTest("export-assignments"))).text);
    const assigned = assignments.find((a) => a.account === id);
    assert.ok(assigned, `the assignment is exported: ${JSON.stringify(assignments)}`);
    assert.deepEqual([assigned.user_id, assigned.account_name], ["kari", `'${formula}`]);
    await byTest("territories-table-row").filter({ hasText: "-1+1" }).waitFor();
    const territories = csvObjects((await download(byTest("export-territories"))).text);
    const territory = territories.find((t) => t.territory === "'-1+1");
    assert.ok(territory, `the territory is neutralised: ${JSON.stringify(territories)}`);
    assert.equal(territory.accounts, "1", "a count stays a number");
  } finally {
    await data.admin.req("DELETE", `/api/admin/users/kari/assignments/${id}`);
    await data.admin.post(`/api/accounts/${id}/archive`);
  }
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
