// Starts the engine worker: loads the wasm-bindgen glue (no-modules build) and instantiates the
// wasm next to it. Relative URLs resolve against this script's location.
importScripts("./worker.js");
wasm_bindgen({ module_or_path: "./worker_bg.wasm" });
