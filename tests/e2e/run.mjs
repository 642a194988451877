// End-to-end tests of the built site (dist/) in headless Chromium through playwright-core.
//
//   node tests/e2e/run.mjs            (after `trunk build --release`)
//
// Specs live in tests/e2e/specs/*.mjs (one file per area, each exporting `register(spec)`;
// shared helpers in helpers.mjs). Starts its own static server on 127.0.0.1 (ephemeral port; the
// site at / and at SUBPATH), runs every spec in a fresh browser context, records every request
// (any request to another origin fails the spec), fails on page errors, console errors and
// Content-Security-Policy violations, writes screenshots to artifacts/, and prints
// `N passed, M failed` alone on the last line. Exit code 1 when anything failed.
//
// Env: CHROMIUM (default /usr/bin/chromium), DIST (default dist), ARTIFACTS (default artifacts),
//      SPEC (run only specs whose name contains this string).

import { readdir, writeFile, stat } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium, serve } from "./lib.mjs";
import { ARTIFACTS, DIST, Failure, SUBPATH, expect, screenshot } from "./helpers.mjs";

// Every file in specs/ registers its specs (alphabetical file order, then declaration order).
const specs = [];
const spec = (name, fn) => specs.push({ name, fn });
const SPECS_DIR = join(dirname(fileURLToPath(import.meta.url)), "specs");
for (const file of (await readdir(SPECS_DIR)).filter((f) => f.endsWith(".mjs")).sort()) {
  const mod = await import(pathToFileURL(join(SPECS_DIR, file)).href);
  mod.default(spec);
}

// ---------------------------------------------------------------------------------------------
// runner

async function main() {
  await stat(join(DIST, "index.html")).catch(() => {
    console.error(`no ${DIST}/index.html: run \`trunk build --release\` first`);
    process.exit(2);
  });
  // The site at the root and, as a static host with a sub-path deployment serves it, under
  // SUBPATH (the deploy spec). Every response is recorded for the running spec.
  let served = [];
  let transform;
  const server = await serve(DIST, {
    prefixes: ["/", SUBPATH],
    onRequest: (path, status) => served.push({ path, status }),
    transform: (path, body) => transform?.(path, body),
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  let passed = 0;
  let failed = 0;
  let cspViolations = 0;
  const only = process.env.SPEC;
  for (const { name, fn } of specs) {
    if (only && !name.includes(only)) continue;
    const context = await browser.newContext({
      baseURL: origin,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    const problems = [];
    // Content-Security-Policy: every violation fails the spec (index.html's policy must hold for
    // everything the app does). Reported from every document through an exposed binding.
    await context.exposeBinding("__nsCspViolation", (_source, what) => {
      cspViolations++;
      problems.push(`CSP violation: ${what}`);
    });
    await context.addInitScript(() => {
      addEventListener("securitypolicyviolation", (e) => {
        const where = e.sourceFile ? ` (${e.sourceFile}:${e.lineNumber})` : "";
        window.__nsCspViolation?.(`${e.effectiveDirective} blocked ${e.blockedURI || "an inline source"}${where}`);
      });
    });
    const page = await context.newPage();
    // Record long tasks from the start (buffered) for the whole page life.
    await page.addInitScript(() => {
      window.__nsLongTasks = [];
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__nsLongTasks.push({ startTime: e.startTime, duration: e.duration });
        }).observe({ type: "longtask", buffered: true });
      } catch {}
    });
    const ignored = [];
    const requests = [];
    context.on("request", (req) => {
      const url = req.url();
      requests.push(url);
      if (url.startsWith("data:") || url.startsWith("blob:" + origin)) return;
      if (new URL(url).origin !== origin) problems.push(`request to another origin: ${url}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const text = msg.text();
      if (/Failed to load resource.*ERR_INTERNET_DISCONNECTED/.test(text)) return;
      if (ignored.some((re) => re.test(text))) return;
      problems.push(`console error: ${text}`);
    });
    const logs = [];
    served = [];
    transform = undefined;
    const started = Date.now();
    try {
      await fn({
        page,
        context,
        origin,
        log: (m) => logs.push(m),
        served: () => served,
        // Replaces what the server sends from now on: `(path, body) => Buffer | undefined`
        // (a spec simulates a new deployment with it).
        setTransform: (fn) => {
          transform = fn;
        },
        ignoreConsole: (re) => ignored.push(re),
      });
      expect(problems.length === 0, problems.join("\n    "));
      passed++;
      console.log(`ok   ${name} (${Date.now() - started} ms, ${requests.length} requests)`);
    } catch (err) {
      failed++;
      console.log(`FAIL ${name}\n    ${err instanceof Failure ? err.message : err.stack}`);
      if (problems.length) console.log(`    also: ${problems.join("\n    ")}`);
      await screenshot(page, `failed-${name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40)}`).catch(() => {});
    }
    for (const m of logs) console.log(`     ${m}`);
    await context.close();
  }
  await browser.close();
  server.close();
  await writeFile(join(ARTIFACTS, "e2e-summary.txt"), `${passed} passed, ${failed} failed\n`).catch(() => {});
  console.log(`CSP violations: ${cspViolations}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
