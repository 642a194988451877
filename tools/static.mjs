// A plain static file server for the built site (dist/), with no dependencies: used by `make run`
// (tools/serve.mjs) and by the end-to-end tests and browser benchmarks (tests/e2e/lib.mjs).

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, relative, resolve, sep } from "node:path";

export const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".ico": "image/x-icon",
  ".png": "image/png",
};

/**
 * A plain static server for `dir`, as a static host serves dist/: no rewrites, no fallback page.
 * Options:
 *   prefixes  URL paths the site is served under (default ["/"]); e.g. ["/", "/netsift/"] or
 *             ["/a/b/netsift/"]. A request outside every prefix is a 404, and a prefix without
 *             its trailing slash is redirected to it (as static hosts do).
 *   port, host  where to listen (default an ephemeral port on 127.0.0.1).
 *   onRequest(path, status)  called for every request (the path below the host).
 *   transform(relPath, body)  may return a replacement body (tests simulate a new build with it).
 */
export function serve(dir, { prefixes = ["/"], port = 0, host = "127.0.0.1", onRequest, transform } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const send = (status, headers, body) => {
      onRequest?.(url.pathname, status);
      res.writeHead(status, headers);
      res.end(body);
    };
    try {
      const pathname = decodeURIComponent(url.pathname);
      const bare = prefixes.find((p) => p !== "/" && pathname === p.slice(0, -1));
      if (bare) return send(301, { location: bare + url.search }, "");
      const prefix = prefixes.filter((p) => pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0];
      if (!prefix) throw new Error("outside the site");
      let rel = normalize(pathname.slice(prefix.length)).replace(/^(\.\.[/\\])+/, "");
      if (rel === "." || rel.endsWith("/")) rel = join(rel, "index.html");
      const file = join(root, rel);
      if (!file.startsWith(root + sep)) throw new Error("outside dist");
      let body = await readFile(file);
      body = (await transform?.(relative(root, file).split(sep).join("/"), body)) ?? body;
      send(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" }, body);
    } catch {
      send(404, { "content-type": "text/plain" }, "not found");
    }
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok(server));
  });
}

