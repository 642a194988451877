// Hostile data cannot make the page talk to another host (issue 17, defect 7): a CSV whose
// protocol, source-address and category cells and two column names are HTML that plotly.js would
// render (a `<span style>` whose CSS fetches from evil.example, an `<a href>` link, an `<img>`)
// is loaded and trained on, and every page is visited with its charts drawn. The runner records
// every request and fails the spec on any to another origin; this spec also checks that no link
// to evil.example exists in the DOM and that the hostile text is shown as text.

import { expect, screenshot } from "../helpers.mjs";

const SPAN = '<span style="fill:url(https://evil.example/p.svg#g);cursor:url(https://evil.example/c.cur)">';
const LINK = '<a href="https://evil.example/phish">x</a>';
const IMG = "<img src=https://evil.example/m.png>";

const q = (s) => `"${s.replaceAll('"', '""')}"`;

/** 120 flows: hostile protocol/source/category cells and column names; every tenth anomalous. */
function hostileCsv() {
  const lines = [`timestamp,src_ip,dst_ip,dst_port,protocol,bytes,packets,${q(`rate${LINK}`)},${q(`kind${IMG}`)},label`];
  for (let i = 0; i < 120; i++) {
    const bad = i % 10 === 3;
    const proto = [SPAN, LINK, "tcp"][i % 3];
    const src = i % 4 === 0 ? IMG : `10.0.0.${i % 7}`;
    const kind = [IMG, SPAN, "plain"][i % 3];
    const bytes = bad ? 90_000 + i * 7 : 500 + ((i * 37) % 200);
    const rate = (i % 9) * 1.5 + (bad ? 40 : 0);
    lines.push(
      [1_700_000_000 + i * 7, q(src), `10.0.1.${i % 5}`, [80, 443, 53][i % 3], q(proto), bytes, 3 + (i % 4), rate, q(kind), bad ? "attack" : "normal"].join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** Links to evil.example anywhere in the document (HTML and SVG anchors). */
async function evilLinks(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("a")].filter((a) =>
      /evil\.example/.test(a.getAttribute("href") ?? a.getAttribute("xlink:href") ?? ""),
    ).length,
  );
}

/** Elements whose style attribute mentions evil.example (plotly applies a `<span style>` so). */
async function evilStyles(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("[style]")].filter((e) => /evil\.example/.test(e.getAttribute("style"))).length,
  );
}

export default function register(spec) {
  spec("hostile: HTML in cells and column names reaches no chart as markup, no request leaves", async ({ page }) => {
    await page.goto("/");
    await page.setInputFiles("#ns-file", { name: "hostile.csv", mimeType: "text/csv", buffer: Buffer.from(hostileCsv()) });
    await page.waitForSelector("#ns-dataset-facts", { timeout: 30_000 });
    await page.click("#ns-train");
    await page.waitForFunction(() => document.querySelector("#ns-progress")?.dataset.kind === "idle", null, {
      timeout: 120_000,
      polling: 50,
    });
    await page.waitForSelector('#ns-timeline[data-state="drawn"] .main-svg', { timeout: 60_000 });
    await page.waitForSelector('#ns-analysis[data-state="ready"]', { timeout: 60_000 });
    await page.waitForFunction(
      () => {
        const plots = [...document.querySelectorAll("#ns-analysis .ns-analysis__plot")];
        return plots.length > 0 && plots.every((p) => p.dataset.state === "drawn");
      },
      null,
      { timeout: 60_000, polling: 100 },
    );
    // The hostile column name is on a chart, as text.
    const shown = await page.evaluate(() => document.querySelector("#ns-analysis")?.textContent ?? "");
    expect(shown.includes("rate<a href"), "the hostile column name is shown as text in the analysis charts");
    await screenshot(page, "hostile-analyze");
    for (const tab of ["anomalies", "network", "live", "history", "analyze"]) {
      await page.click(`#ns-tab-${tab}`);
      await page.waitForTimeout(tab === "network" ? 1500 : 600);
      if (tab === "network") {
        await page.waitForSelector('#ns-net-status[data-state="ready"]', { timeout: 60_000 });
        await page.waitForTimeout(800);
      }
      expect((await evilLinks(page)) === 0, `no link to evil.example on the ${tab} page`);
      expect((await evilStyles(page)) === 0, `no style from data on the ${tab} page`);
      await screenshot(page, `hostile-${tab}`);
    }
  });
}
