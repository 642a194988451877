// Shipping specs: the built site as users meet it. dist/ served under a nested path of a plain
// static server; offline after one ordinary visit (the service worker registers for every
// visitor, no test switch); a new build offered, not mixed in; demo links that never touch the
// saved workspace. (Every spec also fails on any Content-Security-Policy violation: run.mjs.)

import { readFile } from "node:fs/promises";
import { FIXTURE, SUBPATH, expect, expectEq, screenshot, statNumber, train } from "../helpers.mjs";

const DRAWN = '#ns-timeline[data-state="drawn"] .main-svg';

/** Waits until the service worker is active (it activates once every file is stored). */
async function swReady(page) {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return { scope: reg.scope, caches: await caches.keys() };
  });
}

/** The URLs (relative to the scope) stored in the app's one cache. */
async function cachedFiles(page) {
  return page.evaluate(async () => {
    const [name] = (await caches.keys()).filter((k) => k.startsWith("netsift-"));
    const scope = (await navigator.serviceWorker.ready).scope;
    const keys = await (await caches.open(name)).keys();
    return keys.map((r) => r.url.slice(scope.length)).sort();
  });
}

/** Waits until the saved workspace (IndexedDB) exists; returns its JSON text. */
async function savedWorkspace(page) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = await page.evaluate(
      () =>
        new Promise((done) => {
          const req = indexedDB.open("netsift");
          req.onerror = () => done(null);
          req.onsuccess = () => {
            const db = req.result;
            if (!db.objectStoreNames.contains("workspaces")) {
              db.close();
              return done(null);
            }
            const get = db.transaction("workspaces").objectStore("workspaces").get("current");
            get.onsuccess = () => {
              db.close();
              done(typeof get.result === "string" ? get.result : null);
            };
            get.onerror = () => done(null);
          };
        }),
    );
    if (text && JSON.parse(text).model_file) return text;
    expect(Date.now() < deadline, "the workspace was saved");
    await page.waitForTimeout(250);
  }
}

export default function register(spec) {
  spec("deploy: dist/ under a nested path of a plain static server runs the demo, no 404", async ({ page, served, log }) => {
    await page.goto(`${SUBPATH}?demo`);
    await page.waitForSelector(DRAWN, { timeout: 120_000 });
    expectEq(await statNumber(page, "rows"), 1000, "rows card");
    expect((await statNumber(page, "anomalies")) > 0, "anomalies found");
    const { scope } = await swReady(page);
    expect(scope.endsWith(SUBPATH), `the service worker's scope is the sub-path (${scope})`);
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]').href;
      return { href, json: await (await fetch(href)).json() };
    });
    expect(manifest.href.endsWith(`${SUBPATH}manifest.webmanifest`), `manifest under the sub-path (${manifest.href})`);
    expect(manifest.json.icons.some((i) => i.sizes === "512x512"), "the manifest lists a 512 px icon");
    const all = served();
    const missing = all.filter((r) => r.status >= 400);
    expectEq(missing.length, 0, `requests that failed: ${JSON.stringify(missing)}`);
    const outside = all.filter((r) => !r.path.startsWith(SUBPATH));
    expectEq(outside.length, 0, `requests outside ${SUBPATH}: ${JSON.stringify(outside)}`);
    log(`${all.length} requests, all under ${SUBPATH}, none failed`);
    await screenshot(page, "deploy-subpath");
  });

  spec("offline after one visit: go offline, reload, load a file, train, export", async ({ page, context, served, log }) => {
    // One ordinary visit: open the page and let it settle. No reload, no test switch.
    await page.goto("/");
    await page.waitForSelector("#ns-load-sample");
    const { caches } = await swReady(page);
    expectEq(caches.length, 1, `one cache (${caches})`);
    const files = await cachedFiles(page);
    for (const f of ["index.html", "worker.js", "worker_bg.wasm", "worker-loader.js", "vendor/plotly-strict.min.js", "manifest.webmanifest"]) {
      expect(files.includes(f), `${f} is stored at install (stored: ${files.join(", ")})`);
    }
    expect(files.some((f) => /^netsift-.*_bg\.wasm$/.test(f)), "the app's wasm is stored");
    expect(files.some((f) => /^start-.*\.js$/.test(f)), "the start-up script is stored");
    log(`stored at install: ${files.length} files`);

    await context.setOffline(true);
    const before = served().length;
    await page.reload();
    await page.waitForSelector("#ns-load-sample", { timeout: 30_000 });
    await page.setInputFiles("#ns-file", FIXTURE);
    await page.waitForSelector("#ns-dataset-facts", { timeout: 30_000 });
    expectEq(await statNumber(page, "dataset-rows"), 200, "a file loads offline");
    await train(page);
    expect((await statNumber(page, "anomalies")) > 0, "training works offline");
    const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click("#ns-download-csv")]);
    const csv = await readFile(await dl.path(), "utf8");
    expect(csv.split("\n").length > 2, "the CSV export works offline");
    expectEq(served().length, before, "nothing reached the server while offline");
    await screenshot(page, "offline-after-one-visit");
    await context.setOffline(false);
  });

  spec("update: a new build is offered ('A new version is available'), not mixed in", async ({ page, setTransform }) => {
    await page.goto("/");
    await page.waitForSelector("#ns-load-sample");
    const [old] = (await swReady(page)).caches;
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    // A new deployment: the server now has a build whose version differs.
    setTransform((path, body) =>
      path === "sw.js" ? Buffer.from(body.toString().replace(/"version":"([0-9a-f]+)"/, '"version":"$1next"')) : undefined,
    );
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    await page.waitForSelector("#ns-update", { timeout: 30_000 });
    expect((await page.innerText("#ns-update")).includes("A new version is available"), "the offer's text");
    // Until the analyst accepts, the page keeps running on the old build.
    const still = await page.evaluate(() => caches.keys());
    expect(still.includes(old), "the old build's cache stays while the page uses it");
    await screenshot(page, "update-offer");
    await Promise.all([page.waitForEvent("load", { timeout: 30_000 }), page.click("#ns-update-reload")]);
    await page.waitForSelector("#ns-load-sample");
    const after = await page.evaluate(() => caches.keys());
    expectEq(JSON.stringify(after), JSON.stringify([`${old}next`]), "after the reload: only the new build's cache");
    expectEq(await page.locator("#ns-update").count(), 0, "no offer after the reload");
  });

  spec("demo: ?demo runs in its own unsaved workspace; the saved one is untouched", async ({ page }) => {
    await page.goto("/");
    await page.setInputFiles("#ns-file", FIXTURE);
    await page.waitForSelector("#ns-dataset-facts", { timeout: 30_000 });
    await train(page);
    const saved = await savedWorkspace(page);
    const anomalies = await statNumber(page, "anomalies");

    await page.goto("/?demo=flows&rows=3000&seed=7&anomalies=10");
    await page.waitForSelector(DRAWN, { timeout: 120_000 });
    expectEq(await statNumber(page, "rows"), 3000, "the demo's rows= is used");
    const banner = await page.innerText("#ns-demo-banner");
    expect(banner.includes("Demo data — not saved; your workspace is untouched"), `banner: ${banner}`);
    expect(banner.includes("seed 7") && banner.includes("10 %"), `banner names the parameters: ${banner}`);
    await screenshot(page, "demo-banner");
    await page.waitForTimeout(1_000); // longer than the autosave's debounce
    expectEq(await savedWorkspace(page), saved, "the saved workspace after the demo");

    await page.goto("/?demo=capture&seed=3");
    await page.waitForSelector(DRAWN, { timeout: 120_000 });
    expect((await statNumber(page, "rows")) > 100, "the capture demo has flows");
    await page.click("#ns-tab-network");
    await page.waitForSelector('#ns-net-status[data-state="ready"]', { timeout: 60_000 });
    expect((await page.locator("#ns-alerts tbody tr").count()) > 0, "the capture demo raises rule alerts");
    await screenshot(page, "demo-capture-network");
    await page.waitForTimeout(1_000);
    expectEq(await savedWorkspace(page), saved, "the saved workspace after the capture demo");

    // Back to the workspace: restored as it was.
    await page.goto("/");
    await page.waitForSelector("#ns-restored", { timeout: 60_000 });
    await page.waitForSelector('[data-stat="anomalies"]', { timeout: 120_000 });
    expectEq(await statNumber(page, "dataset-rows"), 200, "the saved data is back");
    expectEq(await statNumber(page, "anomalies"), anomalies, "the saved result is back");
    expectEq(await page.locator("#ns-demo-banner").count(), 0, "no demo banner on the workspace");
  });
}
