// Persistence specs: the workspace survives a reload and a browser restart (IndexedDB) without
// retraining, the History page lists and deletes runs, saved models round-trip to identical
// CSV exports, a model for another schema is refused with a message, and blocked or full
// storage shows a banner while the app keeps working in memory.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { expect, expectEq, loadSample, screenshot, setRange, statNumber, train } from "../helpers.mjs";

/** Resolves once the JSON document `key` of IndexedDB store `store` satisfies `check`. The check
 *  runs here, in Node: the page's CSP allows no `new Function`. */
async function waitForStored(page, store, key, check, what) {
  const deadline = Date.now() + 60_000;
  let ok = false;
  while (!ok && Date.now() < deadline) {
    const text = await page
      .evaluate(
        ([store, key]) =>
          new Promise((done) => {
            const req = indexedDB.open("netsift");
            req.onerror = () => done(null);
            req.onsuccess = () => {
              const db = req.result;
              if (!db.objectStoreNames.contains(store)) {
                db.close();
                return done(null);
              }
              const get = db.transaction(store).objectStore(store).get(key);
              get.onsuccess = () => {
                db.close();
                done(typeof get.result === "string" ? get.result : null);
              };
              get.onerror = () => done(null);
            };
          }),
        [store, key],
      )
      .catch(() => null);
    ok = Boolean(text && check(JSON.parse(text)));
    if (!ok) await page.waitForTimeout(250);
  }
  expect(ok, `the autosave stored ${what}`);
}

/** Resolves once the saved workspace satisfies `check` (`(ws) => bool`). */
async function waitForWorkspace(page, check, what) {
  await waitForStored(page, "workspaces", "current", check, what);
}

/** Resolves once the saved workspace in IndexedDB holds a model file (the autosave ran). */
async function waitForSavedModel(page) {
  await waitForWorkspace(page, (ws) => Boolean(ws.model_file && ws.summary), "a model and a summary");
}

/** Ticks every detector (the default; kept explicit because LOF is the one whose saved model used
 *  to score differently). */
async function enableAllDetectors(page) {
  for (const id of ["one_class_svm", "lof", "autoencoder"]) {
    const box = page.locator(`#ns-det-${id}`);
    if (!(await box.isChecked())) await box.check();
  }
}

const ANOM_ROWS = "#ns-anom-table tbody tr[data-row]";

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
    // The theme is saved by the next (debounced) autosave, maybe after the model.
    await waitForStored(page, "meta", "ui", (ui) => ui.theme === "light", "the light theme");
    await page.reload();
    await waitForRestore(page);
    expectEq(await statNumber(page, "anomalies"), anomalies, "anomalies after reload");
    expectEq(await statNumber(page, "rows"), 1000, "rows after reload");
    // The Train path marks `ns-result-received`; the restore path scores the saved model.
    const trained = await page.evaluate(() => performance.getEntriesByName("ns-result-received").length);
    expectEq(trained, 0, "Train answers after reload");
    // The restored theme is applied by an effect: give it a moment before reading it.
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light", null, { timeout: 5_000 }).catch(() => null);
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
    // Deleting the current run from the history keeps the workspace's anomalies, and they still
    // follow the threshold (they used to be read back from the deleted history entry: empty).
    await page.click("#ns-tab-analyze");
    await setRange(page, "#ns-threshold", "0.5");
    await page.waitForFunction((n) => Number(document.querySelector('[data-stat="anomalies"]')?.innerText.replace(/\D/g, "")) !== n, anomalies, { timeout: 10_000 });
    const atHalf = await statNumber(page, "anomalies");
    await waitForWorkspace(
      page,
      new Function("ws", `return ws.settings.threshold === 0.5 && ws.anomalies.length === ${atHalf}`),
      `${atHalf} anomalies at threshold 0.5 after the run was deleted from the history`,
    );
    await page.click("#ns-tab-history");
    await page.waitForSelector("#ns-history-empty");
    log(`after deleting the run: ${atHalf} anomalies stored at threshold 0.5 (${anomalies} at the vote)`);

    // Start fresh forgets the workspace.
    await page.click("#ns-start-fresh");
    await page.waitForLoadState("load");
    await page.waitForTimeout(1500);
    expectEq(await page.locator("#ns-restored").count(), 0, "no restore notice after Start fresh");
    expectEq(await page.locator('[data-stat="anomalies"]').count(), 0, "no result after Start fresh");
  });

  spec("persistence: train, give feedback, reload → verdicts, rules, threshold, settings, page, counts as they were", async ({ page, log }) => {
    await page.goto("/");
    await loadSample(page);
    await enableAllDetectors(page);
    await setRange(page, "#ns-contamination", "0.12");
    await page.fill("#ns-train-seed", "7");
    await train(page);
    const voteCount = await statNumber(page, "anomalies");

    // Feedback: two false positives, one true positive, one suppression rule.
    await page.click("#ns-tab-anomalies");
    await page.waitForSelector(ANOM_ROWS, { timeout: 30_000 });
    const rows = await page.$$eval(ANOM_ROWS, (trs) => trs.slice(0, 4).map((t) => Number(t.dataset.row)));
    expect(rows.length === 4, `four alerts to review (${rows.length})`);
    for (const r of rows.slice(0, 2)) await page.check(`${ANOM_ROWS}[data-row="${r}"] input[type=checkbox]`);
    await page.click("#ns-mark-fp");
    await page.waitForFunction(() => document.querySelector('[data-stat="fb-fp"]')?.textContent === "2");
    await page.check(`${ANOM_ROWS}[data-row="${rows[2]}"] input[type=checkbox]`);
    await page.click("#ns-mark-tp");
    await page.waitForFunction(() => document.querySelector('[data-stat="fb-tp"]')?.textContent === "1");
    await page.locator(`${ANOM_ROWS}[data-row="${rows[3]}"]`).click();
    await page.waitForSelector("#ns-suppress-similar:not([disabled])");
    await page.click("#ns-suppress-similar");
    await page.waitForSelector("#ns-rules li.ns-anom__rule");
    const ruleBefore = await page.$eval("#ns-rules li.ns-anom__rule", (e) => e.textContent);

    // The analyst's threshold, above the vote decision's lowest flagged score.
    await page.click("#ns-tab-analyze");
    await setRange(page, "#ns-threshold", "0.6");
    await page.waitForFunction(() => /0\.600/.test(document.querySelector("#ns-threshold-note")?.textContent ?? ""));
    const threshold = 0.6;
    const flagged = await statNumber(page, "anomalies");
    expect(flagged !== voteCount, `the threshold changes the count (${voteCount} by vote, ${flagged} at ≥ 0.6)`);
    const csvBefore = await readFile((await download(page, "#ns-download-csv")).path);
    await page.click("#ns-tab-anomalies");
    await waitForWorkspace(
      page,
      (ws) =>
        ws.model_file &&
        ws.feedback.length === 3 &&
        ws.suppressions.length === 1 &&
        ws.settings.threshold === 0.6 &&
        ws.summary?.threshold === 0.6 &&
        ws.run_id,
      "the feedback, the rule and the threshold",
    );
    log(`${voteCount} anomalies by vote, ${flagged} at score ≥ ${threshold}`);

    await page.reload();
    await page.waitForSelector("#ns-restored", { timeout: 60_000 });
    // The page that was open comes back (the #page= fragment), with the restored result.
    await page.waitForFunction(() => performance.getEntriesByName("ns-model-scored").length > 0, null, {
      timeout: 120_000,
    });
    await page.waitForSelector(ANOM_ROWS, { timeout: 60_000 });
    expectEq(await page.getAttribute("#ns-tab-anomalies", "aria-selected"), "true", "Anomalies tab selected after reload");
    const trained = await page.evaluate(() => performance.getEntriesByName("ns-result-received").length);
    expectEq(trained, 0, "Train answers after reload");
    await page.waitForFunction(() => document.querySelector('[data-stat="fb-fp"]')?.textContent === "2", null, { timeout: 10_000 }).catch(() => {});
    expectEq(await statNumber(page, "fb-fp"), 2, "false positives after reload");
    expectEq(await statNumber(page, "fb-tp"), 1, "true positives after reload");
    const rulesAfter = await page.$$eval("#ns-rules li.ns-anom__rule", (lis) => lis.map((l) => l.textContent));
    expectEq(rulesAfter.length, 1, "suppression rules after reload");
    expectEq(rulesAfter[0], ruleBefore, "the rule (name, conditions, matches) after reload");
    await page.waitForFunction((n) => document.querySelector('[data-stat="fb-anomalies"]')?.textContent.replace(/\s/g, "") === String(n), flagged, { timeout: 10_000 }).catch(() => {});
    expectEq(await statNumber(page, "fb-anomalies"), flagged, "flagged alerts on the Anomalies page (under the threshold)");

    await page.click("#ns-tab-analyze");
    await page.waitForSelector('[data-stat="anomalies"]');
    expectEq(Number(await page.inputValue("#ns-threshold")), threshold, "threshold slider after reload");
    expectEq(await statNumber(page, "anomalies"), flagged, "anomalies card after reload");
    for (const id of ["isolation_forest", "one_class_svm", "lof", "autoencoder"]) {
      expect(await page.isChecked(`#ns-det-${id}`), `detector ${id} still ticked`);
    }
    expectEq(Number(await page.inputValue("#ns-contamination")), 0.12, "contamination after reload");
    expectEq(await page.inputValue("#ns-train-seed"), "7", "seed after reload");
    // Every score of the restored model (LOF included) is what training gave.
    const csvAfter = await readFile((await download(page, "#ns-download-csv")).path);
    expect(csvBefore.equals(csvAfter), `CSV export identical after reload (${csvBefore.length} vs ${csvAfter.length} bytes)`);
    await screenshot(page, "persistence-threshold-restored");

    // The history entry counts the anomalies under the threshold, and names it.
    await page.click("#ns-tab-history");
    await page.waitForSelector("#ns-history-runs tbody tr[data-run]");
    expectEq(await page.locator("#ns-history-runs tbody tr[data-run]").count(), 1, "one run in the history");
    const cell = page.locator("#ns-history-runs tbody tr[data-run] td[data-anomalies]").first();
    expectEq(Number(await cell.innerText()), flagged, "history anomalies == anomalies under the threshold");
    expectEq(
      Number(await page.getAttribute("#ns-history-runs tbody tr[data-run] td[data-threshold]", "data-threshold")),
      threshold,
      "history run keeps its threshold",
    );
    await page.locator("#ns-history-runs tbody tr[data-run] button", { hasText: "Anomalies" }).first().click();
    expectEq(await page.locator("#ns-history-anomalies tbody tr").count(), Math.min(100, flagged), "stored anomalies under the threshold");
    await screenshot(page, "persistence-history-threshold");
  });

  spec("persistence: export model → import on the same data → identical CSV", async ({ page }) => {
    await page.goto("/");
    await loadSample(page);
    await enableAllDetectors(page);
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
    const requests = [];
    const watch = (ctx) =>
      ctx.on("request", (req) => {
        const url = req.url();
        requests.push(url);
        if (url.startsWith("data:") || url.startsWith("blob:" + origin)) return;
        if (new URL(url).origin !== origin) errors.push(`request to another origin: ${url}`);
      });
    try {
      let ctx = await launch();
      watch(ctx);
      let page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto("/");
      await loadSample(page);
      await train(page);
      const anomalies = await statNumber(page, "anomalies");
      await waitForSavedModel(page);
      await ctx.close();
      ctx = await launch();
      watch(ctx);
      page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto("/");
      await waitForRestore(page);
      expectEq(await statNumber(page, "anomalies"), anomalies, "anomalies after a browser restart");
      await ctx.close();
      expect(requests.length > 0, "requests were watched in the persistent profile");
      expectEq(errors.length, 0, `page errors or requests to another origin (${errors.join("; ")})`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
