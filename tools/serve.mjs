// Serves the built site (dist/) the way a static host would, at the root and under a sub-path:
//
//   node tools/serve.mjs [dir] [--port 8080] [--host 127.0.0.1] [--prefix /netsift/]
//
// http://127.0.0.1:8080/ and http://127.0.0.1:8080/netsift/ both show the app, so the developer
// sees what users of a sub-path deployment (GitHub Pages, an intranet folder) get. No file
// watching here: `make watch` rebuilds dist/ in another terminal, then reload the page.

import { stat } from "node:fs/promises";
import { join } from "node:path";
import { serve } from "./static.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [v] = args.splice(i, 2).slice(1);
  return v;
};
const port = Number(opt("port", process.env.PORT ?? 8080));
const host = opt("host", "127.0.0.1");
let prefix = opt("prefix", "/netsift/");
if (!prefix.startsWith("/")) prefix = `/${prefix}`;
if (!prefix.endsWith("/")) prefix += "/";
const dir = args[0] ?? "dist";

try {
  await stat(join(dir, "index.html"));
} catch {
  console.error(`serve: no ${dir}/index.html; build first (make build)`);
  process.exit(2);
}

const server = await serve(dir, {
  prefixes: ["/", prefix],
  port,
  host,
  onRequest: (path, status) => {
    if (status >= 400) console.log(`${status} ${path}`);
  },
}).catch((e) => {
  console.error(`serve: ${e.message}${e.code === "EADDRINUSE" ? ` (another port: make run PORT=8081)` : ""}`);
  process.exit(1);
});
const base = `http://${host}:${server.address().port}`;
console.log(`serving ${dir}/ at ${base}/ and ${base}${prefix} (Ctrl-C stops)`);
