// The NSL-KDD benchmark in the browser: the built site (dist/) in headless Chromium, the data
// loaded through the page's own file inputs (`?bench` panel), timings taken inside the worker
// with performance.now(). Prints the page's JSON lines, then — when the native CLI is built
// (target/release/netsift-cli) — runs it on the same files and prints one ratio line per model:
// {"protocol","model","wasm_fit_s","native_fit_s","fit_ratio","wasm_score_s","native_score_s","score_ratio"}.
//
//   node tests/e2e/bench.mjs [DIR]      (DIR defaults to ../shared/data/nsl-kdd)
//
// Exits 0 with a notice when the data folder is absent.

import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serve } from "./lib.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = resolve(ROOT, process.env.DIST ?? "dist");
const DATA = resolve(ROOT, process.argv[2] ?? "../shared/data/nsl-kdd");
const TRAIN = join(DATA, "KDDTrain+.txt");
const TEST = join(DATA, "KDDTest+.txt");

if (!existsSync(TRAIN) || !existsSync(TEST)) {
  console.error(`bench: NSL-KDD not found in ${DATA} (need KDDTrain+.txt and KDDTest+.txt); nothing to benchmark`);
  process.exit(0);
}
if (!existsSync(join(DIST, "index.html"))) {
  console.error(`bench: no built site in ${DIST}; run \`make build\` first`);
  process.exit(1);
}

const server = await serve(DIST);
const browser = await launchChromium();
let lines;
try {
  const page = await browser.newPage();
  const foreign = [];
  page.on("request", (r) => {
    if (new URL(r.url()).origin !== `http://127.0.0.1:${server.address().port}`) foreign.push(r.url());
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/?bench`);
  await page.setInputFiles("#bench-train", TRAIN);
  await page.setInputFiles("#bench-test", TEST);
  const started = Date.now();
  await page.click("#bench-run");
  await page.waitForSelector('#bench-output[data-done="true"]', { timeout: 20 * 60_000 });
  console.error(`bench: browser run took ${((Date.now() - started) / 1000).toFixed(1)} s wall (both protocols, loading included)`);
  const text = await page.locator("#bench-output").innerText();
  lines = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  if (foreign.length) throw new Error(`requests to other origins: ${foreign.join(", ")}`);
} finally {
  await browser.close();
  server.close();
}
for (const l of lines) console.log(JSON.stringify({ ...l, where: "browser" }));

const cli = join(ROOT, "target/release/netsift-cli");
if (!existsSync(cli)) {
  console.error("bench: target/release/netsift-cli not built (`make cli`); no wasm/native ratios");
  process.exit(0);
}
const native = execFileSync(cli, ["bench", "nsl-kdd", DATA], { encoding: "utf8", maxBuffer: 1 << 26 })
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const ratio = (a, b) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
for (const w of lines) {
  const n = native.find((x) => x.protocol === w.protocol && x.model === w.model);
  if (!n) continue;
  console.log(
    JSON.stringify({
      protocol: w.protocol,
      model: w.model,
      wasm_fit_s: w.fit_s,
      native_fit_s: n.fit_s,
      fit_ratio: ratio(w.fit_s, n.fit_s),
      wasm_score_s: w.score_s,
      native_score_s: n.score_s,
      score_ratio: ratio(w.score_s, n.score_s),
    }),
  );
}
