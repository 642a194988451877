//! The typed message protocol between the page and the engine's Web Worker.
//!
//! Every request is a small type (one struct per request, below) that names its reply through
//! the [`Request`] trait: [`Rows`] answers [`RowsPage`], [`Train`] answers a [`RunResult`], and
//! so on. The page sends `request(req)` and gets a `Result<R::Reply, _>` back
//! (`ui::hooks::use_worker`); the worker's handler for `R` returns `Result<R::Reply, WorkerError>`
//! and [`Request::answer`] wraps it. Nothing else ties a request to its reply, so nothing can
//! drift.
//!
//! On the wire a message is a [`RequestMsg`] (job id + [`RequestBody`], one variant per request
//! type) or a [`ResponseMsg`] (job id + [`ResponseBody`]), encoded with postcard (compact, and f64
//! NaN survives, unlike JSON) into a `Uint8Array`, inside a JS object `{ msg: Uint8Array, file?:
//! File, file2?: File }`: [`LoadFile`], [`ImportModel`] and [`Benchmark`] carry their `File`
//! handles beside the bytes (structured-cloned, not copied), and the worker reads them in chunks.
//!
//! A job answers with any number of [`ResponseBody::Progress`] messages and then exactly one
//! terminal message: its reply, [`ResponseBody::Failed`] (a typed [`WorkerError`]) or
//! [`ResponseBody::Cancelled`]. [`Cancel`] asks the running job to stop (see `worker::runtime`).

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::engine::data::ColumnSummary;
use crate::engine::generate::SampleParams;
use crate::engine::ingest::IngestError;
use crate::engine::pipeline::{RunConfig, RunResult};
use crate::engine::progress::ProgressEvent;

/// Identifies one job.
pub type JobId = u32;

/// A request to the worker, tied to the type of its reply.
pub trait Request: Into<RequestBody> {
    /// What the worker answers when the request succeeds.
    type Reply;
    /// The reply inside a terminal answer; any other answer (`Failed`, `Cancelled`, another
    /// request's reply) is handed back.
    ///
    /// # Errors
    /// The answer, when it is not this request's reply.
    #[allow(clippy::result_large_err)] // the answer is handed back whole, once per message
    fn reply(body: ResponseBody) -> Result<Self::Reply, ResponseBody>;
    /// The terminal answer carrying `reply`.
    fn answer(reply: Self::Reply) -> ResponseBody;
}

/// Page → worker, on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestMsg {
    /// Job id chosen by the page.
    pub job: JobId,
    /// What to do.
    pub body: RequestBody,
}

/// Worker → page, on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseMsg {
    /// The job this answers.
    pub job: JobId,
    /// The answer.
    pub body: ResponseBody,
}

/// Declares [`RequestBody`] (one variant per request type, named after it) and each request's
/// [`Request`] impl: `Type => ResponseBody variant (reply type)`.
macro_rules! requests {
    ($($req:ident => $variant:ident($reply:ty),)*) => {
        /// Any request, as it travels: one variant per request type.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum RequestBody {
            $(
                #[doc = concat!("A [`", stringify!($req), "`] request.")]
                $req($req),
            )*
        }

        impl RequestBody {
            /// The request type's name (for logs and tests).
            pub fn name(&self) -> &'static str {
                match self {
                    $(RequestBody::$req(_) => stringify!($req),)*
                }
            }

            /// How many request types there are.
            pub const KINDS: usize = [$(stringify!($req)),*].len();
        }

        $(
            impl From<$req> for RequestBody {
                fn from(r: $req) -> Self {
                    RequestBody::$req(r)
                }
            }

            impl Request for $req {
                type Reply = $reply;
                fn reply(body: ResponseBody) -> Result<$reply, ResponseBody> {
                    match body {
                        ResponseBody::$variant(r) => Ok(r),
                        other => Err(other),
                    }
                }
                fn answer(reply: $reply) -> ResponseBody {
                    ResponseBody::$variant(reply)
                }
            }
        )*
    };
}

requests! {
    LoadSample => Loaded(DatasetSummary),
    LoadFile => Loaded(DatasetSummary),
    Train => Trained(Box<RunResult>),
    Cancel => Cancelled(()),
    Rows => Rows(RowsPage),
    Benchmark => Benchmark(Vec<crate::engine::bench::BenchLine>),
    ExportCsv => Export(ExportFile),
    RowMeta => RowMeta(crate::engine::summary::RowMeta),
    ExportJson => Export(ExportFile),
    ExportModel => Export(ExportFile),
    ImportModel => Trained(Box<RunResult>),
    RunRecord => RunRecord(Box<crate::storage::RunRecord>),
    LiveStart => LiveStarted(crate::engine::live::LiveStarted),
    LiveTick => LiveBatch(Box<crate::engine::live::LiveBatch>),
    LiveStop => LiveStopped(()),
    Mapping => Mapping(crate::engine::mapping::MappingView),
    Remap => Remapped(Box<(DatasetSummary, crate::engine::mapping::MappingView)>),
    Views => Views(Box<crate::engine::views::ResultViews>),
    Network => Network(Box<crate::engine::netviews::NetworkViews>),
    TableQuery => Table(Box<crate::engine::triage::TablePage>),
    RowDetail => RowDetail(Box<crate::engine::triage::RowDetail>),
    Importance => Importance(crate::engine::explain::Importance),
    Mark => Feedback(Vec<crate::engine::feedback::Feedback>),
    Retrain => Retrained(Box<(RunResult, crate::engine::feedback::RetrainDiff)>),
}

/// Generate sample data and make it the current data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadSample(pub SampleParams);

/// Read the `File` sent beside this message and make it the current data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadFile {
    /// File name (for messages and format detection).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
}

/// Train on the current data set and score it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Train(pub RunConfig);

/// Stop the running job (answered `Cancelled` when the worker reads it; see `worker::runtime`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancel {
    /// The job to stop.
    pub target: JobId,
}

/// Cells of the given rows of the current data set, for tables and row details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rows {
    /// Row indices (past the end: skipped).
    pub indices: Vec<u32>,
}

/// Run the NSL-KDD benchmark protocols (`engine::bench`) on the two files sent beside this
/// message (`file`: the training set, `file2`: the test set). Does not touch the current data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    /// Master seed.
    pub seed: u64,
    /// Contamination for every threshold.
    pub contamination: f64,
}

/// Export the anomalies of the last run as CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportCsv {
    /// Ensemble-score threshold chosen on the slider; `None` = the vote decision.
    pub ensemble_threshold: Option<f64>,
}

/// Per-row facts of the current data set the results view needs (its timestamps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowMeta;

/// Export the last run as JSON (relabelled under the threshold, with the card numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportJson {
    /// Ensemble-score threshold chosen on the slider; `None` = the vote decision.
    pub ensemble_threshold: Option<f64>,
}

/// The last trained ensemble as a model file (`engine::model_file`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportModel(pub crate::engine::model_file::ModelMeta);

/// Score the current data set with the model file sent beside this message (no training); fails
/// saying why when the file does not fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportModel {
    /// File name (for messages).
    pub name: String,
}

/// A history entry for the last result on the current data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord(pub crate::worker::models::RunRequest);

/// Start a live session (replacing any running one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveStart {
    /// Simulator or replay of the current data set.
    pub source: crate::engine::live::LiveSource,
    /// Settings for a warm-up model, when one is needed.
    pub config: RunConfig,
}

/// Advance the live session by `elapsed_ms × speed` of stream time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveTick {
    /// Wall-clock milliseconds since the last tick.
    pub elapsed_ms: f64,
    /// Stream seconds per wall-clock second.
    pub speed: f64,
}

/// End the live session and free its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveStop;

/// What each column of the current data set is used for, and why (the mapping panel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping;

/// Re-encode the current data set with the user's column uses (column name → use); columns not
/// named keep theirs. Drops the last result (its model was trained on the old mapping). Answers
/// the new summary and mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remap {
    /// Column name → use.
    pub roles: Vec<(String, crate::engine::mapping::ColumnUse)>,
}

/// The data behind the analysis charts of the last run (`engine::views`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Views;

/// Run the behaviour rules with these thresholds and compute the Network page's views over the
/// current data set (and the last run's anomalies, when any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Rule thresholds.
    pub rules: crate::engine::rules::RulesConfig,
    /// The analyst's ensemble-score threshold (`None`: the vote decision).
    pub threshold: Option<f64>,
}

/// One page of the anomaly table (filter, sort, page in the worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableQuery(pub Box<crate::engine::triage::TableQuery>);

/// Everything the detail panel shows about one row of the last result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowDetail {
    /// The row.
    pub row: u32,
}

/// Permutation importance of each feature on the ensemble score (a long job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Importance(pub crate::engine::explain::ImportanceParams);

/// Set (`Some`) or clear (`None`) a verdict on rows; answers the updated feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// The page's feedback, as it is now.
    pub feedback: Vec<crate::engine::feedback::Feedback>,
    /// Rows to mark.
    pub rows: Vec<u32>,
    /// The verdict, or `None` to clear.
    pub verdict: Option<crate::engine::feedback::Verdict>,
    /// Seconds since the epoch.
    pub at: f64,
}

/// Retrain with the feedback and make the new result current in the worker; answers the new
/// result and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retrain {
    /// The run configuration.
    pub config: RunConfig,
    /// The page's feedback.
    pub feedback: Vec<crate::engine::feedback::Feedback>,
}

/// What the worker answers: progress, a request's reply (see [`Request`]), or why it did not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResponseBody {
    /// Work in progress.
    Progress(ProgressEvent),
    /// The job failed; typed, so the page can say what, where and what to do.
    Failed(WorkerError),
    /// The job stopped on request (also the reply to [`Cancel`] itself).
    Cancelled(()),
    /// [`LoadSample`], [`LoadFile`]: a data set is loaded.
    Loaded(DatasetSummary),
    /// [`Train`], [`ImportModel`]: training (or importing) and scoring finished.
    Trained(Box<RunResult>),
    /// [`Rows`].
    Rows(RowsPage),
    /// [`ExportCsv`], [`ExportJson`], [`ExportModel`]: a file to download.
    Export(ExportFile),
    /// [`Benchmark`]: one line per detector and protocol plus the ensembles.
    Benchmark(Vec<crate::engine::bench::BenchLine>),
    /// [`RowMeta`].
    RowMeta(crate::engine::summary::RowMeta),
    /// [`RunRecord`]: a history entry.
    RunRecord(Box<crate::storage::RunRecord>),
    /// [`LiveStart`]: a live session started.
    LiveStarted(crate::engine::live::LiveStarted),
    /// [`LiveTick`]: one tick's results.
    LiveBatch(Box<crate::engine::live::LiveBatch>),
    /// [`LiveStop`]: the session ended.
    LiveStopped(()),
    /// [`Mapping`]: the column mapping of the current data set.
    Mapping(crate::engine::mapping::MappingView),
    /// [`Remap`]: the data set's new summary and mapping.
    Remapped(Box<(DatasetSummary, crate::engine::mapping::MappingView)>),
    /// [`Views`]: the analysis views of the last run.
    Views(Box<crate::engine::views::ResultViews>),
    /// [`Network`]: the Network page's views.
    Network(Box<crate::engine::netviews::NetworkViews>),
    /// [`TableQuery`]: a page of the anomaly table.
    Table(Box<crate::engine::triage::TablePage>),
    /// [`RowDetail`]: one row's detail.
    RowDetail(Box<crate::engine::triage::RowDetail>),
    /// [`Importance`]: global feature importance.
    Importance(crate::engine::explain::Importance),
    /// [`Mark`]: the feedback after marking.
    Feedback(Vec<crate::engine::feedback::Feedback>),
    /// [`Retrain`]: the new result and what changed.
    Retrained(Box<(RunResult, crate::engine::feedback::RetrainDiff)>),
}

/// What the page shows about a loaded data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// File name or generator description.
    pub name: String,
    /// Detected format and schema (e.g. "CSV, seed 001 schema").
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
    /// Rows that could not be read and were skipped (file loads only).
    pub skipped: Option<SkippedRows>,
    /// Other notices (conversions, guesses).
    pub warnings: Vec<String>,
    /// How long reading the file took, by phase (file loads only).
    pub load: Option<LoadStats>,
}

/// Rows of a file that could not be read: how many, and the first few with where and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedRows {
    /// How many rows were skipped.
    pub count: usize,
    /// The first of them (file, line, what, what to do).
    pub first: Vec<IngestError>,
}

impl SkippedRows {
    /// The count line, then one line per kept error: what the page lists.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(format!(
            "{} row(s) could not be read and were skipped",
            self.count
        ))
        .chain(self.first.iter().map(ToString::to_string))
    }
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

/// Cells of some rows of the current data set.
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

/// Why the worker could not answer a request. Typed end to end: an engine error keeps its kind
/// (an ingest error its file, line and hint; a parameter error its field), so the page can point
/// at what is wrong; the display text says what happened and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum WorkerError {
    /// The engine failed or refused.
    #[error(transparent)]
    Engine(#[from] crate::engine::Error),
    /// The request needs a data set and none is loaded.
    #[error("no data loaded: load the sample data or a file first")]
    NoData,
    /// The request needs a trained result and there is none.
    #[error("no result yet: train first")]
    NoResult,
    /// The column mapping was refused; the data set is unchanged.
    #[error("Column mapping not applied: {0}.")]
    Remap(#[from] crate::engine::mapping::RemapError),
    /// A model file could not be exported.
    #[error(transparent)]
    ModelFile(#[from] crate::engine::model_file::ModelFileError),
    /// An imported model file does not fit the data (the text names the file and the columns).
    #[error("{0}")]
    ModelMismatch(String),
    /// The request carried values the worker cannot use, or came at the wrong time.
    #[error("{0}")]
    BadRequest(String),
    /// The browser failed (reading a file, …).
    #[error("{0}")]
    Browser(String),
    /// A message could not be encoded or decoded (page and worker from different builds).
    #[error("{0}")]
    Protocol(String),
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

/// Rows of the data preview in a [`DatasetSummary`].
pub const PREVIEW_ROWS: usize = 10;

impl DatasetSummary {
    /// Summarises a table for the page: column overview, preview rows, label classes.
    pub fn of(
        table: &crate::engine::data::Table,
        name: String,
        format: String,
        warnings: Vec<String>,
    ) -> Self {
        let n_rows = table.n_rows();
        let preview = (0..n_rows.min(PREVIEW_ROWS))
            .map(|r| table.columns.iter().map(|c| c.values.display(r)).collect())
            .collect();
        let label_col = table.by_role(crate::engine::data::Role::Label);
        let label_classes = label_col
            .map(|c| c.values.class_counts(50))
            .unwrap_or_default();
        Self {
            name,
            format,
            n_rows,
            columns: crate::engine::data::summarize(table),
            preview,
            has_labels: label_col.is_some(),
            label_classes,
            skipped: None,
            warnings,
            load: None,
        }
    }
}

impl RowsPage {
    /// The cells of the given rows (indices past the end are skipped).
    pub fn of(table: &crate::engine::data::Table, indices: &[u32]) -> Self {
        let n = table.n_rows();
        Self {
            header: table.columns.iter().map(|c| c.name.clone()).collect(),
            rows: indices
                .iter()
                .filter(|&&i| (i as usize) < n)
                .map(|&i| {
                    (
                        i,
                        table
                            .columns
                            .iter()
                            .map(|c| c.values.display(i as usize))
                            .collect(),
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Table;
    use crate::engine::ensemble::TrainedEnsemble;
    use crate::engine::progress::{NoProgress, Stage};

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(msg: T) {
        let bytes = encode(&msg).unwrap();
        assert_eq!(decode::<T>(&bytes).unwrap(), msg);
    }

    /// A small scored data set: every reply below is computed from it by the engine, as the
    /// worker computes it.
    struct Fixture {
        table: Table,
        model: TrainedEnsemble,
        result: RunResult,
        config: RunConfig,
        sample: SampleParams,
    }

    fn fixture() -> Fixture {
        let sample = SampleParams {
            rows: 300,
            ..SampleParams::default()
        };
        let table = crate::engine::generate::sample_traffic(&sample).unwrap();
        let config = RunConfig::default();
        let (model, result) =
            crate::engine::pipeline::run(&config, &table, &mut NoProgress).unwrap();
        Fixture {
            table,
            model,
            result,
            config,
            sample,
        }
    }

    /// One request of every type. [`example_reply`] is the wildcard-free match that makes a
    /// new request type a compile error here until it has an example.
    fn examples(f: &Fixture) -> Vec<RequestBody> {
        let feedback = vec![];
        vec![
            LoadSample(f.sample.clone()).into(),
            LoadFile {
                name: "flows.csv".into(),
                size: 1 << 40,
            }
            .into(),
            Train(f.config.clone()).into(),
            Cancel { target: 7 }.into(),
            Rows {
                indices: vec![0, 5, u32::MAX],
            }
            .into(),
            Benchmark {
                seed: 3,
                contamination: 0.1,
            }
            .into(),
            ExportCsv {
                ensemble_threshold: Some(0.75),
            }
            .into(),
            RowMeta.into(),
            ExportJson {
                ensemble_threshold: None,
            }
            .into(),
            ExportModel(crate::engine::model_file::ModelMeta::default()).into(),
            ImportModel {
                name: "model.json".into(),
            }
            .into(),
            RunRecord(crate::worker::models::RunRequest {
                id: "run-1".into(),
                workspace_id: "ws".into(),
                at: 1.7e9,
                source: crate::storage::DataSource::Generated {
                    params: f.sample.clone(),
                },
                threshold: Some(0.5),
            })
            .into(),
            LiveStart {
                source: crate::engine::live::LiveSource::Simulator(Default::default()),
                config: f.config.clone(),
            }
            .into(),
            LiveTick {
                elapsed_ms: 250.0,
                speed: 2.0,
            }
            .into(),
            LiveStop.into(),
            Mapping.into(),
            Remap {
                roles: vec![("bytes".into(), crate::engine::mapping::ColumnUse::Ignore)],
            }
            .into(),
            Views.into(),
            Network {
                rules: crate::engine::rules::RulesConfig::default(),
                threshold: Some(0.5),
            }
            .into(),
            TableQuery(Box::default()).into(),
            RowDetail { row: 3 }.into(),
            Importance(crate::engine::explain::ImportanceParams {
                sample_rows: 40,
                seed: 1,
            })
            .into(),
            Mark {
                feedback: feedback.clone(),
                rows: vec![1, 2],
                verdict: Some(crate::engine::feedback::Verdict::FalsePositive),
                at: 1.7e9,
            }
            .into(),
            Retrain {
                config: f.config.clone(),
                feedback,
            }
            .into(),
        ]
    }

    /// The reply the worker gives to `body` on the fixture, built with the request type's own
    /// [`Request::answer`]. No wildcard: a new request type does not compile until it is here.
    fn example_reply(f: &Fixture, body: &RequestBody) -> ResponseBody {
        let summary = || DatasetSummary::of(&f.table, "sample".into(), "generated".into(), vec![]);
        let export = || ExportFile {
            file_name: "anomalies.csv".into(),
            mime: "text/csv".into(),
            bytes: vec![0, 1, 255],
        };
        let t = &f.table;
        match body {
            RequestBody::LoadSample(_) => LoadSample::answer(summary()),
            RequestBody::LoadFile(_) => {
                let mut s = summary();
                s.skipped = Some(SkippedRows {
                    count: 3,
                    first: vec![IngestError::new("text in numeric column", "fix the cell")
                        .at_line(12)
                        .in_file("flows.csv")],
                });
                s.load = Some(LoadStats {
                    bytes: 10,
                    read_ms: 1.0,
                    parse_ms: 2.0,
                    summary_ms: 0.5,
                });
                LoadFile::answer(s)
            }
            RequestBody::Train(_) => Train::answer(Box::new(f.result.clone())),
            RequestBody::Cancel(_) => Cancel::answer(()),
            RequestBody::Rows(r) => Rows::answer(RowsPage::of(t, &r.indices)),
            RequestBody::Benchmark(_) => Benchmark::answer(vec![crate::engine::bench::BenchLine {
                protocol: "a_semi_supervised".into(),
                model: "ensemble".into(),
                fit_s: 1.0,
                score_s: 0.5,
                roc_auc: 0.9,
                pr_auc: f64::NAN,
                precision: 0.8,
                recall: 0.7,
                f1: 0.75,
                peak_mb: Some(12.0),
                n_train: 100,
                n_test: 50,
            }]),
            RequestBody::ExportCsv(_) => ExportCsv::answer(export()),
            RequestBody::RowMeta(_) => RowMeta::answer(crate::engine::summary::RowMeta::of(t)),
            RequestBody::ExportJson(_) => ExportJson::answer(export()),
            RequestBody::ExportModel(_) => ExportModel::answer(export()),
            RequestBody::ImportModel(_) => ImportModel::answer(Box::new(f.result.clone())),
            RequestBody::RunRecord(RunRecord(r)) => {
                RunRecord::answer(Box::new(crate::storage::RunRecord::new(
                    r.id.clone(),
                    r.workspace_id.clone(),
                    r.at,
                    r.source.clone(),
                    t,
                    &f.result,
                    r.threshold,
                    None,
                    None,
                )))
            }
            RequestBody::LiveStart(s) => {
                let (_, started) = crate::engine::live::LiveSession::start(
                    s.source.clone(),
                    s.config.clone(),
                    Some(&f.model),
                    Some(t),
                )
                .unwrap();
                LiveStart::answer(started)
            }
            RequestBody::LiveTick(tick) => {
                let (mut session, _) = crate::engine::live::LiveSession::start(
                    crate::engine::live::LiveSource::Simulator(Default::default()),
                    f.config.clone(),
                    Some(&f.model),
                    Some(t),
                )
                .unwrap();
                let batch = session.tick(tick.elapsed_ms / 1000.0 * tick.speed, Some(t));
                LiveTick::answer(Box::new(batch))
            }
            RequestBody::LiveStop(_) => LiveStop::answer(()),
            RequestBody::Mapping(_) => {
                Mapping::answer(crate::engine::mapping::mapping_view(t, &[], "generated"))
            }
            RequestBody::Remap(_) => Remap::answer(Box::new((
                summary(),
                crate::engine::mapping::mapping_view(t, &[], "generated"),
            ))),
            RequestBody::Views(_) => Views::answer(Box::new(
                crate::engine::views::compute(t, &f.model.preprocessor, &f.result).unwrap(),
            )),
            RequestBody::Network(n) => Network::answer(Box::new(
                crate::engine::netviews::network_views_at(t, Some(&f.result), &n.rules, None)
                    .unwrap(),
            )),
            RequestBody::TableQuery(q) => TableQuery::answer(Box::new(
                crate::engine::triage::query(t, &f.result, &q.0).unwrap(),
            )),
            RequestBody::RowDetail(d) => {
                let all: Vec<usize> = (0..t.n_rows()).collect();
                let baseline = crate::engine::enrich::Baseline::fit(t, &all);
                RowDetail::answer(Box::new(
                    crate::engine::triage::row_detail(
                        &f.model,
                        t,
                        &f.result,
                        &baseline,
                        d.row as usize,
                    )
                    .unwrap(),
                ))
            }
            RequestBody::Importance(p) => Importance::answer(
                crate::engine::explain::permutation_importance(&f.model, t, &p.0, &mut NoProgress)
                    .unwrap(),
            ),
            RequestBody::Mark(m) => {
                let mut fb = m.feedback.clone();
                let rows: Vec<usize> = m.rows.iter().map(|&r| r as usize).collect();
                if let Some(v) = m.verdict {
                    crate::engine::feedback::mark(&mut fb, t, &rows, v, "", m.at);
                }
                Mark::answer(fb)
            }
            RequestBody::Retrain(r) => {
                let (_, result, diff) = crate::engine::feedback::retrain_with_feedback_on(
                    &r.config,
                    t,
                    &f.result,
                    &r.feedback,
                    &mut NoProgress,
                    &|| 0.0,
                )
                .unwrap();
                Retrain::answer(Box::new((result, diff)))
            }
        }
    }

    #[test]
    fn every_request_and_its_reply_round_trip() {
        let f = fixture();
        let requests = examples(&f);
        let mut kinds: Vec<&str> = requests.iter().map(RequestBody::name).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(
            kinds.len(),
            RequestBody::KINDS,
            "one example per request type"
        );
        for (job, body) in requests.into_iter().enumerate() {
            let reply = example_reply(&f, &body);
            round_trip(RequestMsg {
                job: job as JobId,
                body,
            });
            // NaN inside a reply must survive too: compare the bytes of a second encoding.
            let msg = ResponseMsg {
                job: job as JobId,
                body: reply,
            };
            let bytes = encode(&msg).unwrap();
            let back: ResponseMsg = decode(&bytes).unwrap();
            assert_eq!(encode(&back).unwrap(), bytes, "reply to job {job}");
        }
    }

    #[test]
    fn a_reply_is_taken_only_by_its_own_request_type() {
        let page = RowsPage {
            header: vec!["a".into()],
            rows: vec![(0, vec!["1".into()])],
        };
        assert_eq!(Rows::reply(Rows::answer(page.clone())), Ok(page));
        assert!(Views::reply(ResponseBody::Cancelled(())).is_err());
        assert!(Train::reply(ResponseBody::Failed(WorkerError::NoData)).is_err());
        // Shared reply variants: every export answers a file.
        let file = ExportFile {
            file_name: "a.csv".into(),
            mime: "text/csv".into(),
            bytes: vec![1],
        };
        assert_eq!(ExportJson::reply(ExportCsv::answer(file.clone())), Ok(file));
    }

    #[test]
    fn progress_and_errors_round_trip() {
        round_trip(ResponseMsg {
            job: 1,
            body: ResponseBody::Progress(ProgressEvent {
                stage: Stage::Ingest,
                done: 10,
                total: 20,
            }),
        });
        let e = crate::engine::Error::Ingest(
            IngestError::new("text in numeric column", "fix the cell").at_line(12),
        );
        for error in [
            WorkerError::from(e),
            WorkerError::NoData,
            WorkerError::NoResult,
            WorkerError::Remap(crate::engine::mapping::RemapError::NoFeature),
            WorkerError::ModelFile(crate::engine::model_file::ModelFileError::Corrupt(
                "x".into(),
            )),
            WorkerError::ModelMismatch("m.json cannot score this data".into()),
            WorkerError::BadRequest("speed must be positive".into()),
            WorkerError::Browser("NotReadableError".into()),
            WorkerError::Protocol("malformed".into()),
        ] {
            round_trip(ResponseMsg {
                job: 2,
                body: ResponseBody::Failed(error),
            });
        }
    }

    #[test]
    fn an_ingest_error_keeps_its_line_through_the_worker() {
        let e = WorkerError::from(crate::engine::Error::Ingest(
            IngestError::new("text in numeric column", "fix the cell")
                .at_line(12)
                .in_file("flows.csv"),
        ));
        let back: WorkerError = decode(&encode(&e).unwrap()).unwrap();
        let WorkerError::Engine(crate::engine::Error::Ingest(ingest)) = back else {
            panic!("not an ingest error: {back:?}");
        };
        assert_eq!(
            (ingest.file.as_deref(), ingest.line),
            (Some("flows.csv"), Some(12))
        );
        assert_eq!(
            e.to_string(),
            "flows.csv: line 12: text in numeric column — fix the cell"
        );
    }

    #[test]
    fn skipped_rows_read_as_before() {
        let s = SkippedRows {
            count: 2,
            first: vec![IngestError::new("bad", "fix").at_line(3)],
        };
        assert_eq!(
            s.lines().collect::<Vec<_>>(),
            [
                "2 row(s) could not be read and were skipped",
                "line 3: bad — fix"
            ]
        );
    }

    #[test]
    fn nan_survives_the_codec() {
        let bytes = encode(&vec![f64::NAN, f64::INFINITY]).unwrap();
        let back: Vec<f64> = decode(&bytes).unwrap();
        assert!(back[0].is_nan() && back[1].is_infinite());
    }

    #[test]
    fn garbage_is_a_codec_error_not_a_panic() {
        assert!(decode::<RequestMsg>(&[0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
