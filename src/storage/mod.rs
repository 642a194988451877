//! Persistence: the workspace schema with its versions and migrations, history queries and
//! retention, and the key-value [`Store`] interface with an in-memory implementation — all
//! native and tested without a browser. The IndexedDB adapter implements [`Store`] (wasm only).
//!
//! | module | job |
//! |---|---|
//! | [`schema`] | [`Workspace`], [`RunRecord`] and their parts; [`SCHEMA_VERSION`] |
//! | [`migrate`] | reading documents of any known version ([`migrate::migrate`]) |
//! | [`history`] | filters by time, source IP, severity, tag; retention |
//! | [`store`] | the [`Store`] trait, [`MemoryStore`], typed save/load helpers |

pub mod history;
#[cfg(feature = "ui")]
pub mod indexed_db;
pub mod migrate;
pub mod schema;
pub mod store;

use serde::{Deserialize, Serialize};

pub use history::{expired, filter_anomalies, filter_runs, HistoryFilter, Retention};
pub use migrate::{migrate, workspace_from_json};
pub use schema::{
    anomaly_records, data_schema, AnomalyRecord, DataColumn, DataSource, ResultSummary, RunRecord,
    Settings, SeverityCounts, Workspace, SCHEMA_VERSION,
};
pub use store::{
    apply_retention, load_runs, load_workspace, save_run, save_workspace, MemoryStore, Store,
};

/// A storage failure, with a message the UI can show as is.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum StorageError {
    /// The quota is used up.
    #[error("browser storage is full: this workspace is kept in memory only until space is freed (delete old runs or workspaces)")]
    Full,
    /// Storage is unavailable (private browsing, blocked by settings, another tab upgrading).
    #[error("browser storage is unavailable ({0}): work continues in memory and is lost when the tab closes")]
    Blocked(String),
    /// A stored document is not valid JSON or not the expected shape.
    #[error("a stored document is damaged: {0}")]
    Corrupt(String),
    /// A document from a newer netsift.
    #[error("this workspace was saved by a newer netsift (schema version {found}; this one reads up to {supported})")]
    TooNew {
        /// Its version.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// Migrating an older document failed.
    #[error("could not upgrade a workspace from schema version {from}: {message}")]
    Migration {
        /// The version it failed from.
        from: u32,
        /// What went wrong.
        message: String,
    },
    /// Anything else the backend reports.
    #[error("storage error: {0}")]
    Backend(String),
}
