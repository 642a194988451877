// Shared by the end-to-end tests (run.mjs) and the browser benchmark (bench.mjs): a static
// server for dist/ on 127.0.0.1 (tools/static.mjs, the one behind `make run`) and Debian's
// Chromium started the way this machine needs.

import { chromium } from "playwright-core";

export { MIME, serve } from "../../tools/static.mjs";

/** Headless Chromium (Debian's, or $CHROMIUM) with no background traffic. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
