// Renders public/icon.svg to the PNG icons the web app manifest lists (public/icon-192.png,
// public/icon-512.png) in headless Chromium. Run after changing the SVG; the PNGs are committed.
//
//   node tools/icons.mjs

import { readFile } from "node:fs/promises";
import { launchChromium } from "../tests/e2e/lib.mjs";

const svg = await readFile(new URL("../public/icon.svg", import.meta.url), "utf8");
const browser = await launchChromium();
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(
    `<style>html,body{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`,
  );
  await page.screenshot({ path: new URL(`../public/icon-${size}.png`, import.meta.url).pathname, omitBackground: true });
  await page.close();
}
await browser.close();
