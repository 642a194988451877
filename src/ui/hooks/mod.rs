//! Hooks: small functions that wire the page to the outside world and return a struct.

pub mod use_storage;
pub mod use_worker;

pub use use_storage::{provide_storage, use_storage, UseStorageReturn};
pub use use_worker::{provide_worker, use_worker, UseWorkerReturn};
