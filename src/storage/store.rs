//! The key-value store interface the adapters implement, an in-memory implementation, and
//! typed helpers for workspaces and runs.

use std::collections::BTreeMap;

use crate::storage::history::{expired, Retention};
use crate::storage::migrate::{run_from_json, workspace_from_json};
use crate::storage::schema::{RunRecord, Workspace, SCHEMA_VERSION};
use crate::storage::StorageError;

/// The collection (object store) of workspaces.
pub const WORKSPACES: &str = "workspaces";
/// The collection of run records.
pub const RUNS: &str = "runs";

/// A synchronous key-value store of JSON text, by collection and key. The IndexedDB adapter
/// implements it over its object stores; [`MemoryStore`] is the fallback when storage is
/// unavailable, and the test double.
pub trait Store {
    /// The value at `key`, if any.
    fn get(&self, collection: &str, key: &str) -> Result<Option<String>, StorageError>;
    /// Stores `value` at `key`, replacing any value.
    fn put(&mut self, collection: &str, key: &str, value: String) -> Result<(), StorageError>;
    /// Removes `key`; returns whether it existed.
    fn delete(&mut self, collection: &str, key: &str) -> Result<bool, StorageError>;
    /// Every key of a collection, sorted.
    fn list(&self, collection: &str) -> Result<Vec<String>, StorageError>;
}

/// An in-memory [`Store`], optionally with a byte quota (to exercise "storage full") or
/// blocked (to exercise private-mode failures).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    data: BTreeMap<(String, String), String>,
    /// Largest total of stored value bytes; `None` = unlimited.
    pub quota: Option<usize>,
    /// When true every call fails with [`StorageError::Blocked`].
    pub blocked: bool,
}

impl MemoryStore {
    /// An empty, unlimited store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes of values stored.
    pub fn used(&self) -> usize {
        self.data.values().map(String::len).sum()
    }

    fn check(&self) -> Result<(), StorageError> {
        if self.blocked {
            Err(StorageError::Blocked(
                "the in-memory store is blocked".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl Store for MemoryStore {
    fn get(&self, collection: &str, key: &str) -> Result<Option<String>, StorageError> {
        self.check()?;
        Ok(self
            .data
            .get(&(collection.to_string(), key.to_string()))
            .cloned())
    }

    fn put(&mut self, collection: &str, key: &str, value: String) -> Result<(), StorageError> {
        self.check()?;
        let k = (collection.to_string(), key.to_string());
        if let Some(q) = self.quota {
            let old = self.data.get(&k).map_or(0, String::len);
            if self.used() - old + value.len() > q {
                return Err(StorageError::Full);
            }
        }
        self.data.insert(k, value);
        Ok(())
    }

    fn delete(&mut self, collection: &str, key: &str) -> Result<bool, StorageError> {
        self.check()?;
        Ok(self
            .data
            .remove(&(collection.to_string(), key.to_string()))
            .is_some())
    }

    fn list(&self, collection: &str) -> Result<Vec<String>, StorageError> {
        self.check()?;
        Ok(self
            .data
            .keys()
            .filter(|(c, _)| c == collection)
            .map(|(_, k)| k.clone())
            .collect())
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StorageError> {
    serde_json::to_string(v).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// Saves a workspace under its id (stamping the current [`SCHEMA_VERSION`]).
pub fn save_workspace(store: &mut dyn Store, ws: &Workspace) -> Result<(), StorageError> {
    let mut ws = ws.clone();
    ws.schema_version = SCHEMA_VERSION;
    store.put(WORKSPACES, &ws.id, to_json(&ws)?)
}

/// Loads a workspace, migrating older versions.
pub fn load_workspace(store: &dyn Store, id: &str) -> Result<Option<Workspace>, StorageError> {
    store
        .get(WORKSPACES, id)?
        .map(|t| workspace_from_json(&t))
        .transpose()
}

/// Saves a run record under its id.
pub fn save_run(store: &mut dyn Store, run: &RunRecord) -> Result<(), StorageError> {
    store.put(RUNS, &run.id, to_json(run)?)
}

/// Every stored run, oldest first. Unreadable records are skipped and counted.
pub fn load_runs(store: &dyn Store) -> Result<(Vec<RunRecord>, usize), StorageError> {
    let mut runs = Vec::new();
    let mut bad = 0;
    for key in store.list(RUNS)? {
        match store.get(RUNS, &key)?.map(|t| run_from_json(&t)) {
            Some(Ok(r)) => runs.push(r),
            Some(Err(_)) => bad += 1,
            None => {}
        }
    }
    runs.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.id.cmp(&b.id)));
    Ok((runs, bad))
}

/// Deletes the runs `retention` drops at `now`; returns their ids.
pub fn apply_retention(
    store: &mut dyn Store,
    retention: &Retention,
    now: f64,
) -> Result<Vec<String>, StorageError> {
    let (runs, _) = load_runs(store)?;
    let ids = expired(&runs, retention, now);
    for id in &ids {
        store.delete(RUNS, id)?;
    }
    Ok(ids)
}
