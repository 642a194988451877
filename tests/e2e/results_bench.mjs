// Results-page benchmark at NSL-KDD scale (issue #4, performance): the built site (dist/) in
// headless Chromium at 1280×800; KDDTrain+ and KDDTest+ concatenated (148,517 rows) into a
// temporary file, loaded through the page's own file input and trained with the four detectors.
// Prints JSON lines:
//   {"what":"arrival", …}   ms from the result message reaching the page (the `message` event's
//                           timeStamp on the page's Worker object — the page's clock, so the
//                           postcard decode is inside the figure) to the stat cards changing and
//                           to the timeline drawn (`ns-timeline-drawn` mark), and to every
//                           analysis chart drawn; long tasks in that window;
//   {"what":"relabel", …}   ≥ 20 slider moves: input event → anomalies card changed, and → the
//                           next frame painted (median, max);
//   {"what":"browse", …}    every main-thread long task (PerformanceObserver 'longtask', > 50 ms)
//                           while browsing the results, each attributed to the action that ran;
//   {"what":"summary", …}   medians over the runs; the load average before and after.
// A run = fresh page, load, train, arrival, relabels, browse; RUNS (default 3) runs.
//
//   node tests/e2e/results_bench.mjs [DIR]   (DIR defaults to ../shared/data/nsl-kdd; `make bench-results`)
//
// Env: DIST (default dist), RUNS (default 3), PROFILE=1 writes a CPU profile (CDP Profiler) per
// run to artifacts/results-bench-<run>.cpuprofile and prints, for each long task, the functions
// with the most self time inside it (use a build with names: see the README's Benchmarks).
// Not part of the e2e suite: it builds nothing and asserts nothing; it exits 0 with a notice
// when the data is absent.

import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync, createWriteStream } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serve } from "./lib.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = resolve(ROOT, process.env.DIST ?? "dist");
const ARTIFACTS = resolve(ROOT, process.env.ARTIFACTS ?? "artifacts");
const DATA = resolve(ROOT, process.argv[2] ?? "../shared/data/nsl-kdd");
const RUNS = Number(process.env.RUNS ?? 3);
const PROFILE = process.env.PROFILE === "1";
const PARTS = ["KDDTrain+.txt", "KDDTest+.txt"].map((f) => join(DATA, f));

if (!PARTS.every((p) => existsSync(p))) {
  console.error(`results_bench: NSL-KDD not found in ${DATA} (need KDDTrain+.txt and KDDTest+.txt); nothing to benchmark`);
  process.exit(0);
}
if (!existsSync(join(DIST, "index.html"))) {
  console.error(`results_bench: no built site in ${DIST}; run \`make build\` first`);
  process.exit(1);
}

// The concatenated file (not committed; removed at the end).
const FILE = join(tmpdir(), `netsift-kdd148k-${process.pid}.txt`);
await new Promise((ok, fail) => {
  const out = createWriteStream(FILE);
  out.on("error", fail);
  for (const p of PARTS) {
    const text = readFileSync(p, "utf8");
    out.write(text.endsWith("\n") ? text : text + "\n");
  }
  out.end(ok);
});

const load = () => Number(loadavg()[0].toFixed(2));
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);
const out = (obj) => console.log(JSON.stringify(obj));

/** Installed before any page script: long tasks, and the arrival time of each worker message. */
function instrument() {
  window.__nsLongTasks = [];
  window.__nsWorkerMessages = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__nsLongTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      // Registered before the app's own handler: the event's timeStamp is when it was queued.
      this.addEventListener("message", (e) => window.__nsWorkerMessages.push(e.timeStamp));
    }
  };
}

/** Long tasks from `since` (ms, page clock) on. */
async function longTasksSince(page, since) {
  return page.evaluate((since) => window.__nsLongTasks.filter((t) => t.start + t.ms >= since), since);
}

/** Waits until no long task has started for `quietMs` (and at least `quietMs`). */
async function quiet(page, quietMs = 400, maxMs = 15_000) {
  await page.evaluate(
    ([quietMs, maxMs]) =>
      new Promise((ok) => {
        const t0 = performance.now();
        const tick = () => {
          const last = window.__nsLongTasks.at(-1);
          const lastEnd = last ? last.start + last.ms : 0;
          const now = performance.now();
          if ((now - Math.max(lastEnd, t0) >= quietMs) || now - t0 > maxMs) ok();
          else setTimeout(tick, 50);
        };
        setTimeout(tick, 50);
      }),
    [quietMs, maxMs],
  );
}

/** Runs `fn` as the action `name`: marks around it, waits for quiet, returns its long tasks. */
async function action(page, name, fn) {
  const start = await page.evaluate((n) => (performance.mark(`bench:${n}`), performance.now()), name);
  await fn();
  await quiet(page);
  const end = await page.evaluate(() => performance.now());
  const tasks = await page.evaluate(
    ([s, e]) => window.__nsLongTasks.filter((t) => t.start >= s && t.start < e).map((t) => ({ start: t.start, ms: Math.round(t.ms) })),
    [start, end],
  );
  return { name, ms: Math.round(end - start), tasks };
}

/** Input event on the slider → card changed, and → the next frame painted. */
async function relabel(page, value) {
  return page.evaluate(async (value) => {
    const input = document.getElementById("ns-threshold");
    const card = document.querySelector('[data-stat="anomalies"]');
    const changed = new Promise((ok) => {
      const obs = new MutationObserver(() => {
        obs.disconnect();
        ok(performance.now());
      });
      obs.observe(card, { childList: true, characterData: true, subtree: true });
      setTimeout(() => (obs.disconnect(), ok(null)), 2000);
    });
    const t0 = performance.now();
    input.value = String(value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const t1 = await changed;
    // The frame after the change has been produced: rAF, then a task after it.
    const painted = await new Promise((ok) => requestAnimationFrame(() => setTimeout(() => ok(performance.now()), 0)));
    return { card: t1 === null ? null : t1 - t0, paint: painted - t0 };
  }, value);
}

/** Chart containers on the Analyze page, top to bottom (id, caption for the action name). */
async function analyzeTargets(page) {
  return page.evaluate(() => {
    const ids = ["ns-cards", "ns-score-hist", "ns-timeline", "ns-top-table", "ns-chart-comparison", "ns-label-metrics"];
    const named = ids.map((id) => document.getElementById(id)).filter(Boolean);
    const plots = [...document.querySelectorAll("#ns-analysis .ns-analysis__plot")].filter((p) => !/feature-[1-9]\d*$/.test(p.id) || /feature-(4|8|12|16|20)$/.test(p.id));
    const rest = ["ns-overview-title", "ns-columns"].map((id) => document.getElementById(id)).filter(Boolean);
    return [...named, ...plots, ...rest].map((e) => e.id).filter((id, i, all) => all.indexOf(id) === i);
  });
}

async function scrollTo(page, id) {
  await page.evaluate((id) => document.getElementById(id)?.scrollIntoView({ block: "center" }), id);
  // A chart brought into view may draw then: wait for it.
  await page
    .waitForFunction((id) => {
      const e = document.getElementById(id);
      return !e || !e.classList.contains("ns-analysis__plot") || e.dataset.state === "drawn";
    }, id, { timeout: 10_000 })
    .catch(() => {});
}

async function waitTable(page) {
  await page.waitForTimeout(100);
  await page.waitForFunction(() => document.querySelector("#ns-anom-total")?.dataset.total !== "" && document.querySelector("#ns-anom-table tbody tr[data-row]"), null, { timeout: 30_000 });
}

/** One browse through the results; returns the actions with their long tasks. */
async function browse(page) {
  const acts = [];
  const act = async (name, fn) => acts.push(await action(page, name, fn));
  await act("tab:analyze top", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
  });
  for (const id of await analyzeTargets(page)) {
    await act(`scroll:${id.replace(/^ns-(chart-)?/, "")}`, () => scrollTo(page, id));
  }
  await act("threshold:drag", async () => {
    await page.evaluate(() => document.getElementById("ns-threshold-handle").scrollIntoView({ block: "center" }));
    const box = await page.locator("#ns-threshold-handle").boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x - 80, y, { steps: 16 });
    await page.mouse.move(x + 40, y, { steps: 12 });
    await page.mouse.up();
    await page.waitForTimeout(700); // settle (100 ms) and the redraws
  });
  await act("threshold:keys", async () => {
    await page.focus("#ns-threshold");
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowUp");
    await page.waitForTimeout(700);
  });
  await act("threshold:reset", async () => {
    await page.click("#ns-threshold-reset");
    await page.waitForTimeout(700);
  });
  await act("tab:anomalies", async () => {
    await page.click("#ns-tab-anomalies");
    await waitTable(page);
  });
  await act("anomalies:sort", async () => {
    await page.click('[data-sort="score"]');
    await waitTable(page);
  });
  await act("anomalies:filter-severity", async () => {
    await page.selectOption("#ns-filter-severity", "high");
    await waitTable(page);
  });
  await act("anomalies:filter-text", async () => {
    await page.fill("#ns-filter-text", "tcp");
    await waitTable(page);
  });
  await act("anomalies:next-page", async () => {
    await page.click("#ns-page-next");
    await waitTable(page);
  });
  await act("anomalies:row-detail", async () => {
    await page.locator("#ns-anom-table tbody tr[data-row]").first().click();
    await page.waitForSelector("#ns-detail-detectors li[data-detector]", { timeout: 30_000 });
  });
  await act("anomalies:clear-filters", async () => {
    await page.keyboard.press("Escape").catch(() => {});
    await page.fill("#ns-filter-text", "");
    await page.selectOption("#ns-filter-severity", "any");
    await waitTable(page);
  });
  await act("tab:network", async () => {
    await page.click("#ns-tab-network");
    await page.waitForFunction(() => ["ready", "empty"].includes(document.querySelector("#ns-net-status")?.dataset.state), null, { timeout: 60_000 }).catch(() => {});
  });
  await act("tab:history", async () => {
    await page.click("#ns-tab-history");
    await page.waitForSelector("#ns-history-title", { timeout: 30_000 });
  });
  await act("tab:analyze", async () => {
    await page.click("#ns-tab-analyze");
    await page.waitForSelector('#ns-timeline[data-state="drawn"] .main-svg', { timeout: 60_000 });
    await page.waitForSelector('#ns-analysis[data-state="ready"]', { timeout: 60_000 });
  });
  return acts;
}

/** For each long task, the functions with the most self time inside it (CPU profile). */
function attribute(profile, offsetUs, tasks) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  return tasks.map((task) => {
    const from = (task.start * 1000) + offsetUs;
    const to = from + task.ms * 1000;
    const self = new Map();
    for (let i = 0; i < profile.samples.length; i++) {
      if (times[i] < from || times[i] > to) continue;
      const n = byId.get(profile.samples[i]);
      const f = n.callFrame;
      const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
      const dt = (times[i + 1] ?? times[i]) - times[i];
      self.set(key, (self.get(key) ?? 0) + dt / 1000);
    }
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, ms]) => `${Math.round(ms)} ms ${k}`);
    return { ...task, top };
  });
}

const server = await serve(DIST);
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
const runs = [];
let profileMark = 0; // page clock (ms) at Profiler.start
try {
  for (let run = 1; run <= RUNS; run++) {
    const loadBefore = load();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.addInitScript(instrument);
    await page.goto(origin + "/");
    await page.waitForSelector("#ns-drop");
    await page.setInputFiles("#ns-file", FILE);
    await page.waitForFunction(() => document.querySelector('[data-stat="dataset-rows"]'), null, { timeout: 10 * 60_000 });
    for (const id of ["isolation_forest", "one_class_svm", "lof", "autoencoder"]) {
      const box = page.locator(`#ns-det-${id}`);
      if (!(await box.isChecked())) await box.check();
    }
    let cdp = null;
    if (PROFILE) {
      cdp = await context.newCDPSession(page);
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 250 });
    }
    // The cards: when the anomalies card first changes after the result.
    await page.evaluate(() => {
      window.__nsCards = null;
      const card = document.querySelector('[data-stat="anomalies"]');
      new MutationObserver(() => {
        if (window.__nsCards === null && performance.getEntriesByName("ns-result-received").length) window.__nsCards = performance.now();
      }).observe(card, { childList: true, characterData: true, subtree: true });
    });
    const trainStart = Date.now();
    await page.click("#ns-train");
    // Start the profile while the worker trains (the main thread is idle then).
    if (cdp) {
      const before = await page.evaluate(() => performance.now());
      await cdp.send("Profiler.start");
      const after = await page.evaluate(() => performance.now());
      profileMark = (before + after) / 2;
    }
    await page.waitForFunction(() => performance.getEntriesByName("ns-result-received").length > 0, null, { timeout: 30 * 60_000, polling: 200 });
    const trainS = (Date.now() - trainStart) / 1000;
    await page.waitForSelector('#ns-timeline[data-state="drawn"] .main-svg', { timeout: 60_000 });
    await page.waitForFunction(
      () => {
        const plots = [...document.querySelectorAll("#ns-analysis .ns-analysis__plot")];
        return plots.length > 0 && plots.every((p) => p.dataset.state === "drawn");
      },
      null,
      { timeout: 120_000, polling: 50 },
    );
    const allDrawn = await page.evaluate(() => performance.now());
    await quiet(page, 600);
    const arrival = await page.evaluate((allDrawn) => {
      const received = performance.getEntriesByName("ns-result-received").at(-1).startTime;
      const msg = window.__nsWorkerMessages.filter((t) => t <= received).at(-1) ?? received;
      const timeline = performance.getEntriesByName("ns-timeline-drawn").find((m) => m.startTime >= received)?.startTime;
      const tasks = window.__nsLongTasks.filter((t) => t.start + t.ms >= msg).map((t) => ({ start: t.start, ms: Math.round(t.ms) }));
      const marks = performance.getEntriesByType("mark").filter((m) => m.startTime >= msg - 1);
      const after = (t) => marks.filter((m) => m.startTime <= t.start + 1).at(-1)?.name ?? "message";
      return {
        msg,
        decode_ms: received - msg,
        cards_ms: window.__nsCards === null ? null : window.__nsCards - msg,
        timeline_ms: timeline === undefined ? null : timeline - msg,
        all_charts_ms: allDrawn - msg,
        tasks: tasks.map((t) => ({ ...t, after: after(t) })),
        rows: document.querySelector('[data-stat="rows"]').textContent,
        anomalies: document.querySelector('[data-stat="anomalies"]').textContent,
      };
    }, allDrawn);

    const relabels = [];
    const values = [];
    for (let i = 0; i < 24; i++) values.push(Number((0.3 + ((i * 7) % 24) * 0.025).toFixed(3)));
    await page.evaluate(() => document.getElementById("ns-threshold").scrollIntoView({ block: "center" }));
    const relabelStart = await page.evaluate(() => performance.now());
    for (const v of values) {
      relabels.push(await relabel(page, v));
      await page.waitForTimeout(30);
    }
    await page.click("#ns-threshold-reset");
    await quiet(page, 600);
    const relabelTasks = (await longTasksSince(page, relabelStart)).map((t) => Math.round(t.ms));

    const acts = await browse(page);
    if (errors.length) console.error(`results_bench: run ${run}: page errors: ${errors.slice(0, 3).join(" | ")}`);

    const line = {
      what: "run",
      run,
      rows: Number(arrival.rows.replace(/\D/g, "")),
      anomalies: Number(arrival.anomalies.replace(/\D/g, "")),
      train_wall_s: r1(trainS),
      load_avg_before: loadBefore,
      load_avg_after: load(),
    };
    out(line);
    out({
      what: "arrival",
      run,
      clock: "page: the worker message event's timeStamp (decode included)",
      decode_ms: r1(arrival.decode_ms),
      cards_ms: r1(arrival.cards_ms),
      timeline_ms: r1(arrival.timeline_ms),
      all_charts_ms: r1(arrival.all_charts_ms),
      long_tasks: arrival.tasks.map((t) => `${t.ms} after ${t.after}`),
    });
    const cards = relabels.map((r) => r.card).filter((x) => x !== null);
    const paints = relabels.map((r) => r.paint);
    out({
      what: "relabel",
      run,
      moves: relabels.length,
      changed: cards.length,
      card_median_ms: r1(median(cards)),
      card_max_ms: r1(Math.max(...cards)),
      paint_median_ms: r1(median(paints)),
      paint_max_ms: r1(Math.max(...paints)),
      long_tasks: relabelTasks,
    });
    const allBrowse = acts.flatMap((a) => a.tasks.map((t) => ({ ...t, action: a.name })));
    out({
      what: "browse",
      run,
      actions: acts.length,
      long_tasks: allBrowse.length,
      max_ms: allBrowse.length ? Math.max(...allBrowse.map((t) => t.ms)) : 0,
      over_200: allBrowse.filter((t) => t.ms > 200).map((t) => `${t.ms} ${t.action}`),
      by_action: Object.fromEntries(acts.filter((a) => a.tasks.length).map((a) => [a.name, a.tasks.map((t) => t.ms)])),
    });
    runs.push({ arrival, relabels: { cards, paints }, acts, browseMax: allBrowse.length ? Math.max(...allBrowse.map((t) => t.ms)) : 0, relabelTasks });

    if (cdp) {
      const { profile } = await cdp.send("Profiler.stop");
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `results-bench-${run}.cpuprofile`), JSON.stringify(profile));
      // The profile's clock (µs, monotonic) against the page's performance.now(): Profiler.start
      // happened at profileMark on the page clock, at profile.startTime on the profile's.
      const offsetUs = profile.startTime - profileMark * 1000;
      const tasks = [
        ...arrival.tasks.map((t) => ({ ...t, action: `arrival (after ${t.after})` })),
        ...allBrowse,
      ].filter((t) => t.ms > 100);
      for (const t of attribute(profile, offsetUs, tasks)) out({ what: "profile", run, action: t.action, ms: t.ms, top: t.top });
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
  rmSync(FILE, { force: true });
}

// Medians over the runs.
const per = (f) => r1(median(runs.map(f)));
const actionNames = [...new Set(runs.flatMap((r) => r.acts.map((a) => a.name)))];
out({
  what: "summary",
  runs: runs.length,
  arrival_cards_ms: per((r) => r.arrival.cards_ms),
  arrival_timeline_ms: per((r) => r.arrival.timeline_ms),
  arrival_all_charts_ms: per((r) => r.arrival.all_charts_ms),
  arrival_longest_task_ms: per((r) => Math.max(0, ...r.arrival.tasks.map((t) => t.ms))),
  relabel_card_median_ms: per((r) => median(r.relabels.cards)),
  relabel_card_max_ms: per((r) => Math.max(...r.relabels.cards)),
  relabel_paint_median_ms: per((r) => median(r.relabels.paints)),
  relabel_paint_max_ms: per((r) => Math.max(...r.relabels.paints)),
  relabel_longest_task_ms: per((r) => Math.max(0, ...r.relabelTasks)),
  browse_longest_task_ms: per((r) => r.browseMax),
  browse_longest_by_action_ms: Object.fromEntries(
    actionNames
      .map((n) => [n, per((r) => Math.max(0, ...(r.acts.find((a) => a.name === n)?.tasks.map((t) => t.ms) ?? [])))])
      .filter(([, ms]) => ms > 0),
  ),
  load_avg: loadavg().map((l) => Number(l.toFixed(2))),
});
