// The Network page: a generated capture with a known port scan, SYN flood, DDoS and beacon
// (tests/fixtures/network/capture.pcap, written by the engine test
// `the_e2e_capture_fixture_matches_its_expected_numbers`, which also writes expected.json) →
// train → exactly those alerts with the right sources and targets; raising the port-scan
// threshold above the scan's port count in the form removes that alert; charts drawn;
// conversation numbers equal the engine's.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FIXTURES, expect, expectEq, screenshot, statNumber, train } from "../helpers.mjs";

const CAPTURE = join(FIXTURES, "network/capture.pcap");
const EXPECTED = join(FIXTURES, "network/expected.json");

async function alertRows(page) {
  return page.$$eval("#ns-alerts tbody tr", (trs) =>
    trs.map((tr) => ({
      rule: tr.dataset.rule,
      source: tr.querySelector('[data-field="source"]').textContent.trim(),
      target: tr.querySelector('[data-field="target"]').textContent.trim(),
      flows: Number(tr.querySelector('[data-field="flows"]').textContent.replace(/[\s\u202f\u00a0]/g, "")),
    })),
  );
}

async function ready(page) {
  await page.waitForSelector('#ns-net-status[data-state="ready"]', { timeout: 60_000 });
}

/** Suspicious IPs listed on the Network page (`[]` when the empty note shows). */
async function suspiciousIps(page) {
  return page.$$eval("#ns-suspicious tbody tr", (trs) => trs.map((tr) => tr.dataset.ip));
}

/** Sets the Analyze page's threshold slider and returns the anomalies card's count. */
async function setThreshold(page, value) {
  await page.click("#ns-tab-analyze");
  await page.waitForSelector("#ns-threshold");
  await page.evaluate((value) => {
    const input = document.getElementById("ns-threshold");
    input.value = String(value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
  const shown = Number(await page.inputValue("#ns-threshold"));
  // Wait for the debounced threshold to settle before leaving the page.
  await page.waitForTimeout(300);
  return { shown, card: await statNumber(page, "anomalies") };
}

/** The Network page's anomaly count once its views follow `threshold` (null = the vote). */
async function networkAt(page, threshold) {
  await page.click("#ns-tab-network");
  await page.waitForFunction(
    (t) => {
      const s = document.querySelector("#ns-net-status");
      if (s?.dataset.state !== "ready") return false;
      const at = s.dataset.threshold;
      return t === null ? at === undefined : at !== undefined && Math.abs(Number(at) - t) < 1e-9;
    },
    threshold,
    { timeout: 60_000 },
  );
  return {
    anomalies: Number(await page.getAttribute("#ns-net-status", "data-anomalies")),
    status: await page.innerText("#ns-net-status"),
    ips: await suspiciousIps(page),
    enriched: await page.locator("#ns-net-anomalies tbody tr").count(),
  };
}

async function checkThreshold(page, log) {
  const cardVote = await (async () => {
    await page.click("#ns-tab-analyze");
    return statNumber(page, "anomalies");
  })();
  const vote = await networkAt(page, null);
  expectEq(vote.anomalies, cardVote, "Network anomalies = Analyze card under the vote");
  log(`vote: ${vote.anomalies} anomalies, suspicious ${JSON.stringify(vote.ips)}`);

  // A low threshold flags many more flows: more anomalies, at least as many suspicious IPs.
  const low = await setThreshold(page, 0.3);
  const atLow = await networkAt(page, low.shown);
  log(`threshold ${low.shown}: card ${low.card}, network ${atLow.anomalies}, suspicious ${JSON.stringify(atLow.ips)}`);
  expectEq(atLow.anomalies, low.card, `Network anomalies = Analyze card at ${low.shown}`);
  expect(atLow.anomalies > vote.anomalies, `more anomalies at ${low.shown} (${vote.anomalies} → ${atLow.anomalies})`);
  expect(atLow.status.includes(`score ≥ ${low.shown.toFixed(2)}`), `status names the threshold: ${atLow.status}`);
  expect(
    atLow.ips.length > vote.ips.length || atLow.ips.join() !== vote.ips.join(),
    `suspicious IPs follow the threshold (${vote.ips.length} → ${atLow.ips.length})`,
  );
  await screenshot(page, "network-low-threshold");

  // Above every score nothing is anomalous: no suspicious IP, no enriched anomaly.
  const high = await setThreshold(page, 1);
  const atHigh = await networkAt(page, high.shown);
  expectEq(atHigh.anomalies, high.card, `Network anomalies = Analyze card at ${high.shown}`);
  expect(atHigh.anomalies < atLow.anomalies, `fewer anomalies at ${high.shown}`);
  expect(atHigh.ips.length <= atLow.ips.length, "fewer suspicious IPs at the top threshold");
  if (high.card === 0) {
    expectEq(atHigh.ips.length, 0, "no suspicious IP when nothing is flagged");
    await page.waitForSelector("#ns-suspicious-empty");
    expectEq(atHigh.enriched, 0, "no enriched anomaly when nothing is flagged");
  }

  // Reset: back to the vote decision and its numbers.
  await page.click("#ns-tab-analyze");
  await page.click("#ns-threshold-reset");
  const back = await networkAt(page, null);
  expectEq(back.anomalies, vote.anomalies, "reset restores the vote's anomalies");
  expectEq(back.ips.join(), vote.ips.join(), "reset restores the vote's suspicious IPs");
}

/** Registers this file's specs. */
export default function register(spec) {
  spec("network: capture → train → rule alerts, thresholds, charts, conversations", async ({ page, log }) => {
    const expected = JSON.parse(await readFile(EXPECTED, "utf8"));
    await page.goto("/");
    await page.setInputFiles("#ns-file", CAPTURE);
    await page.waitForSelector("#ns-dataset-facts", { timeout: 60_000 });
    expectEq(await statNumber(page, "dataset-rows"), expected.rows, "flows loaded from the capture");
    await train(page);

    await page.click("#ns-tab-network");
    await ready(page);
    const rows = await alertRows(page);
    log(`alerts: ${JSON.stringify(rows)}`);
    expectEq(rows.length, expected.alerts.length, "number of rule alerts");
    expected.alerts.forEach((a, i) => {
      const r = rows[i];
      expectEq(r.rule, a.rule, `alert ${i} rule`);
      expectEq(r.source, a.source ?? "many", `alert ${i} (${a.rule}) source`);
      expectEq(r.target.split(":")[0], a.target ?? "all hosts", `alert ${i} (${a.rule}) target`);
      expectEq(r.flows, a.flow_count, `alert ${i} (${a.rule}) flows`);
    });
    const rules = rows.map((r) => r.rule).sort();
    expectEq(rules.join(","), "beaconing,ddos,port_scan,syn_flood", "exactly the four attacks");

    // Charts.
    for (const id of ["ns-net-talkers", "ns-net-protocols", "ns-net-minutes", "ns-net-ports", "ns-net-lengths"]) {
      await page.waitForSelector(`#${id}[data-state="drawn"] .main-svg`, { timeout: 30_000 });
    }
    const talkerBars = await page.locator("#ns-net-talkers .bars .point").count();
    const talkerRows = await page.locator("#ns-talkers tbody tr").count();
    expect(talkerRows > 0, "top talkers listed");
    expectEq(talkerBars, talkerRows, "one bar per top talker");
    const firstTalker = await page.$eval("#ns-talkers tbody tr", (tr) => ({
      ip: tr.dataset.ip,
      flows: Number(tr.querySelector('[data-field="flows"]').textContent.replace(/[\s\u202f\u00a0]/g, "")),
    }));
    expectEq(firstTalker.ip, expected.top_talker.ip, "top talker");
    expectEq(firstTalker.flows, expected.top_talker.flows, "top talker flows");
    const protocolBars = await page.locator("#ns-net-protocols .bars .point").count();
    expect(protocolBars >= expected.protocols.length, `protocol bars (${protocolBars})`);

    // Conversations equal the engine's.
    const count = Number(await page.getAttribute("#ns-conversation-count", "data-count"));
    expectEq(count, expected.conversation_count, "conversation count");
    const top = await page.$eval("#ns-conversations tbody tr", (tr) => ({
      cells: [...tr.querySelectorAll("td")].map((td) => td.textContent.trim()),
      bytes: Number(tr.querySelector('[data-field="bytes"]').dataset.value),
      flows: Number(tr.querySelector('[data-field="flows"]').textContent.replace(/[\s\u202f\u00a0]/g, "")),
      packets: Number(tr.querySelector('[data-field="packets"]').textContent.replace(/[\s\u202f\u00a0]/g, "")),
    }));
    expectEq(top.cells[0], expected.top_conversation.src, "largest conversation source");
    expectEq(top.cells[1], expected.top_conversation.dst, "largest conversation destination");
    expectEq(top.bytes, expected.top_conversation.bytes, "largest conversation bytes");
    expectEq(top.flows, expected.top_conversation.flows, "largest conversation flows");
    expectEq(top.packets, expected.top_conversation.packets, "largest conversation packets");
    expect((await page.locator("#ns-net-anomalies tbody tr").count()) > 0, "enriched anomalies listed");
    await screenshot(page, "network-overview");

    // The analyst's score threshold (Analyze page slider) decides the anomalies here too.
    await checkThreshold(page, log);

    // Alert detail: enrichment, advice, offline analysis, the flows behind it.
    const scan = expected.alerts.find((a) => a.rule === "port_scan");
    await page.click('#ns-alerts tr[data-rule="port_scan"] button');
    await page.waitForSelector("#ns-alert-detail");
    const detail = await page.innerText("#ns-alert-detail");
    expect(detail.includes("Generated from rules, no AI service"), "analysis marked as generated from rules");
    expect(/Mitigation advice/.test(detail), "advice shown");
    expectEq(await page.locator("#ns-alert-detail [data-field=type]").innerText(), "Port scan", "alert type");
    expectEq(await page.locator("#ns-alert-flows button").count(), Math.min(scan.flow_count, 1000), "flow links");
    await page.waitForSelector("#ns-alert-cells tbody tr");
    expectEq(await page.locator("#ns-alert-cells tbody tr").count(), Math.min(scan.flow_count, 50), "flow rows with cells");
    const personas = await page.locator(".ns-net-persona").count();
    expectEq(personas, 5, "five analyst personas");
    await page.locator(".ns-net-persona").nth(4).click();
    expect((await page.innerText("#ns-alert-analysis")).includes("Generated from rules"), "persona text");
    await screenshot(page, "network-alert-detail");
    const firstFlow = Number(await page.getAttribute("#ns-alert-flows button", "data-row"));
    await page.click("#ns-alert-flows button");
    expectEq(await page.getAttribute("#ns-tab-anomalies", "aria-selected"), "true", "flow link opens the Anomalies page");
    await page.click("#ns-tab-network");
    await ready(page);
    log(`first flow of the scan: row ${firstFlow}`);

    // An invalid threshold is refused inline and changes nothing.
    await page.fill("#ns-rule-port_scan_ports", "0");
    await page.click("#ns-rules-apply");
    const err = await page.innerText("#ns-rule-port_scan_ports-error");
    expect(/at least 1/.test(err), `inline message for 0 ports (${err})`);
    expectEq(await page.getAttribute("#ns-rule-port_scan_ports", "aria-invalid"), "true", "field marked invalid");
    expectEq((await alertRows(page)).length, expected.alerts.length, "alerts unchanged by an invalid form");
    await page.fill("#ns-rule-ddos_window_s", "abc");
    await page.click("#ns-rules-apply");
    expect((await page.innerText("#ns-rule-ddos_window_s-error")).length > 0, "non-number refused");
    await screenshot(page, "network-form-errors");

    // Above the scan's port count the port-scan alert disappears; the others stay.
    await page.click("#ns-rules-reset");
    await page.fill("#ns-rule-port_scan_ports", String(expected.port_scan_ports + 1));
    await page.click("#ns-rules-apply");
    await page.waitForFunction(
      () => !document.querySelector('#ns-alerts tr[data-rule="port_scan"]') &&
        document.querySelector("#ns-net-status")?.dataset.state === "ready",
      null,
      { timeout: 60_000 },
    );
    const after = (await alertRows(page)).map((r) => r.rule).sort().join(",");
    expectEq(after, "beaconing,ddos,syn_flood", "alerts after raising the port-scan threshold");
    // Back to the defaults: the scan is reported again.
    await page.click("#ns-rules-reset");
    await page.waitForSelector('#ns-alerts tr[data-rule="port_scan"]', { timeout: 60_000 });
    expectEq(await page.inputValue("#ns-rule-port_scan_ports"), "20", "reset restores the default");
    await screenshot(page, "network-after-reset");
  });

  spec("network: a table without addresses says which views need them", async ({ page }) => {
    await page.goto("/#page=network");
    await page.waitForSelector("#ns-net-nodata");
    await page.click("#ns-tab-analyze");
    await page.setInputFiles("#ns-file", join(FIXTURES, "seed001_200.csv"));
    await page.waitForSelector("#ns-dataset-facts", { timeout: 60_000 });
    await page.click("#ns-tab-network");
    await ready(page);
    const note = await page.innerText("#ns-net-coverage");
    expect(/rule alerts, top talkers, suspicious IPs, conversations/.test(note), `coverage note names the views (${note})`);
    expect(/source address/.test(note), "and what is missing");
    await page.waitForSelector("#ns-alerts-empty");
    await screenshot(page, "network-no-addresses");
  });
}
