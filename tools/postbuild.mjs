// Trunk post-build hook (Trunk.toml [[hooks]]): finishes the site in Trunk's staging directory
// before Trunk moves it to dist/.
//
// 1. No inline script. Trunk injects the wasm start-up as an inline <script type="module">; it is
//    moved into its own file (named by its content hash), so the page's Content-Security-Policy
//    can say `script-src 'self'`. The build fails if any inline script is left.
// 2. The service worker's precache list: every file of the build with a content hash, and a
//    version derived from all of them, written into sw.js (which holds a placeholder). A new
//    build gives a byte-different sw.js, so browsers install it as an update.
//
//   TRUNK_STAGING_DIR=dist node tools/postbuild.mjs   (Trunk sets the variable itself)

import { createHash } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("postbuild: TRUNK_STAGING_DIR is not set (run through `trunk build`)");
  process.exit(1);
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// 1. Inline scripts out of index.html.
const htmlPath = join(dir, "index.html");
let html = await readFile(htmlPath, "utf8");
const INLINE = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
const moved = [];
html = html.replace(INLINE, (whole, attrs, body) => {
  if (/\bsrc\s*=/.test(attrs) || body.trim() === "") return whole;
  if (!/type\s*=\s*["']?module/.test(attrs)) {
    throw new Error(`postbuild: an inline classic script is left in index.html:\n${whole.slice(0, 200)}`);
  }
  const name = `start-${sha256(body).slice(0, 16)}.js`;
  moved.push({ name, body });
  const keep = attrs.replace(/\snonce\s*=\s*("[^"]*"|'[^']*'|\S+)/, "");
  return `<script${keep} src="./${name}"></script>`;
});
for (const { name, body } of moved) await writeFile(join(dir, name), body.trim() + "\n");
const left = [...html.matchAll(INLINE)].filter(([, attrs, body]) => !/\bsrc\s*=/.test(attrs) && body.trim());
if (left.length) throw new Error("postbuild: inline scripts are left in index.html");
if (!/http-equiv="Content-Security-Policy"/.test(html)) throw new Error("postbuild: index.html has no CSP");
await writeFile(htmlPath, html);

// 2. Precache list for the service worker.
async function files(d) {
  const out = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}
const swPath = join(dir, "sw.js");
const entries = [];
for (const file of (await files(dir)).sort()) {
  const url = relative(dir, file).split(sep).join("/");
  // Not sw.js itself, nor host configuration files (.nojekyll, _headers, _redirects).
  if (url === "sw.js" || /(^|\/)[._]/.test(url)) continue;
  entries.push({ url: `./${url}`, hash: sha256(await readFile(file)).slice(0, 16) });
}
const version = sha256(JSON.stringify(entries)).slice(0, 16);
const sw = await readFile(swPath, "utf8");
const marker = /\/\*PRECACHE\*\/[\s\S]*?\/\*END\*\//;
if (!marker.test(sw)) throw new Error("postbuild: sw.js lacks the /*PRECACHE*/…/*END*/ placeholder");
await writeFile(
  swPath,
  sw.replace(marker, `/*PRECACHE*/ ${JSON.stringify({ version, files: entries })} /*END*/`),
);
const bytes = (await Promise.all((await files(dir)).map((f) => readFile(f)))).reduce((n, b) => n + b.length, 0);
console.log(
  `postbuild: ${moved.length} inline script(s) moved to files; sw.js precaches ${entries.length} files ` +
    `(${(bytes / 1e6).toFixed(2)} MB), version ${version}`,
);
