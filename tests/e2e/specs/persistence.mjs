// Persistence specs: the workspace survives a reload and a browser restart (IndexedDB) without
// retraining, the History page lists and deletes runs, saved models round-trip to identical
// CSV exports, a model for another schema is refused with a message, and blocked or full
// storage shows a banner while the app keeps working in memory.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { expect, expectEq, loadSample, screenshot, statNumber, train } from "../helpers.mjs";

/** Resolves once the saved workspace in IndexedDB holds a model file (the autosave ran). */
async function waitForSavedModel(page) {
  await page.waitForFunction(
    () =>
      new Promise((ok) => {
        const req = indexedDB.open("netsift");
        req.onerror = () => ok(false);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("workspaces")) return ok(false);
          const get = db.transaction("workspaces").objectStore("workspaces").get("current");
          get.onsuccess = () => {
            const ws = get.result ? JSON.parse(get.result) : null;
            db.close();
            ok(Boolean(ws && ws.model_file && ws.summary));
          };
          get.onerror = () => ok(false);
        };
      }),
    null,
    { timeout: 60_000, polling: 250 },
  );
}

/** Waits for the restored result: the notice, then the cards with the job finished. */
async function waitForRestore(page) {
  await page.waitForSelector("#ns-restored", { timeout: 60_000 });
  await page.waitForSelector('[data-stat="anomalies"]', { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelector("#ns-progress")?.dataset.kind === "idle", null, {
    timeout: 120_000,
  });
}

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return { name: d.suggestedFilename(), path: await d.path() };
}

/** Registers this file's specs. */
export default function register(spec) {
  spec("persistence: reload restores the results without a Train job", async ({ page, log }) => {
    await page.goto("/");
    await loadSample(page);
    await train(page);
    const anomalies = await statNumber(page, "anomalies");
    await page.click("#ns-theme");
    await waitForSavedModel(page);
    await page.reload();
    await waitForRestore(page);
    expectEq(await statNumber(page, "anomalies"), anomalies, "anomalies after reload");
    expectEq(await statNumber(page, "rows"), 1000, "rows after reload");
    // The Train path marks `ns-result-received`; the restore path scores the saved model.
    const trained = await page.evaluate(() => performance.getEntriesByName("ns-result-received").length);
    expectEq(trained, 0, "Train answers after reload");
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    expectEq(theme, "light", "theme after reload");
    const notice = await page.locator("#ns-restored").innerText();
    expect(/Restored workspace from \d{4}-\d\d-\d\d \d\d:\d\d/.test(notice), `notice text (${notice})`);
    await screenshot(page, "persistence-restored");
    log(`anomalies ${anomalies} before and after reload`);

    // History: one run with the same count; delete it.
    await page.click("#ns-tab-history");
    await page.waitForSelector("#ns-history-runs tbody tr[data-run]");
    const runs = await page.locator("#ns-history-runs tbody tr[data-run]").count();
    expectEq(runs, 1, "runs in the history (the restore is not a new run)");
    const n = Number(await page.locator("#ns-history-runs tbody tr[data-run] td[data-anomalies]").first().innerText());
    expectEq(n, anomalies, "history anomalies vs card");
    await page.locator("#ns-history-runs tbody tr[data-run] button", { hasText: "Anomalies" }).first().click();
    const listed = await page.locator("#ns-history-anomalies tbody tr").count();
    expectEq(listed, Math.min(100, anomalies), "anomalies listed for the run");
    await page.check('input[data-severity="high"]');
    const high = await page.locator("#ns-history-anomalies tbody tr").count();
    expect(high <= listed, `severity filter narrows the list (${high} of ${listed})`);
    await screenshot(page, "persistence-history");
    // The severity filter also hides runs without high-severity anomalies: clear it to delete.
    await page.uncheck('input[data-severity="high"]');
    await page.waitForSelector("#ns-history-runs tbody tr[data-run]");
    await page.locator(".ns-history__delete").first().click();
    await page.waitForSelector("#ns-history-empty");

    // Start fresh forgets the workspace.
    await page.click("#ns-start-fresh");
    await page.waitForLoadState("load");
    await page.waitForTimeout(1500);
    expectEq(await page.locator("#ns-restored").count(), 0, "no restore notice after Start fresh");
    expectEq(await page.locator('[data-stat="anomalies"]').count(), 0, "no result after Start fresh");
  });

  spec("persistence: export model → import on the same data → identical CSV", async ({ page }) => {
    await page.goto("/");
    await loadSample(page);
    await train(page);
    const anomalies = await statNumber(page, "anomalies");
    const csv1 = await readFile((await download(page, "#ns-download-csv")).path);
    await page.click("#ns-tab-history");
    const model = await download(page, "#ns-export-model");
    expect(/\.json$/.test(model.name), `model file name (${model.name})`);
    const doc = JSON.parse(await readFile(model.path, "utf8"));
    expectEq(doc.format, "netsift-model", "model file format");
    expect(Array.isArray(doc.feature_schema) && doc.feature_schema.length > 0, "feature schema in the file");
    expect(/^[0-9a-f]{64}$/.test(doc.content_sha256), "content hash in the file");
    const scored = () => page.evaluate(() => performance.getEntriesByName("ns-model-scored").length);
    const before = await scored();
    await page.setInputFiles("#ns-import-model", model.path);
    await page.waitForFunction((n) => performance.getEntriesByName("ns-model-scored").length > n, before, {
      timeout: 120_000,
    });
    await page.click("#ns-tab-analyze");
    await page.waitForSelector('[data-stat="anomalies"]');
    expectEq(await statNumber(page, "anomalies"), anomalies, "anomalies after import");
    const csv2 = await readFile((await download(page, "#ns-download-csv")).path);
    expect(csv1.equals(csv2), `CSV exports identical (${csv1.length} vs ${csv2.length} bytes)`);

    // The same model on data of another schema: a clear message, no result change.
    const dir = await mkdtemp(join(tmpdir(), "ns-other-"));
    const other = join(dir, "other.csv");
    const lines = ["alpha,beta,gamma"];
    for (let i = 0; i < 100; i++) lines.push(`${i},${i * 2 % 7},${i % 3}`);
    await writeFile(other, lines.join("\n") + "\n");
    await page.setInputFiles("#ns-file", other);
    await page.waitForFunction(() => document.querySelector("#ns-dataset-facts")?.innerText.includes("100"), null, {
      timeout: 60_000,
    });
    await page.click("#ns-tab-history");
    await page.setInputFiles("#ns-import-model", model.path);
    await page.waitForSelector("#ns-error", { timeout: 60_000 });
    const msg = await page.locator("#ns-error").innerText();
    expect(/cannot score this data/.test(msg) && /missing column/.test(msg), `schema message (${msg})`);
    await screenshot(page, "persistence-wrong-schema");
    await rm(dir, { recursive: true, force: true });
  });

  spec("persistence: blocked storage → banner, the app still trains", async ({ page }) => {
    await page.goto("/?storage=fail");
    await page.waitForSelector("#ns-storage-banner");
    const text = await page.locator("#ns-storage-banner").innerText();
    expect(/unavailable/.test(text) && /in memory/.test(text), `blocked banner (${text})`);
    await loadSample(page);
    await train(page);
    expect((await statNumber(page, "anomalies")) > 0, "trained in memory");
    await screenshot(page, "persistence-blocked");
  });

  spec("persistence: full storage → banner, the app still trains", async ({ page }) => {
    await page.goto("/?storage=full");
    await loadSample(page);
    await train(page);
    await page.waitForSelector("#ns-storage-banner", { timeout: 10_000 });
    const text = await page.locator("#ns-storage-banner").innerText();
    expect(/full/.test(text) && /memory/.test(text), `full banner (${text})`);
    expect((await statNumber(page, "anomalies")) > 0, "result shown");
  });

  spec("persistence: browser restart keeps the workspace (persistent profile)", async ({ origin }) => {
    const dir = await mkdtemp(join(tmpdir(), "ns-profile-"));
    const launch = () =>
      chromium.launchPersistentContext(dir, {
        executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        baseURL: origin,
        viewport: { width: 1280, height: 800 },
      });
    const errors = [];
    try {
      let ctx = await launch();
      let page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto("/");
      await loadSample(page);
      await train(page);
      const anomalies = await statNumber(page, "anomalies");
      await waitForSavedModel(page);
      await ctx.close();
      ctx = await launch();
      page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto("/");
      await waitForRestore(page);
      expectEq(await statNumber(page, "anomalies"), anomalies, "anomalies after a browser restart");
      await ctx.close();
      expectEq(errors.length, 0, `page errors (${errors.join("; ")})`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
