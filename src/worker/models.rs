//! Saved models and history entries in the worker: export the last trained ensemble as a model
//! file, score the current data set with an imported one (no training), and build the history
//! record of the last run. The pure parts ([`score_with_file`]) are native and tested; the job
//! handlers are wasm only.

use serde::{Deserialize, Serialize};

use crate::engine::data::Table;
use crate::engine::ensemble::TrainedEnsemble;
use crate::engine::model_file::{self, ModelMeta};
use crate::engine::pipeline::{self, RunResult};
use crate::engine::progress::Progress;
use crate::storage::DataSource;

/// What the page asks for when it wants a history entry for the last run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRequest {
    /// Run id.
    pub id: String,
    /// Workspace id.
    pub workspace_id: String,
    /// When it ran, epoch seconds.
    pub at: f64,
    /// The data source, as the page knows it.
    pub source: DataSource,
    /// The analyst's ensemble-score threshold (`None` = the vote decision): the entry's summary
    /// and anomalies are counted under it.
    pub threshold: Option<f64>,
}

/// Imports a model file and scores `table` with it.
///
/// Errors (as text ready to show): the file is not a model, another format version, altered,
/// or made for another schema (which columns are missing or of another kind).
pub fn score_with_file(
    bytes: &[u8],
    file_name: &str,
    table: &Table,
    data_schema: Option<&str>,
    progress: &mut dyn Progress,
    clock: &dyn Fn() -> f64,
) -> Result<(TrainedEnsemble, RunResult), String> {
    let (model, meta) = model_file::import(bytes).map_err(|e| format!("{file_name}: {e}"))?;
    model_file::check_schema(&model, table).map_err(|e| {
        format!(
            "{file_name} cannot score this data — {}. Load data with the columns the model was trained on, or train a new model.",
            e.with_names(meta.schema_name.as_deref(), data_schema)
        )
    })?;
    let result = pipeline::score_with_clock(&model, table, progress, clock)
        .map_err(|e| format!("{file_name}: scoring failed: {e}"))?;
    Ok((model, result))
}

/// The meta a model file gets when the page asks for an export.
pub fn meta_for(name: &str, created: f64, source: &str, schema: &str) -> ModelMeta {
    ModelMeta {
        name: name.into(),
        created,
        schema_name: (!schema.is_empty()).then(|| schema.to_string()),
        source: (!source.is_empty()).then(|| source.to_string()),
        notes: String::new(),
        app_version: env!("CARGO_PKG_VERSION").into(),
    }
}

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub(crate) use handlers::{export_model, import_model, run_record};

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
mod handlers {
    use js_sys::Uint8Array;
    use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync};

    use super::*;
    use crate::engine::model_file::ModelMeta;
    use crate::storage::RunRecord;
    use crate::worker::protocol::{ExportFile, JobId, WorkerError};
    use crate::worker::runtime::{now_ms, with_state, Sink};

    /// `ExportModel`: the last trained ensemble as a model file.
    pub(crate) fn export_model(meta: ModelMeta) -> Result<ExportFile, WorkerError> {
        with_state(|s| {
            let (model, _) = s.last()?;
            let bytes = model_file::export(model, &meta)?;
            let stem: String = meta
                .name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            Ok(ExportFile {
                file_name: format!("netsift-model-{}.json", stem.trim_matches('-')),
                mime: "application/json".into(),
                bytes,
            })
        })
    }

    /// `ImportModel`: reads the model file beside the message and scores the current data.
    pub(crate) fn import_model(
        scope: &DedicatedWorkerGlobalScope,
        job: JobId,
        name: &str,
        file: Option<File>,
    ) -> Result<Box<RunResult>, WorkerError> {
        let file = file.ok_or_else(|| {
            WorkerError::BadRequest(format!(
                "no file came with the request to import {name}; pick it again"
            ))
        })?;
        let reader = FileReaderSync::new().map_err(|_| {
            WorkerError::Browser("this browser cannot read files inside a worker".into())
        })?;
        let buf = reader.read_as_array_buffer(&file).map_err(|_| {
            WorkerError::Browser(format!("could not read {name}; is the file still there?"))
        })?;
        let bytes = Uint8Array::new(&buf).to_vec();
        let started = now_ms();
        let (model, mut result) = with_state(|s| {
            let table = s.table()?;
            let mut sink = Sink::new(scope, job);
            score_with_file(&bytes, name, table, None, &mut sink, &|| now_ms() / 1000.0)
                .map_err(WorkerError::ModelMismatch)
        })?;
        result.total_seconds = (now_ms() - started) / 1000.0;
        let answer = Box::new(result.clone());
        with_state(|s| s.last = Some((model, result)));
        Ok(answer)
    }

    /// `RunRecord`: the history entry of the last result.
    pub(crate) fn run_record(req: RunRequest) -> Result<Box<RunRecord>, WorkerError> {
        with_state(|s| {
            let table = s.table()?;
            let (_, result) = s.last()?;
            Ok(Box::new(RunRecord::new(
                req.id,
                req.workspace_id,
                req.at,
                req.source,
                table,
                result,
                req.threshold,
                None,
                None,
            )))
        })
    }
}
