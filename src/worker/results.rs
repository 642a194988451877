//! The results view's worker jobs (wasm only): the data set's per-row facts (timestamps) and the
//! JSON export of the last run. The CSV export stays in [`runtime`](super::runtime).

use crate::engine::summary::{result_export_json, RowMeta};
use crate::worker::protocol::{ExportFile, WorkerError};
use crate::worker::runtime::with_state;

/// `RowMeta`: the timestamps of the current data set, when it has a timestamp column.
pub fn row_meta() -> Result<RowMeta, WorkerError> {
    with_state(|s| Ok(RowMeta::of(s.table()?)))
}

/// `ExportJson`: the last result relabelled under `threshold`, with the card numbers, as a
/// timestamped `netsift-result-….json`.
pub fn export_json(threshold: Option<f64>) -> Result<ExportFile, WorkerError> {
    with_state(|s| {
        let (_, result) = s.last()?;
        let now = js_sys::Date::now() / 1000.0;
        let json = result_export_json(result, threshold, now)?;
        Ok(ExportFile {
            file_name: crate::engine::report::export_file_name("result", "json", now),
            mime: "application/json".into(),
            bytes: json.into_bytes(),
        })
    })
}
