// Ingest benchmark in the browser (issue #5, performance): the built site in headless Chromium
// loads large files through the page's own file input; two helper threads of the worker read alternate slices of 1 MiB growing to 16 MiB.
// Prints one JSON line per file: bytes, seconds (input set → data set shown), MB/s, rows (flows
// for captures), packets/s for captures, and the tab's memory: peak resident memory of the
// browser's renderer processes (page + its worker) sampled every 100 ms from /proc, minus the
// same figure before the load; per 100,000 rows.
// Then, when present, the same files through pandas.read_csv and tshark for comparison.
//
//   node tests/e2e/ingest_bench.mjs FILE...        (run by `make bench-web`, not by the e2e suite)
//
// Large inputs are generated, not committed:
//   target/release/netsift-cli generate sample --rows 1450000 --out /tmp/nsbench/big200.csv
//   python3 tests/e2e/gen_pcap.py /tmp/nsbench/big200.pcap 200

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { basename, join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serve } from "./lib.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = resolve(ROOT, process.env.DIST ?? "dist");
const files = process.argv.slice(2).filter((f) => existsSync(f));
if (!files.length) {
  console.error("ingest_bench: no input files given (or none exist); see the header of this file");
  process.exit(0);
}

/** Resident memory (bytes) of every renderer process under `rootPid`. */
function rendererRss(rootPid) {
  return rendererSum(rootPid, (c) => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${c}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  });
}

/** CPU seconds (user + system, all threads: page and worker) of every renderer under `rootPid`. */
function rendererCpu(rootPid) {
  return rendererSum(rootPid, (c) => {
    const f = readFileSync(`/proc/${c}/stat`, "utf8");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks (100 per second on Linux).
    return (Number(rest[11]) + Number(rest[12])) / 100;
  });
}

/** Sums `value(pid)` over the renderer processes under `rootPid`. */
function rendererSum(rootPid, value) {
  const children = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {}
  }
  let total = 0;
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      try {
        const cmd = readFileSync(`/proc/${c}/cmdline`, "utf8");
        if (cmd.includes("--type=renderer")) total += value(c);
      } catch {}
      walk(c);
    }
  };
  walk(rootPid);
  return total;
}

const server = await serve(DIST);
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
// Chromium is a child of this node process; its renderers are below it.
const pid = process.pid;
const results = [];
try {
  for (const file of files) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(origin + "/");
    await page.waitForSelector("#ns-drop");
    await page.waitForTimeout(1000);
    const before = pid ? rendererRss(pid) : 0;
    let peak = before;
    const timer = setInterval(() => {
      if (pid) peak = Math.max(peak, rendererRss(pid));
    }, 100);
    const bytes = statSync(file).size;
    const cpuBefore = pid ? rendererCpu(pid) : 0;
    const started = Date.now();
    await page.setInputFiles("#ns-file", file);
    const name = basename(file);
    try {
      await page.waitForFunction(
        (n) => document.querySelector("#ns-dataset-facts strong")?.textContent === n || document.querySelector(".ns-banner, [role=alert].ns-error"),
        name,
        { timeout: 30 * 60_000, polling: "raf" },
      );
    } finally {
      clearInterval(timer);
    }
    const seconds = (Date.now() - started) / 1000;
    // CPU time of the tab over the load: on a shared machine wall time also counts waiting for a core.
    const cpu = pid ? rendererCpu(pid) - cpuBefore : 0;
    const facts = await page.locator("#ns-dataset-facts").innerText().catch(() => "");
    const rows = Number((await page.locator('[data-stat="dataset-rows"]').innerText().catch(() => "0")).replace(/\D/g, ""));
    const packets = /([\d]+) packets/.exec(facts)?.[1];
    // The worker's own split of the time (data-* on the facts line).
    const phases = await page
      .$eval("#ns-dataset-facts", (e) => ({ read: Number(e.dataset.readMs), parse: Number(e.dataset.parseMs), summary: Number(e.dataset.summaryMs) }))
      .catch(() => null);
    const line = {
      where: "browser",
      file: name,
      mb: Math.round(bytes / 1e5) / 10,
      seconds: Math.round(seconds * 100) / 100,
      mb_per_s: Math.round((bytes / 1e6 / seconds) * 10) / 10,
      cpu_seconds: Math.round(cpu * 100) / 100,
      worker_ms: phases,
      worker_mb_per_s: phases ? Math.round((bytes / 1e3 / (phases.read + phases.parse + phases.summary)) * 10) / 10 : null,
      mb_per_cpu_s: cpu ? Math.round((bytes / 1e6 / cpu) * 10) / 10 : null,
      load_avg: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
      rows,
      ...(packets
        ? {
            packets: Number(packets),
            packets_per_s: Math.round(Number(packets) / seconds),
            packets_per_cpu_s: cpu ? Math.round(Number(packets) / cpu) : null,
          }
        : {}),
      tab_rss_before_mb: Math.round(before / 1e6),
      tab_rss_peak_mb: Math.round(peak / 1e6),
      mb_per_100k_rows: rows ? Math.round(((peak - before) / 1e6 / rows) * 1e5 * 10) / 10 : null,
      loaded: facts.includes(name),
    };
    console.log(JSON.stringify(line));
    results.push(line);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

// Comparisons on the same files, when the tools are installed.
for (const file of files) {
  const t0 = Date.now();
  if (/\.csv$/i.test(file)) {
    try {
      const out = execFileSync(
        "python3",
        ["-c", "import sys,time,pandas as pd;t=time.time();d=pd.read_csv(sys.argv[1]);print(len(d),time.time()-t)", file],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      const [rows, s] = out.trim().split(" ").map(Number);
      const mb = statSync(file).size / 1e6;
      console.log(JSON.stringify({ where: "pandas.read_csv", file: basename(file), rows, seconds: Math.round(s * 100) / 100, mb_per_s: Math.round((mb / s) * 10) / 10 }));
    } catch (e) {
      console.error(`pandas not available: ${String(e).split("\n")[0]}`);
    }
  } else {
    try {
      const out = execFileSync("tshark", ["-r", file, "-q", "-z", "conv,tcp"], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
      const s = (Date.now() - t0) / 1000;
      const convs = out.split("\n").filter((l) => /<->/.test(l)).length;
      const packets = Number(execFileSync("capinfos", ["-c", "-M", file], { encoding: "utf8" }).match(/Number of packets:\s+(\d+)/)?.[1] ?? 0);
      console.log(JSON.stringify({ where: "tshark -z conv,tcp", file: basename(file), tcp_conversations: convs, packets, seconds: Math.round(s * 100) / 100, packets_per_s: packets ? Math.round(packets / s) : null }));
    } catch (e) {
      console.error(`tshark failed: ${String(e).split("\n")[0]}`);
    }
  }
}
