// Starts the engine worker: loads the wasm-bindgen glue (no-modules build) and instantiates the
// wasm next to it (relative URLs resolve against this script). The engine installs its own
// `onmessage` while it starts; messages that arrive before that are queued here and replayed,
// so the page may post right after `new Worker(...)`. A failed start is rethrown so the page's
// `onerror` sees it.
const early = [];
self.onmessage = (event) => early.push(event);
importScripts("./worker.js");
wasm_bindgen({ module_or_path: "./worker_bg.wasm" })
  .then(() => {
    const handler = self.onmessage;
    for (const event of early.splice(0)) handler(event);
  })
  .catch((err) => {
    setTimeout(() => {
      throw err;
    });
  });
