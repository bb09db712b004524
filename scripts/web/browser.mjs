// Browser test of the firm app and the admin console with playwright-core driving
// Debian's chromium. Every page the walk lands on is checked twice: its HTTP status (a
// guard on every main-frame navigation fails the walk on any status it does not expect)
// and its content (what the step must show). Screenshots go to $SHOTS.
//
// The walk: sign in; upload an export with a file the analysis cannot recognise ("Misc
// Data.csv", tasks under opaque headers); review it (filters, field names, the data check
// and "will this migrate?"); give the file its kind, see the required fields it lacks, be
// refused a start without confirming, choose its key column and fields; start; follow the
// progress bars; read the verdict, the report with names and checksums, the printable
// sign-off (also saved as PDF); sort, filter and page the rejects; fix a rejected amount in
// the grid and see the re-run finish; browse every kind's records; download the canonical
// export and a correction file. Then, with $DATA_DIR (the data directory of `up`), a
// second migration is poisoned: a file stands where the email worker must create the job's
// attachment folder, so the project-email batch lands in its DLQ; the operator finds it,
// the cause is removed, the operator redrives it and sees the job done.
// Usage: node browser.mjs WEB_URL ADMIN_WEB_URL EMAIL PASSWORD ADMIN_EMAIL ADMIN_PASSWORD ZIP REVIEW_ZIP
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const [web, adminWeb, email, password, adminEmail, adminPassword, zip, reviewZip] = process.argv.slice(2);
const shots = process.env.SHOTS || "target/web-artifacts";
const profile = mkdtempSync(join(tmpdir(), "mai-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
  viewport: { width: 1280, height: 900 },
});
const page = browser.pages()[0] || await browser.newPage();
const shot = async (name) => { await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true }); console.log(`screenshot ${name}`); };
const step = (s) => console.log(`step: ${s}`);
const fail = (msg) => { throw new Error(msg); };

// The status guard: every document the main frame loads must answer 200 (or 303 on the way),
// unless a step says it expects another status next.
let expected = new Set([200]);
const navigations = [];
const problems = [];
page.on("response", (r) => {
  const req = r.request();
  if (!req.isNavigationRequest() || req.frame() !== page.mainFrame()) return;
  const status = r.status();
  navigations.push({ url: r.url(), status });
  if (status >= 300 && status < 400) return;
  if (!expected.has(status)) problems.push(`${req.method()} ${r.url()} answered ${status}`);
  expected = new Set([200]);
});
const guard = () => { if (problems.length) fail(`unexpected status: ${problems.join("; ")}`); };
const lastStatus = () => navigations.length ? navigations[navigations.length - 1].status : 0;

// The page holds each text, and is not an error page.
async function shows(...texts) {
  guard();
  const body = await page.content();
  if (body.includes("Something went wrong")) fail(`${page.url()} is an error page`);
  for (const t of texts) {
    if (!body.includes(t)) fail(`${page.url()} does not show ${JSON.stringify(t)}`);
  }
  return body;
}

// Opens a URL: 200 and the texts.
async function visit(url, ...texts) {
  const r = await page.goto(url);
  if (!r || r.status() !== 200) fail(`${url} answered ${r ? r.status() : "nothing"}`);
  return shows(...texts);
}

// Clicks something that loads a page, and waits for it.
async function go(locator, ...texts) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
  await page.waitForLoadState();
  return shows(...texts);
}

// Waits until the page's text matches `re`, across the reloads the page makes by itself.
async function waitText(re, what, timeout = 120000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      if (re.test(await page.locator("main").innerText())) return;
    } catch (e) { /* the page was reloading */ }
    await page.waitForTimeout(250);
  }
  fail(`gave up waiting for ${what}`);
}

// Waits until no data check is running (the page reloads itself when one finishes).
async function checkSettled() {
  await page.waitForLoadState();
  await page.locator("[data-check-poll]").waitFor({ state: "detached", timeout: 180000 });
  await page.waitForLoadState();
}

// Reloads `url` until `ready()` holds (the pages are server-rendered snapshots).
async function reloadUntil(url, ready, what) {
  for (let i = 0; i < 240; i++) {
    await visit(url);
    if (await ready()) return;
    await page.waitForTimeout(500);
  }
  fail(`gave up waiting for ${what}`);
}

// In the firm app (both apps share the host, so its session must be used before the
// operator signs in): a migration whose email worker will hit a storage fault.
async function startPoisoned() {
  step("a migration whose email worker hits a storage fault");
  await visit(`${web}/`, "Migrations");
  await page.getByLabel("New migration name").fill(`Poisoned ${Date.now()}`);
  await go(page.getByRole("button", { name: "Create migration" }), "Upload the export");
  const job = new URL(page.url()).pathname.split("/").pop();
  await page.getByLabel("Export files").setInputFiles(zip);
  await page.locator("#analyse").waitFor({ timeout: 120000 });
  await go(page.locator("#analyse"));
  await page.locator("#start").waitFor({ timeout: 180000 });
  await shows("Review the mapping");
  // The blob store is <data>/blobs; email attachments go under files/project-email/.
  const blocked = join(process.env.DATA_DIR, "blobs", "tenants", "demo", "jobs", job,
                       "files", "project-email");
  mkdirSync(dirname(blocked), { recursive: true });
  writeFileSync(blocked, "a file where a folder must go");
  await go(page.locator("#start"), "Progress");
  return { job, blocked };
}

async function redrivePoisoned({ job, blocked }) {
  step("the operator finds it in the project-email DLQ");
  await reloadUntil(`${adminWeb}/`, async () =>
    (await page.locator('a[href="/dlq/project-email"].warn').count()) > 0, "the project-email DLQ to fill");
  await shot("21-console-dlq-warning");
  await go(page.locator('a[href="/dlq/project-email"]'), "Dead letters: project-email");
  const row = page.locator("tbody tr").filter({ hasText: job });
  if ((await row.count()) !== 1) fail(`the DLQ does not list job ${job}`);
  const cells = row.locator("td");
  const receives = (await cells.nth(2).innerText()).trim();
  const error = (await cells.nth(3).innerText()).trim();
  if (Number(receives) < 3) fail(`receive count ${receives}, expected 3 or more`);
  if (!error.includes("project-email")) fail(`last error does not name the blob: ${error}`);
  console.log(`dead letter: ${receives} receives, last error: ${error}`);
  await shot("22-dlq-before-redrive");

  step("the cause is removed and the operator redrives");
  rmSync(blocked, { force: true });
  let asked = "";
  page.once("dialog", async (d) => { asked = d.message(); await d.accept(); });
  await go(page.locator("#redrive-all"), "This dead-letter queue is empty.");
  if (!asked.includes("Move every message")) fail(`no confirmation asked (${asked})`);
  await shot("23-dlq-after-redrive");

  step("the job completes");
  const jobRow = () => page.locator("tbody tr").filter({ hasText: "Poisoned" });
  await reloadUntil(`${adminWeb}/`, async () =>
    (await jobRow().locator("td").nth(3).innerText()).trim() === "done", "the job to finish");
  if ((await page.locator('a[href="/dlq/project-email"].warn').count()) !== 0) fail("the project-email DLQ is not empty");
  await shot("24-console-job-done");
}

// The index of a table in the review form.
async function tableIndex(name) {
  const id = await page.locator(`fieldset[data-table="${name}"]`).getAttribute("id");
  if (!id) fail(`${name} is not in the review`);
  return id.replace("table-", "");
}

try {
  step("sign in");
  await visit(`${web}/sign-in`, "Sign in");
  await shot("01-sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await go(page.getByRole("button", { name: "Sign in" }), "Migrations");
  if (new URL(page.url()).pathname !== "/") fail(`signed in to ${page.url()}`);
  await shot("02-migrations-empty");

  step("create a migration and upload an export with a file nobody recognises");
  await page.getByLabel("New migration name").fill(`Browser test ${Date.now()}`);
  await go(page.getByRole("button", { name: "Create migration" }), "Upload the export");
  const jobUrl = page.url();
  await page.getByLabel("Export files").setInputFiles(reviewZip);
  await page.locator("#analyse").waitFor({ timeout: 120000 });
  await shows("export.zip");
  await shot("03-uploaded");
  await go(page.locator("#analyse"), "Analysing");

  step("review: files, fields by their names, the data check");
  await page.locator("#save-mapping").waitFor({ timeout: 180000 });
  await shows("Review the mapping", "Misc Data.csv", "Key column", "Time and expenses (billing-items)",
              "Contact ID", "Currency of amounts", "Time zone of times");
  // The check of the proposal arrives by itself (the page reloads when it is ready).
  await checkSettled();
  await page.getByRole("heading", { name: "Will this migrate?" }).waitFor({ timeout: 180000 });
  await shows("Row problems per file");
  await shot("04-review");
  const t = await tableIndex("Misc Data.csv");
  const legend = page.locator(`#table-${t} legend`);
  // Not recognised, and nobody has left it out: undecided until a person chooses.
  if (!(await legend.innerText()).includes("not decided")) fail(`Misc Data.csv was recognised or decided: ${await legend.innerText()}`);

  step("filters: only low-confidence matches, only problems");
  const columns = () => page.locator("select[name^='f.']").count();
  const everything = await columns();
  await go(page.locator("#show-low"), "only low-confidence matches");
  const low = await columns();
  await shot("05-review-low");
  await go(page.locator("#show-problems"));
  const withProblems = await columns();
  if (!(low < everything && withProblems < everything)) fail(`filters show ${low} and ${withProblems} of ${everything} columns`);
  await go(page.locator("#show-all"));
  if ((await columns()) !== everything) fail("every column is back");

  step("the misdetected file becomes tasks; saved with a confirmation");
  await page.selectOption(`#kind-${t}`, "tasks");
  await page.getByText("Unsaved changes.").waitFor();
  await go(page.locator("#save-mapping"), "Saved 1 change");
  await page.locator(`#table-${t} .unmet`).waitFor();
  if (!(await legend.innerText()).includes("Tasks")) fail("the kind did not change");
  const unmet = await page.locator(`#table-${t} .unmet`).innerText();
  if (!unmet.includes("Task ID")) fail(`unmet: ${unmet}`);
  await shot("06-kind-changed");

  step("a start with a required field unmapped needs a confirmation");
  // Saving started a data check, and the page reloads itself when it ends: that reload must
  // be over before the guard is told to expect the refusal.
  await checkSettled();
  expected = new Set([422]);
  await go(page.locator("#start"), "required fields are unmapped", "Misc Data.csv");
  if (lastStatus() !== 422) fail(`the refused start answered ${lastStatus()}`);
  await page.locator("#confirm-unmet").waitFor();
  await shot("07-start-refused");

  step("the key column and the fields, by hand");
  await visit(jobUrl, "Review the mapping");
  await checkSettled();
  await page.selectOption(`#key-${t}`, "X1");
  await page.selectOption(`#f-${t}-1`, "project_id");
  await page.selectOption(`#f-${t}-2`, "title");
  await page.selectOption(`#f-${t}-3`, "due_on");
  await go(page.locator("#save-mapping"), "Saved 4 changes");
  const key = await page.locator(`#table-${t} .key`).innerText();
  if (!key.includes("X1") || !key.includes("Task ID")) fail(`key: ${key}`);
  if ((await page.locator(`#table-${t} .unmet`).count()) !== 0) fail("fields still unmet");
  await checkSettled();
  await page.getByRole("heading", { name: "Will this migrate?" }).waitFor({ timeout: 180000 });
  const estimate = await page.locator("table.estimate").innerText();
  if (!/Tasks/.test(estimate)) fail(`no estimate for tasks: ${estimate}`);
  await shot("08-review-fixed");

  step("start and follow the progress bars");
  await go(page.locator("#start"), "Progress");
  await page.locator("#progress-rows progress").first().waitFor({ timeout: 60000 });
  await waitText(/about \d|done/, "a time left per kind");
  await shot("09-progress");
  await page.locator("#verdict").waitFor({ timeout: 600000 });
  await page.waitForLoadState();
  await shows("does NOT migrate", "What fixes it", "Trust held", "Receivables", "Documents verified",
              "Trust ledger", "Bills");
  await shot("10-verdict");

  step("the report: verdict first, names beside ids, balances, checksums, duplicates");
  const report = await go(page.locator("#report-link"), "Executive summary", "Total trust held",
                          "Total receivables", "Balance of each bill", "SHA-256", "Possible duplicate contacts",
                          "Files of the export");
  if (report.indexOf("Verdict:") > report.indexOf("Executive summary")) fail("the verdict does not lead");
  const firstMatter = await page.locator("#trust-by-matter tbody tr td").first().innerText();
  if (!/\S+\s+M\d+/.test(firstMatter)) fail(`no name beside the matter id: ${firstMatter}`);
  const sha = await page.locator("#documents tbody tr td.samples").first().innerText();
  if (!/^[0-9a-f]{64}/.test(sha)) fail(`no checksum: ${sha}`);
  // Every file of the export is listed with its role and encoding.
  const exportFiles = await page.locator("#export-files tbody tr").count();
  if (exportFiles < 5) fail(`the report lists ${exportFiles} files of the export`);
  const firstFile = await page.locator("#export-files tbody tr").first().innerText();
  if (!/\.(csv|xlsx|json|pdf|eml|docx?|txt)/i.test(firstFile) || !/table|document|email|left out|unreadable/.test(firstFile))
    fail(`a file of the export without its name or role: ${firstFile}`);
  // A table's columns no field takes are named, with how many values they held.
  const undecided = await page.locator("#export-files tbody td.undecided").allInnerTexts();
  if (!undecided.some((u) => /\S \(\d+/.test(u))) fail(`no column that no field takes is named: ${undecided}`);
  await shot("11-report");

  step("the sign-off page, printed to PDF");
  await go(page.locator("#signoff-link"), "Migration sign-off", "Signatures", "Total trust held");
  await shot("12-signoff");
  const pdf = await page.pdf({ path: `${shots}/signoff.pdf`, format: "A4" });
  if (pdf.length < 2000 || pdf.subarray(0, 4).toString() !== "%PDF") fail("the sign-off does not print to PDF");

  step("rejects: filter, sort, page");
  await visit(jobUrl);
  await go(page.locator("#rejects-link"), "Rejected rows");
  await page.selectOption("#f-kind", "project-funds");
  await go(page.locator("#apply-filter"), "rejected rows match");
  const kinds = await page.locator("#rejects tbody tr td:first-child").allInnerTexts();
  if (!kinds.length || !kinds.every((k) => k.includes("project-funds"))) fail(`filter: ${kinds}`);
  await go(page.locator("a[data-sort='row']"));
  await go(page.locator("a[data-sort='row']"));
  if ((await page.locator("th[aria-sort='descending']").count()) !== 1) fail("not sorted descending");
  const rowsDesc = (await page.locator("#rejects tbody tr td:nth-child(3)").allInnerTexts()).map(Number);
  if (rowsDesc.some((r, i) => i > 0 && r > rowsDesc[i - 1])) fail(`rows not descending: ${rowsDesc}`);
  await shot("13-rejects");
  await visit(`${jobUrl}/rejects?per_page=10`);
  await go(page.locator("#next-page"), "Page 2 of");

  step("fix a rejected amount in the grid and re-run it");
  await visit(jobUrl, "Fix rejected rows");
  const fixLinks = page.locator(".fix-tables a");
  let fixed = false;
  for (let i = 0; i < await fixLinks.count() && !fixed; i++) {
    await visit(jobUrl);
    await go(page.locator(".fix-tables a").nth(i), "Fix the rejected rows of");
    const rows = page.locator("#grid tbody tr");
    for (let r = 0; r < await rows.count(); r++) {
      const why = await rows.nth(r).locator("td.why").innerText();
      const m = /"([^"]+)" is not an amount/.exec(why);
      if (!m) continue;
      const cell = rows.nth(r).locator(`input[data-original="${m[1]}"]`).first();
      if ((await cell.count()) === 0) continue;
      await cell.fill("12.34");
      await page.getByText("1 cell(s) changed in 1 row(s)").waitFor();
      await shot("14-grid");
      await go(page.locator("#rerun"), "(corrections 1)");
      fixed = true;
      break;
    }
  }
  if (!fixed) fail("no rejected amount to fix in any grid");
  await page.locator("#verdict").waitFor({ timeout: 600000 });
  await page.waitForLoadState();
  await shows("Rows loaded");
  await shot("15-corrections-done");

  step("browse every kind's records");
  await visit(jobUrl);
  await go(page.getByRole("link", { name: "Browse records" }), "Records: contacts");
  const kindLinks = await page.locator("nav.kinds a").evaluateAll((as) => as.map((a) => a.href));
  for (const href of kindLinks) {
    const kind = href.split("/").pop();
    await visit(href, `Records: ${kind}`);
  }
  await shot("16-records");

  step("download the canonical export and a correction file");
  await visit(jobUrl);
  const [zipDownload] = await Promise.all([page.waitForEvent("download"), page.locator("#export-link").click()]);
  const zipBytes = readFileSync(await zipDownload.path());
  if (zipBytes.length < 100 || zipBytes.subarray(0, 2).toString() !== "PK") fail("the canonical export is not a zip");
  await page.getByRole("heading", { name: "Upload corrected rejects" }).waitFor();
  const [fixDownload] = await Promise.all([page.waitForEvent("download"), page.locator("#corrections-download").click()]);
  const fixText = readFileSync(await fixDownload.path(), "utf8");
  if (!fixText.split("\n")[0].includes("source_row,field,code,reason")) fail("the correction file has no reject columns");
  // Sent back with nothing fixed, it is refused with the reason on the page.
  await page.locator("#corrections-file").setInputFiles(await fixDownload.path());
  await page.locator("#corrections-submit").click();
  await page.getByText("nothing to re-run").waitFor();
  await shot("17-corrections-refused");

  const poisoned = process.env.DATA_DIR ? await startPoisoned() : null;

  step("operator console");
  await visit(`${adminWeb}/sign-in`, "Sign in");
  await page.getByLabel("Email").fill(adminEmail);
  await page.getByLabel("Password").fill(adminPassword);
  await go(page.getByRole("button", { name: "Sign in" }), "Queues");
  await shot("19-console");
  await visit(`${adminWeb}/dlq/contacts`, "Dead letters: contacts");
  await shot("20-dlq");

  if (poisoned) {
    await redrivePoisoned(poisoned);
  }
  guard();
  console.log(`browser test passed (${navigations.length} pages, every status and content checked)`);
} catch (e) {
  await shot("failure").catch(() => {});
  console.error(`browser test failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
