// Helpers shared by the e2e specs (tests/e2e/specs/*.mjs). Import what you need:
//   import { expect, expectEq, loadSample, train, screenshot, FIXTURES } from "../helpers.mjs";

import { mkdir } from "node:fs/promises";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST = resolve(ROOT, process.env.DIST ?? "dist");
export const ARTIFACTS = resolve(ROOT, process.env.ARTIFACTS ?? "artifacts");
export const FIXTURES = join(ROOT, "tests/fixtures");
export const FIXTURE = join(FIXTURES, "seed001_200.csv");
/** The nested path the runner's server also serves dist/ under (a sub-path deployment). */
export const SUBPATH = "/a/b/netsift/";


export class Failure extends Error {}

export function expect(cond, message) {
  if (!cond) throw new Failure(message);
}

export function expectEq(actual, expected, what) {
  if (actual !== expected) throw new Failure(`${what}: expected ${expected}, got ${actual}`);
}

/** Reads a stat card's number ("1 000" → 1000). */
export async function statNumber(page, name) {
  const text = await page.locator(`[data-stat="${name}"]`).first().innerText();
  return Number(text.replace(/[\s\u202f\u00a0]/g, ""));
}

export async function loadSample(page) {
  await page.click("#ns-load-sample");
  await page.waitForSelector("#ns-dataset-facts", { timeout: 30_000 });
  return statNumber(page, "dataset-rows");
}

export async function train(page) {
  await page.evaluate(() => performance.mark("ns-train-start"));
  await page.click("#ns-train");
  // The job ends when the result arrives; the chart is drawn right after.
  await page.waitForFunction(
    () => document.querySelector("#ns-progress")?.dataset.kind === "idle",
    null,
    { timeout: 120_000, polling: 10 },
  );
  await page.evaluate(() => performance.mark("ns-train-end"));
  await page.waitForSelector('#ns-timeline[data-state="drawn"] .main-svg', { timeout: 60_000 });
  await page.evaluate(() => performance.mark("ns-render-end"));
}

/** Markers per timeline trace, in trace order (normal, low, medium, high). */
export async function markersPerTrace(page) {
  return page.$$eval("#ns-timeline .scatterlayer .trace", (traces) =>
    traces.map((t) => t.querySelectorAll(".point").length),
  );
}

/** Long tasks (ms) on the main thread between two marks. */
export async function longTasksBetween(page, from, to) {
  return page.evaluate(([from, to]) => {
    const s = performance.getEntriesByName(from).at(-1);
    const e = performance.getEntriesByName(to).at(-1);
    return (window.__nsLongTasks ?? [])
      .filter((t) => t.startTime + t.duration >= s.startTime && t.startTime <= e.startTime)
      .map((t) => Math.round(t.duration));
  }, [from, to]);
}

export function parseCsv(text) {
  // Enough for our exports: quoted cells may hold commas, quotes are doubled.
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}


/** Sets a range input as a user dragging it would (fires `input`). */
export async function setRange(page, selector, value) {
  await page.$eval(
    selector,
    (el, v) => {
      el.value = v;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    String(value),
  );
}
