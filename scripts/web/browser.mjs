// Browser test of the firm app and the admin console with playwright-core driving
// Debian's chromium: sign in, upload the small sample (in resumable chunks), accept the
// mapping, start, see it complete, download the canonical export and a correction file,
// open the report; then the operator's console and a DLQ. With $DATA_DIR (the data
// directory of `up`), a second migration is poisoned: a file stands where the email worker
// must create the job's attachment folder (a storage fault, made from outside the product),
// so the project-email batch fails three times and lands in its DLQ; the operator sees it
// with its receive count and last error, the cause is removed, the operator redrives it
// (confirming) and sees the DLQ empty and the job done. Screenshots go to $SHOTS.
// Usage: node browser.mjs WEB_URL ADMIN_WEB_URL EMAIL PASSWORD ADMIN_EMAIL ADMIN_PASSWORD ZIP
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const [web, adminWeb, email, password, adminEmail, adminPassword, zip] = process.argv.slice(2);
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

// Reloads `url` until `ready()` holds (the pages are server-rendered snapshots).
async function reloadUntil(url, ready, what) {
  for (let i = 0; i < 120; i++) {
    await page.goto(url);
    if (await ready()) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`gave up waiting for ${what}`);
}

// In the firm app (both apps share the host, so its session must be used before the
// operator signs in): a migration whose email worker will hit a storage fault.
async function startPoisoned() {
  step("a migration whose email worker hits a storage fault");
  await page.goto(`${web}/`);
  await page.getByLabel("New migration name").fill(`Poisoned ${Date.now()}`);
  await page.getByRole("button", { name: "Create migration" }).click();
  await page.getByText("Upload the export").waitFor();
  const job = new URL(page.url()).pathname.split("/").pop();
  await page.getByLabel("Export files").setInputFiles(zip);
  await page.locator("#analyse").waitFor({ timeout: 120000 });
  await page.locator("#analyse").click();
  await page.locator("#start").waitFor({ timeout: 180000 });
  await page.locator("#save-mapping").click();
  await page.locator("#start").waitFor();
  // The blob store is <data>/blobs; email attachments go under files/project-email/.
  const blocked = join(process.env.DATA_DIR, "blobs", "tenants", "demo", "jobs", job,
                       "files", "project-email");
  mkdirSync(dirname(blocked), { recursive: true });
  writeFileSync(blocked, "a file where a folder must go");
  await page.locator("#start").click();
  return { job, blocked };
}

async function redrivePoisoned({ job, blocked }) {
  step("the operator finds it in the project-email DLQ");
  await reloadUntil(`${adminWeb}/`, async () =>
    (await page.locator('a[href="/dlq/project-email"].warn').count()) > 0, "the project-email DLQ to fill");
  await shot("11-console-dlq-warning");
  await page.locator('a[href="/dlq/project-email"]').click();
  await page.getByRole("heading", { name: "Dead letters: project-email" }).waitFor();
  const row = page.locator("tbody tr").filter({ hasText: job });
  if ((await row.count()) !== 1) throw new Error(`the DLQ does not list job ${job}`);
  const cells = row.locator("td");
  const receives = (await cells.nth(2).innerText()).trim();
  const error = (await cells.nth(3).innerText()).trim();
  if (Number(receives) < 3) throw new Error(`receive count ${receives}, expected 3 or more`);
  if (!error.includes("project-email")) throw new Error(`last error does not name the blob: ${error}`);
  console.log(`dead letter: ${receives} receives, last error: ${error}`);
  await shot("12-dlq-before-redrive");

  step("the cause is removed and the operator redrives");
  rmSync(blocked, { force: true });
  let asked = "";
  page.once("dialog", async (d) => { asked = d.message(); await d.accept(); });
  await page.locator("#redrive-all").click();
  await page.waitForURL(`${adminWeb}/dlq/project-email`);
  if (!asked.includes("Move every message")) throw new Error(`no confirmation asked (${asked})`);
  await page.getByText("This dead-letter queue is empty.").waitFor();
  await shot("13-dlq-after-redrive");

  step("the job completes");
  const jobRow = () => page.locator("tbody tr").filter({ hasText: "Poisoned" });
  await reloadUntil(`${adminWeb}/`, async () =>
    (await jobRow().locator("td").nth(3).innerText()).trim() === "done", "the job to finish");
  if ((await page.locator('a[href="/dlq/project-email"].warn').count()) !== 0) throw new Error("the project-email DLQ is not empty");
  await shot("14-console-job-done");
}

try {
  step("sign in");
  await page.goto(`${web}/sign-in`);
  await shot("01-sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${web}/`);
  await shot("02-migrations-empty");

  step("create a migration");
  await page.getByLabel("New migration name").fill(`Browser test ${Date.now()}`);
  await page.getByRole("button", { name: "Create migration" }).click();
  await page.getByText("Upload the export").waitFor();

  step("upload the small sample");
  await page.getByLabel("Export files").setInputFiles(zip);
  await page.locator("#analyse").waitFor({ timeout: 120000 });
  await shot("03-uploaded");
  await page.locator("#analyse").click();

  step("review the mapping");
  await page.locator("#start").waitFor({ timeout: 180000 });
  await shot("04-mapping-review");
  await page.locator("#save-mapping").click();
  await page.locator("#start").waitFor();

  step("start and follow progress");
  await page.locator("#start").click();
  await page.locator("[data-progress]").waitFor();
  await page.waitForTimeout(1500);
  await shot("05-progress");
  await page.locator("#report-link").waitFor({ state: "visible", timeout: 600000 });
  await shot("06-done");

  step("download the canonical export and a correction file");
  const [zipDownload] = await Promise.all([page.waitForEvent("download"), page.locator("#export-link").click()]);
  const zipBytes = readFileSync(await zipDownload.path());
  if (zipBytes.length < 100 || zipBytes.subarray(0, 2).toString() !== "PK") throw new Error("the canonical export is not a zip");
  await page.getByRole("heading", { name: "Upload corrected rejects" }).waitFor();
  const [fixDownload] = await Promise.all([page.waitForEvent("download"), page.locator("#corrections-download").click()]);
  const fixText = readFileSync(await fixDownload.path(), "utf8");
  if (!fixText.split("\n")[0].includes("source_row,field,code,reason")) throw new Error("the correction file has no reject columns");
  // Sent back with nothing fixed, it is refused with the reason on the page.
  await page.locator("#corrections-file").setInputFiles(await fixDownload.path());
  await page.locator("#corrections-submit").click();
  await page.getByText("nothing to re-run").waitFor();
  await shot("06b-corrections-refused");

  step("open the report");
  await page.locator("#report-link").click();
  await page.waitForLoadState();
  await shot("07-report");
  await page.goBack();
  await page.getByRole("link", { name: "Browse records" }).click();
  await page.waitForLoadState();
  await shot("08-records");

  const poisoned = process.env.DATA_DIR ? await startPoisoned() : null;

  step("operator console");
  await page.goto(`${adminWeb}/sign-in`);
  await page.getByLabel("Email").fill(adminEmail);
  await page.getByLabel("Password").fill(adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${adminWeb}/`);
  await page.getByRole("heading", { name: "Queues" }).waitFor();
  await shot("09-console");
  await page.goto(`${adminWeb}/dlq/contacts`);
  await shot("10-dlq");

  if (poisoned) {
    await redrivePoisoned(poisoned);
  }
  console.log("browser test passed");
} catch (e) {
  await shot("failure").catch(() => {});
  console.error(`browser test failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
