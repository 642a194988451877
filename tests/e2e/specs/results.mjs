// The results specs: stat cards vs exports vs table, the threshold (slider, keyboard, drag,
// reset) relabelling without a retrain, formula-safe CSV, timestamped file names, JSON counts,
// timestamps on the timeline, screenshots in both themes, and the 150k-row measurements.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FIXTURES, expect, expectEq, loadSample, longTasksBetween, markersPerTrace, parseCsv, screenshot, statNumber, train } from "../helpers.mjs";

const UNLABELLED = join(FIXTURES, "results/unlabelled_flows.csv");
const STAMP = /\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d/;

/** Clicks a download button; returns { name, text }. */
async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click(selector)]);
  return { name: dl.suggestedFilename(), text: await readFile(await dl.path(), "utf8") };
}

async function csvExport(page) {
  const { name, text } = await download(page, "#ns-download-csv");
  expect(new RegExp(`^netsift-anomalies-${STAMP.source}\\.csv$`).test(name), `CSV file name carries a timestamp (${name})`);
  const rows = parseCsv(text).filter((r) => r.join("") !== "");
  return { header: rows[0], rows: rows.slice(1) };
}

async function jsonExport(page) {
  const { name, text } = await download(page, "#ns-download-json");
  expect(new RegExp(`^netsift-result-${STAMP.source}\\.json$`).test(name), `JSON file name carries a timestamp (${name})`);
  return JSON.parse(text);
}

/** Records every data-kind the progress bar takes from now on (to prove no job ran). */
async function watchJobs(page) {
  await page.evaluate(() => {
    window.__nsKinds = [];
    const bar = document.querySelector("#ns-progress");
    new MutationObserver(() => window.__nsKinds.push(bar.dataset.kind)).observe(bar, { attributes: true });
  });
}

async function jobsSeen(page) {
  return page.evaluate(() => window.__nsKinds.filter((k) => k !== "idle"));
}

/** Waits for the charts to follow the threshold (debounced) and be redrawn. */
async function settle(page) {
  await page.waitForTimeout(400);
}

/** Flagged rows in the drawn charts, read from plotly's own data on the chart divs. */
async function chartCounts(page) {
  return page.evaluate(() => {
    const tl = document.getElementById("ns-timeline").data;
    const hist = document.getElementById("ns-score-hist").data;
    return {
      timelineFlagged: tl.filter((t) => t.name !== "normal").reduce((a, t) => a + t.x.length, 0),
      timelineAll: tl.reduce((a, t) => a + t.x.length, 0),
      histFlagged: hist[1].y.reduce((a, b) => a + b, 0),
      histAll: hist[0].y.reduce((a, b) => a + b, 0) + hist[1].y.reduce((a, b) => a + b, 0),
    };
  });
}

async function tableRows(page) {
  return page.locator("#ns-top-table tbody tr[data-row]").count();
}

async function checkConsistent(page, what) {
  const anomalies = await statNumber(page, "anomalies");
  const rows = await statNumber(page, "rows");
  const c = await chartCounts(page);
  expectEq(c.timelineAll, rows, `${what}: timeline points`);
  expectEq(c.timelineFlagged, anomalies, `${what}: flagged timeline points vs card`);
  expectEq(c.histAll, rows, `${what}: histogram rows`);
  expectEq(c.histFlagged, anomalies, `${what}: flagged histogram rows vs card`);
  await page.waitForFunction(
    (n) => document.querySelectorAll("#ns-top-table tbody tr[data-row]").length === n,
    Math.min(50, anomalies),
    { timeout: 10_000 },
  ).catch(() => {});
  expectEq(await tableRows(page), Math.min(50, anomalies), `${what}: top-table rows`);
  const { header, rows: csvRows } = await csvExport(page);
  expectEq(csvRows.length, anomalies, `${what}: CSV rows vs anomalies card`);
  for (const h of ["votes", "ensemble_score", "severity"]) expect(header.includes(h), `${what}: CSV has ${h} (${header})`);
  const json = await jsonExport(page);
  expectEq(json.summary.anomalies, anomalies, `${what}: JSON summary vs card`);
  expectEq(json.is_anomaly.filter(Boolean).length, anomalies, `${what}: JSON is_anomaly vs card`);
  expectEq(json.n_rows, rows, `${what}: JSON rows`);
  return { anomalies, json, header, csvRows };
}

/** Sets the slider through the keyboard and returns the new threshold. */
async function press(page, key, times = 1) {
  await page.focus("#ns-threshold");
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
  return Number(await page.inputValue("#ns-threshold"));
}

/** Milliseconds from an input event on the slider to the anomalies card showing the new count. */
async function relabelMs(page, value) {
  return page.evaluate(async (value) => {
    const input = document.getElementById("ns-threshold");
    const card = document.querySelector('[data-stat="anomalies"]');
    const before = card.textContent;
    const changed = new Promise((ok) => {
      const obs = new MutationObserver(() => {
        obs.disconnect();
        ok(performance.now());
      });
      obs.observe(card, { childList: true, characterData: true, subtree: true });
      setTimeout(() => ok(null), 2000);
    });
    const t0 = performance.now();
    input.value = String(value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const t1 = await changed;
    return t1 === null ? { ms: null, before, after: card.textContent } : { ms: t1 - t0, before, after: card.textContent };
  }, value);
}

export default function register(spec) {
  spec("results: cards, threshold slider/drag/reset and exports agree, no retrain (labelled sample)", async ({ page, log }) => {
    await page.goto("/");
    await loadSample(page);
    await train(page);
    await page.waitForSelector('#ns-score-hist[data-state="drawn"] .main-svg');
    await page.waitForSelector("#ns-top-table tbody tr[data-row]");
    expectEq(await statNumber(page, "rows"), 1000, "rows card");
    const vote = await checkConsistent(page, "vote decision");
    expectEq(vote.json.decision.rule, "vote", "JSON decision rule");
    expect(vote.anomalies > 50 && vote.anomalies < 300, `plausible anomalies at 15 % (${vote.anomalies})`);
    const svgPoints = (await markersPerTrace(page)).reduce((a, b) => a + b, 0);
    expectEq(svgPoints, 1000, "SVG markers at 1000 rows");
    expect(await page.isDisabled("#ns-threshold-reset"), "reset disabled under the vote decision");
    await screenshot(page, "results-vote-dark");

    // Keyboard: lower the threshold → more rows flagged, without a Train job.
    await watchJobs(page);
    const lowered = await press(page, "PageDown", 2);
    expect(lowered < 0.9, `slider moved down (${lowered})`);
    const more = await statNumber(page, "anomalies");
    expect(more > vote.anomalies, `lower threshold flags more rows (${vote.anomalies} → ${more})`);
    await settle(page);
    const low = await checkConsistent(page, `threshold ${lowered}`);
    expectEq(low.json.decision.ensemble_threshold, lowered, "JSON threshold == slider");
    expect(low.csvRows.every((r) => Number(r[low.header.indexOf("ensemble_score")]) >= lowered - 1e-9), "every exported row scores ≥ threshold");
    expect(!(await page.isDisabled("#ns-threshold-reset")), "reset enabled with a threshold");
    await screenshot(page, "results-threshold-dark");

    // Drag the line to the right → fewer rows flagged.
    const handle = await page.locator("#ns-threshold-handle").boundingBox();
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2 + 120, handle.y + handle.height / 2, { steps: 6 });
    await page.mouse.up();
    const dragged = Number(await page.inputValue("#ns-threshold"));
    expect(dragged > lowered, `dragging right raised the threshold (${lowered} → ${dragged})`);
    const fewer = await statNumber(page, "anomalies");
    expect(fewer < more, `raising the threshold flags fewer rows (${more} → ${fewer})`);
    await settle(page);
    await checkConsistent(page, `dragged ${dragged}`);

    // Reset → the vote decision's numbers again.
    await page.click("#ns-threshold-reset");
    expectEq(await statNumber(page, "anomalies"), vote.anomalies, "reset restores the vote decision's count");
    await settle(page);
    expectEq((await chartCounts(page)).timelineFlagged, vote.anomalies, "timeline after reset");
    expectEq((await jobsSeen(page)).length, 0, `no job ran while relabelling (saw ${await jobsSeen(page)})`);
    expectEq(await page.locator("#ns-progress").getAttribute("data-kind"), "idle", "progress bar idle");

    // Light theme at a custom threshold.
    await press(page, "PageDown", 1);
    await page.click("#ns-theme");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    await settle(page);
    await screenshot(page, "results-threshold-light");
    log(`sample: ${vote.anomalies} by vote, ${more} at ${lowered}, ${fewer} at ${dragged}`);
  });

  spec("results without labels: timestamps on the timeline, formula-safe CSV, threshold 0 exports all", async ({ page, log }) => {
    await page.goto("/");
    await page.setInputFiles("#ns-file", UNLABELLED);
    await page.waitForSelector("#ns-dataset-facts", { timeout: 30_000 });
    expectEq(await statNumber(page, "dataset-rows"), 300, "rows loaded");
    await train(page);
    await page.waitForSelector('#ns-score-hist[data-state="drawn"] .main-svg');
    await page.waitForFunction(() => document.getElementById("ns-timeline").layout?.xaxis?.type === "date", null, { timeout: 10_000 });
    const caption = await page.locator("#ns-timeline").evaluate((el) => el.parentElement.querySelector("figcaption").textContent);
    expect(/over time \(timestamp\)/.test(caption), `caption names the timestamp column: ${caption}`);
    expectEq(await page.locator("#ns-timeline-note").textContent(), "Every row drawn.", "small runs say every row is drawn");
    const firstX = await page.evaluate(() => document.getElementById("ns-timeline").data.flatMap((t) => Array.from(t.x)).sort((a, b) => a - b)[0]);
    expectEq(firstX, Date.UTC(2026, 2, 1, 8, 0, 0), "first timeline x is the first timestamp (ms)");
    const vote = await checkConsistent(page, "unlabelled vote");
    expect(vote.anomalies > 0, "something is flagged");
    await screenshot(page, "results-unlabelled-dark");

    await watchJobs(page);
    const zero = await press(page, "Home");
    expectEq(zero, 0, "Home puts the threshold at 0");
    expectEq(await statNumber(page, "anomalies"), 300, "threshold 0 flags every row");
    await settle(page);
    const all = await checkConsistent(page, "threshold 0");
    const host = all.header.indexOf("host");
    expect(host >= 0, `CSV has the host column (${all.header})`);
    const hosts = all.csvRows.map((r) => r[host]);
    for (const f of ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3", "=1+1"]) {
      expect(hosts.includes(`'${f}`), `formula cell ${f} is escaped with a quote (hosts: ${[...new Set(hosts)].join(" | ")})`);
    }
    const risky = all.csvRows.flat().filter((c) => /^[=+@\t\r]/.test(c) || (/^-/.test(c) && Number.isNaN(Number(c))));
    expectEq(risky.length, 0, `no exported cell starts a formula (${risky.slice(0, 3)})`);
    expectEq((await jobsSeen(page)).length, 0, "no job ran while relabelling");
    await page.click("#ns-theme");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    await settle(page);
    await screenshot(page, "results-unlabelled-light");
    log(`unlabelled: ${vote.anomalies} by vote, 300 at threshold 0`);
  });

  spec("results: per-detector progress survives switching tabs during training", async ({ page, log }) => {
    await page.goto("/");
    await loadSample(page);
    // Two detectors (all four are ticked by default): the Isolation Forest and LOF.
    for (const d of ["one_class_svm", "autoencoder"]) await page.uncheck(`#ns-det-${d}`);
    await page.check("#ns-det-lof");
    await page.click("#ns-train");
    // Leave the Analyze page while the run goes on (its components unmount), come back after.
    await page.click("#ns-tab-anomalies");
    await page.waitForSelector("#ns-anom-table tbody tr[data-row]", { timeout: 60_000 });
    await page.click("#ns-tab-analyze");
    await page.waitForSelector("#ns-det-progress li[data-detector]");
    const rows = await page.$$eval("#ns-det-progress li[data-detector]", (li) =>
      li.map((l) => ({ id: l.dataset.detector, phase: l.dataset.phase, text: l.textContent })),
    );
    expectEq(rows.length, 2, `one progress row per trained detector (${JSON.stringify(rows)})`);
    expect(rows.every((r) => r.phase === "done" && /done in/.test(r.text)), `every detector shows done after the tab switch: ${JSON.stringify(rows)}`);
    log(`progress after a tab switch: ${rows.map((r) => r.text).join(" | ")}`);
  });

  spec("results at 150k rows: relabel, timeline drawn soon after the engine, normal rows thinned, every anomaly drawn", async ({ page, log }) => {
    await page.goto("/");
    await page.click("#ns-sample-params summary, details summary").catch(() => {});
    await page.fill("#ns-sample-rows", "150000");
    await page.locator("#ns-sample-rows").dispatchEvent("change");
    const rows = await loadSample(page);
    expectEq(rows, 150000, "sample rows");
    await train(page);
    // Figures, not assertions (CI shares its cores): see the brief's speed targets.
    const load = await import("node:os").then((os) => os.loadavg().map((l) => l.toFixed(2)).join(" "));
    const drawn = await page.evaluate(() => {
      const r = performance.getEntriesByName("ns-result-received").at(-1).startTime;
      const d = performance.getEntriesByName("ns-timeline-drawn").filter((e) => e.startTime >= r)[0].startTime;
      return { sinceResult: d - r, drawMs: Number(document.getElementById("ns-timeline").dataset.drawMs) };
    });
    const tasks = await longTasksBetween(page, "ns-result-received", "ns-timeline-drawn");
    const longest = tasks.length ? Math.max(...tasks) : 0;
    log(`150k rows (load ${load}): timeline drawn ${drawn.sinceResult.toFixed(0)} ms after the result reached the page (target < 1000; build + draw ${drawn.drawMs.toFixed(0)} ms)`);
    log(`150k rows: main-thread long tasks from result to timeline drawn: ${tasks.length} [${tasks.join(", ")}] ms, longest ${longest} ms (target < 200)`);
    // Which step each long task followed (marks: the result arriving, each chart drawn).
    log(`150k rows: long tasks by the mark before them: ${await page.evaluate(() => {
      const start = performance.getEntriesByName("ns-result-received").at(-1).startTime;
      const marks = performance.getEntriesByType("mark").filter((m) => m.startTime >= start - 1);
      return (window.__nsLongTasks ?? [])
        .filter((t) => t.startTime + t.duration >= start)
        .map((t) => `${Math.round(t.duration)} ms after ${marks.filter((m) => m.startTime <= t.startTime + 1).at(-1)?.name ?? "?"}`)
        .join("; ");
    })}`);

    const c = await chartCounts(page);
    const anomaliesAtVote = await statNumber(page, "anomalies");
    const type = await page.evaluate(() => document.getElementById("ns-timeline").data[0].type);
    expectEq(type, "scattergl", "WebGL timeline at 150k rows");

    await page.evaluate(() => performance.mark("ns-relabel-start"));
    const times = [];
    for (const v of [0.5, 0.7, 0.3, 0.9, 0.6]) {
      const r = await relabelMs(page, v);
      expect(r.ms !== null, `card changed at threshold ${v} (${r.before} → ${r.after})`);
      times.push(r.ms);
      await page.waitForTimeout(50);
    }
    const worst = Math.max(...times);
    log(`150k rows: slider relabel (input → cards updated) ${times.map((t) => t.toFixed(1)).join(", ")} ms; worst ${worst.toFixed(1)} ms (target < 100)`);
    await settle(page);
    await page.waitForTimeout(600);
    await page.evaluate(() => performance.mark("ns-relabel-end"));
    const redraw = await page.evaluate(() => Number(document.getElementById("ns-timeline").dataset.drawMs));
    const browse = await longTasksBetween(page, "ns-relabel-start", "ns-relabel-end");
    log(`150k rows: timeline redraw after the threshold settled: ${redraw.toFixed(0)} ms (target < 200); main-thread long tasks while relabelling and redrawing: [${browse.join(", ")}] ms (target < 200)`);

    // Functional: the vote decision's timeline, then the settled threshold's.
    expectEq(c.timelineFlagged, anomaliesAtVote, "every anomaly on the timeline (vote decision)");
    const anomalies = await statNumber(page, "anomalies");
    await page.waitForFunction(
      (n) => document.getElementById("ns-timeline").data.filter((t) => t.name !== "normal").reduce((a, t) => a + t.x.length, 0) === n,
      anomalies,
      { timeout: 10_000 },
    ).catch(() => {});
    const counts = await chartCounts(page);
    expectEq(counts.timelineFlagged, anomalies, "timeline follows the threshold at 150k: every anomaly drawn");
    const normals = await page.evaluate(() => {
      const el = document.getElementById("ns-timeline");
      const ys = el.data.filter((t) => t.name === "normal").flatMap((t) => Array.from(t.y));
      return {
        drawn: ys.length,
        shown: Number(el.dataset.normalShown),
        total: Number(el.dataset.normalTotal),
        min: ys.reduce((a, b) => Math.min(a, b), Infinity),
        max: ys.reduce((a, b) => Math.max(a, b), -Infinity),
        caption: document.getElementById("ns-timeline-note").textContent,
      };
    });
    expectEq(normals.total, rows - anomalies, "normal rows counted in the run");
    expectEq(normals.drawn, normals.shown, "normal points drawn == the caption's figure");
    expect(normals.shown > 0 && normals.shown <= 4000, `normal rows thinned to ≤ 2 per bucket (${normals.shown} of ${normals.total})`);
    expectEq(counts.timelineAll, anomalies + normals.shown, "timeline points = anomalies + shown normal rows");
    const fmt = (n) => n.toLocaleString("en").replace(/,/g, "\u202f");
    expect(
      normals.caption.includes(`Normal rows: ${fmt(normals.shown)} of ${fmt(normals.total)} shown`) && normals.caption.includes("every anomaly drawn"),
      `caption says how the normal rows were thinned: ${normals.caption}`,
    );
    // The bucket extremes keep the normal band's envelope: its lowest and highest scores.
    const json = await jsonExport(page);
    const t = json.decision.ensemble_threshold;
    const normalScores = json.ensemble_score.filter((s) => s < t);
    expectEq(normalScores.length, normals.total, "JSON normal rows vs timeline");
    expectEq(normals.min, normalScores.reduce((a, b) => Math.min(a, b), Infinity), "lowest normal score drawn");
    expectEq(normals.max, normalScores.reduce((a, b) => Math.max(a, b), -Infinity), "highest normal score drawn");
    await screenshot(page, "results-150k-dark");
    log(`150k rows: ${anomalies} anomalies at ${t}, normal rows ${normals.shown} of ${normals.total} drawn`);
  });
}
