//! The IndexedDB adapter (wasm only), on the `idb` crate (futures over the raw IndexedDB API,
//! typed errors, and the upgrade hook we need for versioned object stores).
//!
//! IndexedDB is asynchronous and [`Store`] is synchronous, so [`IdbStore`] is a write-through
//! cache: [`IdbStore::open`] reads every document once, reads are served from memory, and each
//! write updates memory at once and is written to IndexedDB in the background; a failed write
//! (quota exceeded, the database closed under us) is handed to the `on_error` callback as a
//! [`StorageError`] so the page can say that work is now kept in memory only. Documents are
//! migrated when read ([`crate::storage::migrate`]); the IndexedDB version only adds object stores.
//!
//! Data files are stored as `Blob`s beside the documents ([`IdbStore::put_blob`]): IndexedDB
//! keeps them by structured clone, so a reload can hand the same bytes back to the worker.

use std::rc::Rc;

use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use crate::storage::store::{MemoryStore, Store, RUNS, WORKSPACES};
use crate::storage::StorageError;

/// The database name.
pub const DB_NAME: &str = "netsift";
/// The IndexedDB version: 1 = the object stores below.
pub const DB_VERSION: u32 = 1;
/// Small settings documents (retention, theme).
pub const META: &str = "meta";
/// Data files kept for reloads.
pub const BLOBS: &str = "blobs";
/// Every object store of version 1.
pub const STORES: [&str; 4] = [WORKSPACES, RUNS, META, BLOBS];
/// Document collections cached in memory (all but the blobs).
const DOC_STORES: [&str; 3] = [WORKSPACES, RUNS, META];

/// Called with a failure of a background write.
pub type OnError = Rc<dyn Fn(StorageError)>;

/// A [`Store`] over IndexedDB with an in-memory copy (see the module docs).
pub struct IdbStore {
    db: Rc<Database>,
    cache: MemoryStore,
    on_error: OnError,
}

/// Turns an `idb` error into a storage error (quota → [`StorageError::Full`]).
fn classify(e: idb::Error) -> StorageError {
    let text = e.to_string();
    if text.contains("QuotaExceeded") || text.contains("quota") {
        StorageError::Full
    } else {
        StorageError::Backend(text)
    }
}

impl IdbStore {
    /// Opens (creating or upgrading) the database and reads every document into memory.
    ///
    /// Errors: [`StorageError::Blocked`] when IndexedDB is unavailable (private mode, disabled,
    /// another tab holding an older version open).
    pub async fn open(on_error: OnError) -> Result<Self, StorageError> {
        let blocked = |e: idb::Error| StorageError::Blocked(e.to_string());
        let factory = Factory::new().map_err(blocked)?;
        let mut request = factory.open(DB_NAME, Some(DB_VERSION)).map_err(blocked)?;
        request.on_upgrade_needed(|event| {
            // Each version adds what it needs; documents themselves migrate on read.
            if let Ok(db) = event.database() {
                let have = db.store_names();
                for name in STORES {
                    if !have.iter().any(|h| h == name) {
                        let _ = db.create_object_store(name, ObjectStoreParams::new());
                    }
                }
            }
        });
        let db = request.await.map_err(blocked)?;
        let mut cache = MemoryStore::new();
        let tx = db
            .transaction(&DOC_STORES, TransactionMode::ReadOnly)
            .map_err(blocked)?;
        for name in DOC_STORES {
            let store = tx.object_store(name).map_err(blocked)?;
            let keys = store
                .get_all_keys(None, None)
                .map_err(classify)?
                .await
                .map_err(classify)?;
            let values = store
                .get_all(None, None)
                .map_err(classify)?
                .await
                .map_err(classify)?;
            for (k, v) in keys.iter().zip(values) {
                if let (Some(k), Some(v)) = (k.as_string(), v.as_string()) {
                    cache.put(name, &k, v)?;
                }
            }
        }
        Ok(Self {
            db: Rc::new(db),
            cache,
            on_error,
        })
    }

    fn write(&self, collection: &str, key: &str, value: Option<JsValue>) {
        let db = Rc::clone(&self.db);
        let on_error = Rc::clone(&self.on_error);
        let (collection, key) = (collection.to_string(), key.to_string());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = write(&db, &collection, &key, value).await {
                on_error(e);
            }
        });
    }

    /// Stores a data file under `key` (the future does not borrow the store).
    pub fn put_blob(
        &self,
        key: &str,
        blob: &Blob,
    ) -> impl std::future::Future<Output = Result<(), StorageError>> + 'static {
        let (db, key, value) = (
            Rc::clone(&self.db),
            key.to_string(),
            JsValue::from(blob.clone()),
        );
        async move { write(&db, BLOBS, &key, Some(value)).await }
    }

    /// The data file stored under `key`, if any (the future does not borrow the store).
    pub fn get_blob(
        &self,
        key: &str,
    ) -> impl std::future::Future<Output = Result<Option<Blob>, StorageError>> + 'static {
        let (db, key) = (Rc::clone(&self.db), key.to_string());
        async move {
            let tx = db
                .transaction(&[BLOBS], TransactionMode::ReadOnly)
                .map_err(classify)?;
            let store = tx.object_store(BLOBS).map_err(classify)?;
            let v = store
                .get(JsValue::from_str(&key))
                .map_err(classify)?
                .await
                .map_err(classify)?;
            Ok(v.and_then(|v| v.dyn_into::<Blob>().ok()))
        }
    }

    /// Removes the data file under `key`.
    pub fn delete_blob(&self, key: &str) {
        self.write(BLOBS, key, None);
    }
}

async fn write(
    db: &Database,
    collection: &str,
    key: &str,
    value: Option<JsValue>,
) -> Result<(), StorageError> {
    let tx = db
        .transaction(&[collection], TransactionMode::ReadWrite)
        .map_err(classify)?;
    let store = tx.object_store(collection).map_err(classify)?;
    let k = JsValue::from_str(key);
    match value {
        Some(v) => {
            store
                .put(&v, Some(&k))
                .map_err(classify)?
                .await
                .map_err(classify)?;
        }
        None => {
            store.delete(k).map_err(classify)?.await.map_err(classify)?;
        }
    }
    tx.commit().map_err(classify)?.await.map_err(classify)?;
    Ok(())
}

impl Store for IdbStore {
    fn get(&self, collection: &str, key: &str) -> Result<Option<String>, StorageError> {
        self.cache.get(collection, key)
    }

    fn put(&mut self, collection: &str, key: &str, value: String) -> Result<(), StorageError> {
        self.cache.put(collection, key, value.clone())?;
        self.write(collection, key, Some(JsValue::from_str(&value)));
        Ok(())
    }

    fn delete(&mut self, collection: &str, key: &str) -> Result<bool, StorageError> {
        let had = self.cache.delete(collection, key)?;
        self.write(collection, key, None);
        Ok(had)
    }

    fn list(&self, collection: &str) -> Result<Vec<String>, StorageError> {
        self.cache.list(collection)
    }
}
