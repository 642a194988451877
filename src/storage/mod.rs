//! Persistence: the workspace schema with its versions and migrations (native, testable), and the
//! IndexedDB adapter (wasm only). (To be implemented.)
