// Issue #6, end to end: "retrain changes exactly the rows it should on a crafted data set".
// tests/fixtures/feedback/crafted.csv is the native test's `crafted()` table (200 normal rows, a
// benign 8-row cluster far away with no label, 6 scattered attacks); expected.json is the engine's
// own result on it with the same settings, written by the native test
// `feedback::the_e2e_retrain_fixture_is_crafted_and_its_expected_rows_hold` (NETSIFT_BLESS=1).
// The spec picks those settings in the page, marks the cluster false positive and the attacks
// true positive, retrains, and reads every row's flag from the table before and after.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FIXTURES, expect, expectEq, screenshot, setRange, statNumber, train } from "../helpers.mjs";

const DIR = join(FIXTURES, "feedback");
const TABLE_ROWS = "#ns-anom-table tbody tr[data-row]";

/** Every row of the table page as { row, flagged, verdict }, in row order. */
async function tableRows(page) {
  const rows = await page.$$eval(TABLE_ROWS, (trs) =>
    trs.map((t) => ({
      row: Number(t.dataset.row),
      flagged: !t.classList.contains("ns-anom__row--normal"),
      verdict: t.querySelector(".ns-anom__verdict")?.textContent ?? "",
    })),
  );
  return rows.sort((a, b) => a.row - b.row);
}

/** Waits until the table shows `n` rows whose flags differ from `previous` (or any, if null). */
async function waitRows(page, n, previous) {
  const key = (rows) => rows.map((r) => `${r.row}:${r.flagged}`).join(",");
  const deadline = Date.now() + 30_000;
  let rows = [];
  while (Date.now() < deadline) {
    rows = await tableRows(page);
    if (rows.length === n && (previous === null || key(rows) !== key(previous))) return rows;
    await page.waitForTimeout(50);
  }
  return rows;
}

const flaggedOf = (rows) => rows.filter((r) => r.flagged).map((r) => r.row);

/** Ticks the given rows' checkboxes and applies a bulk verdict; waits for the verdict count. */
async function markRows(page, rows, button, stat) {
  for (const r of rows) await page.check(`${TABLE_ROWS}[data-row="${r}"] input[type=checkbox]`);
  expect((await page.textContent("#ns-selected-count")).startsWith(String(rows.length)), `${rows.length} selected`);
  await page.click(button);
  await page.waitForFunction(
    ([s, n]) => document.querySelector(`[data-stat="${s}"]`)?.textContent === String(n),
    [stat, rows.length],
    { timeout: 30_000 },
  );
}

/** Registers this file's specs. */
export default function register(spec) {
  spec("retrain: on the crafted data set, exactly the false-positive cluster clears", async ({ page, log }) => {
    const want = JSON.parse(await readFile(join(DIR, "expected.json"), "utf8"));
    const cluster = want.cluster;
    const attacks = want.attacks;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto("/");
    await page.setInputFiles("#ns-file", join(DIR, "crafted.csv"));
    await page.waitForSelector("#ns-dataset-facts", { timeout: 30_000 });
    expectEq(await statNumber(page, "dataset-rows"), want.rows, "rows read from crafted.csv");

    // The native test's settings: LOF only, k = 5, 5 % expected anomalies, train on normal rows.
    if (await page.isChecked("#ns-det-isolation_forest")) await page.uncheck("#ns-det-isolation_forest");
    for (const id of ["one_class_svm", "autoencoder"]) {
      if (await page.isChecked(`#ns-det-${id}`)) await page.uncheck(`#ns-det-${id}`);
    }
    await page.check("#ns-det-lof");
    await page.click("#ns-params-lof > summary");
    await page.fill("#ns-param-lof-n_neighbors", String(want.k));
    await setRange(page, "#ns-contamination", want.contamination);
    expectEq(Number(await page.inputValue("#ns-contamination")), want.contamination, "contamination set");
    expect(!(await page.isDisabled("#ns-train-normal")), "train-on-normal enabled: the label column was found");
    await page.check("#ns-train-normal");
    expect(
      (await page.textContent("#ns-train-normal-why")).includes(`${want.train_rows_before} normal rows`),
      `trains on ${want.train_rows_before} normal rows`,
    );
    await train(page);
    expectEq(await statNumber(page, "anomalies"), want.anomalies_before, "anomalies before retraining (engine's count)");

    // Every row, flagged or not, on one page.
    await page.click("#ns-tab-anomalies");
    await page.waitForSelector(TABLE_ROWS, { timeout: 30_000 });
    await page.selectOption("#ns-page-size", "250");
    await page.selectOption("#ns-filter-scope", "all");
    const before = await waitRows(page, want.rows, null);
    expectEq(before.length, want.rows, "all rows in the table");
    const flaggedBefore = flaggedOf(before);
    expectEq(JSON.stringify(flaggedBefore), JSON.stringify(want.flagged_before), "flagged rows before == engine's");
    for (const r of [...cluster, ...attacks]) expect(flaggedBefore.includes(r), `row ${r + 1} starts flagged`);

    // Bulk verdicts: the cluster is a backup job (false positive), the scattered rows are attacks.
    await markRows(page, cluster, "#ns-mark-fp", "fb-fp");
    await markRows(page, attacks, "#ns-mark-tp", "fb-tp");
    const marked = await tableRows(page);
    for (const r of cluster) expectEq(marked[r].verdict, "false positive", `row ${r + 1} verdict`);
    for (const r of attacks) expectEq(marked[r].verdict, "true positive", `row ${r + 1} verdict`);
    expectEq(marked.filter((r) => r.verdict !== "").length, cluster.length + attacks.length, "no other row got a verdict");

    await page.click("#ns-retrain");
    await page.waitForSelector("#ns-retrain-diff", { timeout: 120_000 });
    const diff = await page.$eval("#ns-retrain-diff", (e) => ({ ...e.dataset }));
    log(`retrain diff: ${JSON.stringify(diff)}`);
    expectEq(Number(diff.before), want.anomalies_before, "diff: anomalies before");
    expectEq(Number(diff.after), want.anomalies_after, "diff: anomalies after");
    expectEq(Number(diff.cleared), cluster.length, "diff: no longer flagged == the cluster's size");
    expectEq(Number(diff.newly), want.newly_flagged.length, "diff: newly flagged");
    expectEq(Number(diff.fpStill), 0, "diff: no false positive still flagged");
    expect(
      (await page.textContent("#ns-retrain-diff")).includes(`${want.train_rows_before} → ${want.train_rows_after}`),
      "training rows before → after shown",
    );

    // Row by row, from the table of all rows after the retrained result arrived.
    const after = await waitRows(page, want.rows, before);
    expectEq(after.length, want.rows, "all rows in the table after retraining");
    const flaggedAfter = flaggedOf(after);
    const was = new Set(flaggedBefore);
    const now = new Set(flaggedAfter);
    const cleared = flaggedBefore.filter((r) => !now.has(r));
    const newly = flaggedAfter.filter((r) => !was.has(r));
    log(`cleared rows: ${cleared.map((r) => r + 1).join(", ")}; newly flagged: ${newly.map((r) => r + 1).join(", ") || "none"}`);
    expectEq(JSON.stringify(cleared), JSON.stringify(cluster), "exactly the cluster went from flagged to not flagged");
    for (const r of attacks) expect(now.has(r), `attack row ${r + 1} still flagged`);
    expect(newly.length <= 1, `at most one newly flagged row (${newly})`);
    expect(newly.every((r) => r < want.normal_rows), `newly flagged rows are normal rows (${newly})`);
    expectEq(JSON.stringify(newly), JSON.stringify(want.newly_flagged), "newly flagged == engine's");
    expectEq(JSON.stringify(flaggedAfter), JSON.stringify(want.flagged_after), "flagged rows after == engine's");
    expectEq(Number(diff.cleared), cleared.length, "diff count == rows the table shows cleared");
    expectEq(Number(diff.newly), newly.length, "diff count == rows the table shows newly flagged");
    // Verdicts survive the retrain.
    for (const r of cluster) expectEq(after[r].verdict, "false positive", `row ${r + 1} keeps its verdict`);

    await screenshot(page, "retrain-crafted");
    await page.click("#ns-tab-analyze");
    expectEq(await statNumber(page, "anomalies"), want.anomalies_after, "anomalies card shows the retrained result");
  });
}
