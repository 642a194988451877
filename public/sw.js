// netsift service worker: the whole app, offline, after one visit.
//
// At install it stores every file of the build in a cache named after the build's version (the
// list and the version are written in below by tools/postbuild.mjs at build time, from the
// files' content hashes). Requests are answered from that cache first, so a page and all its
// scripts, wasm and styles always come from one build. A new build installs next to the old
// one and waits; the page offers "A new version is available — reload" (public/sw-register.js),
// and when the analyst accepts, the new worker takes over and deletes the old caches.
// Requests to other origins are never touched (the app makes none).

const BUILD = /*PRECACHE*/ { version: "dev", files: [] } /*END*/;
const PREFIX = "netsift-";
const CACHE = PREFIX + BUILD.version;
const scope = new URL(self.registration.scope);
const INDEX = new URL("./index.html", scope).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        BUILD.files.map(({ url }) =>
          // `reload`: skip the HTTP cache, so an older copy of an unhashed file never enters.
          fetch(new Request(new URL(url, scope), { cache: "reload" })).then((res) => {
            if (!res.ok) throw new Error(`precache ${url}: HTTP ${res.status}`);
            return cache.put(new URL(url, scope).href, res);
          }),
        ),
      ),
    ),
  );
  // The first install activates at once (nothing to replace); an update waits for the page.
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== scope.origin) return;
  // Any page of the app (`./`, `./index.html`, `?demo=…`) is the one index.html.
  const key = req.mode === "navigate" ? INDEX : url.origin + url.pathname;
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(key))
      .then((hit) => hit || fetch(req)),
  );
});
