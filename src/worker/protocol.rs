//! The typed message protocol between the page and the engine's Web Worker.
//!
//! Every message is a [`Request`] or a [`Response`] encoded with postcard (compact, and f64 NaN
//! survives, unlike JSON) into a `Uint8Array`. On the wire a message is a JS object
//! `{ msg: Uint8Array, file?: File }`: a [`Request::LoadFile`] carries the `File` handle beside it
//! (structured-cloned, not copied), and the worker reads it in chunks.
//!
//! Each request carries a job id; every response names the job it belongs to. A job answers with
//! any number of [`ResponseBody::Progress`] messages and then exactly one terminal message
//! (`Loaded`, `Trained`, `Rows`, `Export`, `Failed` or `Cancelled`). [`Request::Cancel`] asks the
//! running job to stop at its next progress check.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::engine::data::ColumnSummary;
use crate::engine::generate::SampleParams;
use crate::engine::pipeline::{RunConfig, RunResult};
use crate::engine::progress::ProgressEvent;

/// Identifies one job.
pub type JobId = u32;

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Job id chosen by the page.
    pub job: JobId,
    /// What to do.
    pub body: RequestBody,
}

/// What the page asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RequestBody {
    /// Generate sample data and make it the current data set.
    LoadSample(SampleParams),
    /// Read the `File` sent beside this message and make it the current data set.
    LoadFile {
        /// File name (for messages and format detection).
        name: String,
        /// Size in bytes.
        size: u64,
    },
    /// Train on the current data set and score it.
    Train(RunConfig),
    /// Stop the running job.
    Cancel {
        /// The job to stop.
        target: JobId,
    },
    /// Cells of the given rows of the current data set, for tables and row details.
    Rows {
        /// Row indices.
        indices: Vec<u32>,
    },
    /// Run the NSL-KDD benchmark protocols (`engine::bench`) on the two files sent beside this
    /// message (`file`: the training set, `file2`: the test set). Does not touch the current data set.
    Benchmark {
        /// Master seed.
        seed: u64,
        /// Contamination for every threshold.
        contamination: f64,
    },
    /// Export the anomalies of the last run as CSV.
    ExportCsv {
        /// Ensemble-score threshold chosen on the slider; `None` = the vote decision.
        ensemble_threshold: Option<f64>,
    },
    /// Per-row facts of the current data set the results view needs (its timestamps); answered
    /// with [`ResponseBody::RowMeta`].
    RowMeta,
    /// Export the last run as JSON (relabelled under the threshold, with the card numbers);
    /// answered with [`ResponseBody::Export`].
    ExportJson {
        /// Ensemble-score threshold chosen on the slider; `None` = the vote decision.
        ensemble_threshold: Option<f64>,
    },
    /// The last trained ensemble as a model file (`engine::model_file`); answers `Export`.
    ExportModel(crate::engine::model_file::ModelMeta),
    /// Score the current data set with the model file sent beside this message (no training);
    /// answers `Trained`, or `Failed` saying why the file does not fit.
    ImportModel {
        /// File name (for messages).
        name: String,
    },
    /// A history entry for the last result on the current data set; answers `RunRecord`.
    RunRecord(crate::worker::models::RunRequest),
    /// Start a live session (replacing any running one).
    LiveStart {
        /// Simulator or replay of the current data set.
        source: crate::engine::live::LiveSource,
        /// Settings for a warm-up model, when one is needed.
        config: RunConfig,
    },
    /// Advance the live session by `elapsed_ms × speed` of stream time.
    LiveTick {
        /// Wall-clock milliseconds since the last tick.
        elapsed_ms: f64,
        /// Stream seconds per wall-clock second.
        speed: f64,
    },
    /// End the live session and free its state.
    LiveStop,
    /// What each column of the current data set is used for, and why (the mapping panel).
    Mapping,
    /// Re-encode the current data set with the user's column uses (column name → use); columns
    /// not named keep theirs. Drops the last result (its model was trained on the old mapping).
    Remap {
        /// Column name → use.
        roles: Vec<(String, crate::analysis::mapping::ColumnUse)>,
    },
    /// The data behind the analysis charts of the last run (`analysis::views`).
    Views,
    /// Run the behaviour rules with these thresholds and compute the Network page's views over
    /// the current data set (and the last run's anomalies, when any).
    Network {
        /// Rule thresholds.
        rules: crate::engine::rules::RulesConfig,
        /// The analyst's ensemble-score threshold (`None`: the vote decision).
        threshold: Option<f64>,
    },
    /// One page of the anomaly table (filter, sort, page in the worker).
    TableQuery(Box<crate::analysis::triage::TableQuery>),
    /// Everything the detail panel shows about one row of the last result.
    RowDetail {
        /// The row.
        row: u32,
    },
    /// Permutation importance of each feature on the ensemble score (a long job).
    Importance(crate::engine::explain::ImportanceParams),
    /// Set (`Some`) or clear (`None`) a verdict on rows; answers the updated feedback.
    Mark {
        /// The page's feedback, as it is now.
        feedback: Vec<crate::engine::feedback::Feedback>,
        /// Rows to mark.
        rows: Vec<u32>,
        /// The verdict, or `None` to clear.
        verdict: Option<crate::engine::feedback::Verdict>,
        /// Seconds since the epoch.
        at: f64,
    },
    /// Retrain with the feedback and make the new result current in the worker.
    Retrain {
        /// The run configuration.
        config: RunConfig,
        /// The page's feedback.
        feedback: Vec<crate::engine::feedback::Feedback>,
    },
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The job this answers.
    pub job: JobId,
    /// The answer.
    pub body: ResponseBody,
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResponseBody {
    /// Work in progress.
    Progress(ProgressEvent),
    /// A data set is loaded.
    Loaded(DatasetSummary),
    /// Training and scoring finished.
    Trained(Box<RunResult>),
    /// Row cells.
    Rows(RowsPage),
    /// A file to download.
    Export(ExportFile),
    /// Benchmark lines, one per detector and protocol plus the ensembles.
    Benchmark(Vec<crate::engine::bench::BenchLine>),
    /// The job failed; the message says what, where and what to do.
    Failed(WorkerError),
    /// The job stopped on request.
    Cancelled,
    /// Per-row facts of the current data set (answer to [`RequestBody::RowMeta`]).
    RowMeta(crate::analysis::summary::RowMeta),
    /// A history entry (answer to `RequestBody::RunRecord`).
    RunRecord(Box<crate::storage::RunRecord>),
    /// A live session started.
    LiveStarted(crate::engine::live::LiveStarted),
    /// One live tick's results.
    LiveBatch(Box<crate::engine::live::LiveBatch>),
    /// The live session ended.
    LiveStopped,
    /// The column mapping of the current data set.
    Mapping(crate::analysis::mapping::MappingView),
    /// The data set after a remap: its new summary and mapping.
    Remapped(Box<(DatasetSummary, crate::analysis::mapping::MappingView)>),
    /// The analysis views of the last run.
    Views(Box<crate::analysis::views::ResultViews>),
    /// The Network page's views (answer to `Network`).
    Network(Box<crate::analysis::netviews::NetworkViews>),
    /// A page of the anomaly table.
    Table(Box<crate::analysis::triage::TablePage>),
    /// One row's detail.
    RowDetail(Box<crate::analysis::triage::RowDetail>),
    /// Global feature importance.
    Importance(crate::engine::explain::Importance),
    /// The feedback after marking.
    Feedback(Vec<crate::engine::feedback::Feedback>),
    /// A retrain's new result and what changed.
    Retrained(Box<(RunResult, crate::engine::feedback::RetrainDiff)>),
}

/// What the page shows about a loaded data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// File name or generator description.
    pub name: String,
    /// Detected format and schema (e.g. "CSV (comma), connection features").
    pub format: String,
    /// Rows loaded.
    pub n_rows: usize,
    /// One entry per column.
    pub columns: Vec<ColumnSummary>,
    /// The first rows as text, in column order.
    pub preview: Vec<Vec<String>>,
    /// Whether a label column exists.
    pub has_labels: bool,
    /// Label classes with counts, when labels exist.
    pub label_classes: Vec<(String, usize)>,
    /// Rows skipped and other notices.
    pub warnings: Vec<String>,
    /// How long reading the file took, by phase (file loads only).
    pub load: Option<LoadStats>,
}

/// Where the time of a file load went, measured in the worker (`performance.now()`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoadStats {
    /// Bytes read.
    pub bytes: u64,
    /// Milliseconds waiting for the bytes from the browser (not overlapped with parsing) and
    /// copying them into wasm memory.
    pub read_ms: f64,
    /// Milliseconds parsing: records → columns, or packets → flows.
    pub parse_ms: f64,
    /// Milliseconds summarising the columns for the overview.
    pub summary_ms: f64,
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowsPage {
    /// Column names.
    pub header: Vec<String>,
    /// Row index and its cells.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// A file for the page to offer as a download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    /// Suggested file name.
    pub file_name: String,
    /// MIME type.
    pub mime: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// A failure, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerError {
    /// What happened, where, and what to do.
    pub message: String,
    /// The engine error, when it came from the engine.
    pub engine: Option<crate::engine::Error>,
}

impl From<crate::engine::Error> for WorkerError {
    fn from(e: crate::engine::Error) -> Self {
        Self {
            message: e.to_string(),
            engine: Some(e),
        }
    }
}

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("malformed worker message: {0}")]
pub struct CodecError(pub String);

/// Encodes a message.
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, CodecError> {
    postcard::to_allocvec(msg).map_err(|e| CodecError(e.to_string()))
}

/// Decodes a message.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    postcard::from_bytes(bytes).map_err(|e| CodecError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::progress::Stage;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(msg: T) {
        let bytes = encode(&msg).unwrap();
        assert_eq!(decode::<T>(&bytes).unwrap(), msg);
    }

    #[test]
    fn every_request_round_trips() {
        for body in [
            RequestBody::LoadSample(SampleParams::default()),
            RequestBody::LoadFile {
                name: "flows.csv".into(),
                size: 1 << 40,
            },
            RequestBody::Train(RunConfig::default()),
            RequestBody::Cancel { target: 7 },
            RequestBody::Rows {
                indices: vec![0, 5, u32::MAX],
            },
            RequestBody::ExportCsv {
                ensemble_threshold: Some(0.75),
            },
            RequestBody::RowMeta,
            RequestBody::ExportJson {
                ensemble_threshold: None,
            },
        ] {
            round_trip(Request { job: 3, body });
        }
    }

    #[test]
    fn progress_and_errors_round_trip() {
        round_trip(Response {
            job: 1,
            body: ResponseBody::Progress(ProgressEvent {
                stage: Stage::Ingest,
                done: 10,
                total: 20,
            }),
        });
        round_trip(Response {
            job: 1,
            body: ResponseBody::Cancelled,
        });
        let e = crate::engine::Error::Ingest(
            crate::engine::ingest::IngestError::new("text in numeric column", "fix the cell")
                .at_line(12),
        );
        round_trip(Response {
            job: 2,
            body: ResponseBody::Failed(e.into()),
        });
    }

    #[test]
    fn nan_survives_the_codec() {
        let bytes = encode(&vec![f64::NAN, f64::INFINITY]).unwrap();
        let back: Vec<f64> = decode(&bytes).unwrap();
        assert!(back[0].is_nan() && back[1].is_infinite());
    }

    #[test]
    fn garbage_is_a_codec_error_not_a_panic() {
        assert!(decode::<Request>(&[0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
