// The Data and Train panels: sample parameters, advanced detector parameters with the engine's
// validation, train-on-normal, per-detector progress, the column-mapping panel, cancel.

import { expect, expectEq, loadSample, screenshot, statNumber, train } from "../helpers.mjs";

/** A generic flow CSV: an id column, two IP columns, ports, protocol, numbers, a timestamp. */
function genericCsv(rows = 300) {
  const lines = ["flow_id,src_addr,dst_addr,dport,proto,octets,pkts,started,class"];
  for (let i = 0; i < rows; i++) {
    const bad = i % 10 === 0;
    lines.push(
      [
        `f${1000 + i}`,
        `10.0.${i % 7}.${(i * 13) % 250}`,
        `192.168.1.${(i * 7) % 250}`,
        bad ? 4444 : [80, 443, 53][i % 3],
        i % 3 === 2 ? "udp" : "tcp",
        bad ? 900000 + i : 500 + ((i * 37) % 900),
        bad ? 900 : 3 + (i % 20),
        `2025-03-01 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}`,
        bad ? "attack" : "normal",
      ].join(","),
    );
  }
  return Buffer.from(lines.join("\n") + "\n");
}

/** Rows of the column overview as {name: role}. */
async function overviewRoles(page) {
  return page.$$eval("#ns-columns tbody tr", (trs) =>
    Object.fromEntries(trs.map((tr) => [tr.querySelector("th").textContent, tr.querySelector(".ns-role").textContent])),
  );
}

/** Registers this file's specs. */
export default function register(spec) {
  spec("panels: sample parameters change rows, ratio and time span; label and timestamp detected", async ({ page }) => {
    await page.goto("/");
    await page.click(".ns-source .ns-details > summary");
    await page.fill("#ns-sample-rows", "1500");
    await page.fill("#ns-sample-ratio", "10");
    await page.fill("#ns-sample-seed", "7");
    await page.fill("#ns-sample-start", "2024-06-01T12:00");
    await page.dispatchEvent("#ns-sample-start", "change");
    await page.fill("#ns-sample-duration", "3600");
    // An invalid value shows a message and blocks loading.
    await page.fill("#ns-sample-ratio", "80");
    await page.waitForSelector(".ns-source .ns-field-error");
    expect(await page.isDisabled("#ns-load-sample"), "Load sample disabled while the ratio is invalid");
    await page.fill("#ns-sample-ratio", "10");
    expect(!(await page.isDisabled("#ns-load-sample")), "Load sample enabled again");
    const rows = await loadSample(page);
    expectEq(rows, 1500, "rows loaded");
    const facts = await page.locator("#ns-dataset-facts").innerText();
    const m = /anomaly: ([\d\s\u202f\u00a0]+)/.exec(facts) ?? /attack[^:]*: ([\d\s\u202f\u00a0]+)/.exec(facts);
    const classes = await page.locator("#ns-dataset-detected").innerText();
    expect(/label: `label`, 2 classes/.test(classes), `label detected (${classes})`);
    expect(/timestamp: `timestamp`/.test(classes), `timestamp detected (${classes})`);
    // Anomaly share from the label classes: 10 % of 1500.
    const counts = [...facts.matchAll(/: ([\d\s\u202f\u00a0]+)/g)].map((x) => Number(x[1].replace(/\D/g, "")));
    const minority = Math.min(...counts);
    expectEq(minority, 150, `anomalous rows at 10 % (facts: ${facts}; ${m})`);
    // Time span from the column overview: min/max of the timestamp column.
    const ts = await page.$$eval("#ns-columns tbody tr", (trs) => {
      const tr = trs.find((t) => t.querySelector("th").textContent === "timestamp");
      return tr ? [...tr.querySelectorAll("td.ns-num")].map((td) => td.textContent) : null;
    });
    expect(ts !== null, "timestamp column in the overview");
    const preview = await page.$$eval("#ns-preview tbody tr:first-child td", (tds) => tds.map((t) => t.textContent));
    expect(preview.some((c) => c.startsWith("2024-06-01") || c.startsWith("17172")), `first row starts 2024-06-01 (${preview})`);
    await screenshot(page, "panels-sample-params");
  });

  spec("panels: advanced parameters validate inline and block Train; train on normal rows", async ({ page }) => {
    await page.goto("/");
    await loadSample(page);
    // Two detectors (all four are ticked by default): the Isolation Forest and LOF.
    for (const d of ["one_class_svm", "autoencoder"]) await page.uncheck(`#ns-det-${d}`);
    await page.check("#ns-det-lof");
    await page.click("#ns-params-lof > summary");
    await page.fill("#ns-param-lof-n_neighbors", "0");
    const err = page.locator("#ns-params-lof .ns-param__error");
    await err.waitFor();
    const text = await err.innerText();
    expect(/n_neighbors/.test(text) && /at least 1/.test(text), `engine message beside the field (${text})`);
    expectEq(await page.getAttribute("#ns-param-lof-n_neighbors", "aria-invalid"), "true", "aria-invalid");
    expect(await page.isDisabled("#ns-train"), "Train disabled while a parameter is invalid");
    await page.fill("#ns-param-lof-n_neighbors", "ten");
    expect(/whole number/.test(await err.innerText()), "text that is not a number is refused");
    await page.fill("#ns-param-lof-n_neighbors", "5000");
    expect(/smaller than the number of training rows/.test(await err.innerText()), "shape-dependent check");
    await screenshot(page, "panels-param-error");
    await page.fill("#ns-param-lof-n_neighbors", "15");
    expect(!(await page.isDisabled("#ns-train")), "Train enabled after the fix");

    // Train on normal rows: the result trains on fewer rows than it scores.
    expect(!(await page.isDisabled("#ns-train-normal")), "train-on-normal enabled with labels");
    await page.check("#ns-train-normal");
    const hint = await page.locator("#ns-train-normal-why").innerText();
    expect(/850 normal rows/.test(hint), `hint names the normal rows (${hint})`);
    await train(page);
    expectEq(await statNumber(page, "rows"), 1000, "rows scored");
    const rows = await page.$$eval("#ns-det-progress li", (lis) => lis.map((l) => [l.dataset.detector, l.dataset.phase, l.textContent]));
    expectEq(rows.length, 2, "a progress row per ticked detector");
    for (const [d, phase, t] of rows) {
      expectEq(phase, "done", `${d} reached done (${t})`);
      expect(/done in \d/.test(t), `seconds shown (${t})`);
    }
    await page.check("#ns-train-all");
    await screenshot(page, "panels-trained");
  });

  spec("panels: column mapping of a generic CSV — guesses, change, apply, overview follows", async ({ page }) => {
    await page.goto("/");
    await page.setInputFiles("#ns-file", { name: "generic_flows.csv", mimeType: "text/csv", buffer: genericCsv() });
    await page.waitForSelector("#ns-dataset-facts");
    expectEq(await statNumber(page, "dataset-rows"), 300, "rows loaded");
    expect(!(await page.isDisabled("#ns-train-normal")), "labels found: train-on-normal enabled");
    await page.click("#ns-mapping > summary");
    await page.waitForSelector("#ns-mapping-table tbody tr");
    const uses = await page.$$eval("#ns-mapping-table tbody tr", (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.dataset.column, tr.querySelector("select")?.value])),
    );
    expectEq(uses.flow_id, "ignore", "flow id is not a feature");
    expectEq(uses.src_addr, "src_ip", "source IP guessed");
    expectEq(uses.dst_addr, "dst_ip", "destination IP guessed");
    expectEq(uses.dport, "dst_port", "destination port guessed");
    expectEq(uses.proto, "protocol", "protocol guessed");
    expectEq(uses.started, "timestamp", "timestamp guessed");
    expectEq(uses.class, "label", "label guessed");
    expectEq(uses.octets, "numeric", "bytes are a numeric feature");
    const why = await page.locator('#ns-mapping-table tr[data-column="flow_id"] .ns-mapping__why').innerText();
    expect(/identifier/.test(why), `reason shown (${why})`);
    const before = await overviewRoles(page);
    expectEq(before.pkts, "feature", "pkts feature before");

    expect(await page.isDisabled("#ns-mapping-apply"), "Apply disabled with no change");
    await page.selectOption("#ns-map-pkts", "ignore");
    await page.selectOption("#ns-map-src-addr", "categorical");
    await screenshot(page, "panels-mapping-draft");
    await page.click("#ns-mapping-apply");
    await page.waitForFunction(() => document.querySelector('#ns-columns th')?.closest("table") &&
      [...document.querySelectorAll("#ns-columns tbody tr")].some((tr) => tr.querySelector("th").textContent === "pkts" && tr.querySelector(".ns-role").textContent === "ignored"));
    const after = await overviewRoles(page);
    expectEq(after.pkts, "ignored", "pkts ignored after Apply");
    expectEq(after.src_addr, "feature", "src_addr a feature after Apply");
    const kinds = await page.$$eval("#ns-columns tbody tr", (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.querySelector("th").textContent, tr.querySelector("td").textContent])),
    );
    expectEq(kinds.src_addr, "categorical", "src_addr stored as text");
    const why2 = await page.locator('#ns-mapping-table tr[data-column="pkts"] .ns-mapping__why').innerText();
    expect(/set by you/.test(why2), `user choice marked (${why2})`);
    // Training uses the new mapping: the encoded inputs include src_addr categories, not pkts.
    await train(page);
    expectEq(await statNumber(page, "rows"), 300, "rows scored after remap");
    await screenshot(page, "panels-mapping-applied");
  });

  spec("panels: cancel a long training — data set kept, Cancelled shown, Train works again", async ({ page }) => {
    await page.goto("/");
    await page.click(".ns-source .ns-details > summary");
    await page.fill("#ns-sample-rows", "60000");
    const rows = await loadSample(page);
    expectEq(rows, 60000, "large sample loaded");
    for (const d of ["one_class_svm", "lof", "autoencoder"]) await page.check(`#ns-det-${d}`);
    await page.click("#ns-train");
    await page.waitForFunction(() => document.querySelector("#ns-progress")?.dataset.kind === "train");
    await page.waitForTimeout(500);
    await page.click("#ns-cancel");
    await page.waitForFunction(() => document.querySelector("#ns-progress")?.dataset.kind === "idle", null, { timeout: 10_000 });
    await page.waitForFunction(() => /Cancelled/.test(document.body.innerText), null, { timeout: 10_000 });
    expectEq(await statNumber(page, "dataset-rows"), 60000, "data set still loaded");
    const phases = await page.$$eval("#ns-det-progress li", (lis) => lis.map((l) => l.dataset.phase));
    expect(phases.includes("stopped"), `unfinished detectors marked stopped (${phases})`);
    await screenshot(page, "panels-cancelled");
    // A new training works (on the reloaded data set in the replacement worker).
    for (const d of ["one_class_svm", "lof", "autoencoder"]) await page.uncheck(`#ns-det-${d}`);
    await page.waitForFunction(() => !document.querySelector("#ns-train").disabled, null, { timeout: 30_000 });
    await train(page);
    expectEq(await statNumber(page, "rows"), 60000, "rows scored after cancel");
  });
}
