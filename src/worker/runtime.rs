//! The worker runtime (wasm only): serves the [protocol](super::protocol) inside the engine's
//! dedicated Web Worker.
//!
//! The data set lives here and only here; the page keeps summaries and results. Each incoming
//! message is `{ msg: Uint8Array, file?: File, file2?: File }`; `msg` decodes to a
//! [`RequestMsg`], [`handle`] dispatches its [`RequestBody`] to the handler of that request type
//! (each returns `Result<R::Reply, WorkerError>`, so a handler cannot answer another request's
//! reply), and the worker posts any number of `Progress` messages and then exactly one terminal
//! message: the reply, `Failed` or `Cancelled`. No data path panics: every failure becomes
//! `Failed` with a typed [`WorkerError`] (engine errors keep their kind, file and line).
//!
//! # Jobs
//! * `LoadSample` (here): the engine's seeded generator.
//! * `LoadFile` (here): reads the structured-cloned `File` in slices of 1 MiB growing to 16 MiB,
//!   read on two helper threads ([`file_reader`](super::file_reader)) so that the browser reads
//!   while the engine parses. Posts `Progress(Ingest, bytes done, bytes total)` per slice. This
//!   job and `Benchmark` (which reads two files) run as futures: their answer is posted when
//!   they complete.
//! * `Train` (here): [`pipeline::run_with_clock`] with a progress sink that posts throttled
//!   `Progress` messages; timings come from `performance.now()`.
//! * `Rows`, `ExportCsv` (here); `RowMeta`, `ExportJson` ([`results`](super::results));
//!   `ExportModel`, `ImportModel`, `RunRecord` ([`models`](super::models)); `LiveStart`,
//!   `LiveTick`, `LiveStop` ([`live`](super::live)); `Mapping`, `Remap`
//!   ([`mapping`](super::mapping)); `Views` ([`views`](super::views)); `Network`
//!   ([`network`](super::network)); `TableQuery`, `RowDetail`, `Importance`, `Mark`, `Retrain`
//!   ([`anomalies`](super::anomalies); `Importance` and `Retrain` post progress).
//! * `Cancel`: answered `Cancelled` (see below).
//!
//! # Cancellation
//! A job runs synchronously inside `onmessage` (a file load only yields between slices), so the
//! worker cannot act on anything while it computes: a `Cancel` is only read after the job has
//! finished or between slices, and it does not stop the load. Cancellation is therefore the
//! page's business: it posts `Cancel`, and if no terminal answer (`Cancelled` or otherwise) for
//! the running job arrives within about 300 ms it terminates the worker, starts a fresh one and
//! reloads the current data set into it from what it kept (the `File` handle or the sample
//! params). When the worker does read a `Cancel` (the target job already ended, or never started)
//! it answers `Cancelled` for the cancel request itself, which is harmless.
//! (A shared-memory stop flag would let the engine stop cooperatively through
//! [`Progress`](crate::engine::progress::Progress), but needs cross-origin isolation headers that a
//! static host cannot be relied on to send.)

use std::cell::RefCell;
use std::ops::ControlFlow;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

use crate::engine::data::Table;
use crate::engine::ensemble::TrainedEnsemble;
use crate::engine::ingest::{capture::FlowConfig, AutoReader, IngestOptions, Ingested};
use crate::engine::pipeline::{self, RunConfig, RunResult};
use crate::engine::progress::{ProgressEvent, Stage};
use crate::engine::report::{self, Selection};
use crate::worker::protocol::{
    decode, encode, Benchmark, Cancel, DatasetSummary, ExportCsv, ExportFile, ExportJson,
    ExportModel, ImportModel, Importance, JobId, LiveStart, LiveStop, LiveTick, LoadFile,
    LoadSample, LoadStats, Mapping, Mark, Network, Remap, Request, RequestBody, RequestMsg,
    ResponseBody, ResponseMsg, Retrain, RowDetail, RowMeta, Rows, RowsPage, RunRecord, SkippedRows,
    TableQuery, Train, Views, WorkerError,
};

/// Minimum milliseconds between two progress messages of one job (the first and last always go).
/// Ten a second keep the bar and the rate moving smoothly; each one costs the page a render.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// What the worker holds between messages. Job handlers in sibling modules reach it through
/// [`with_state`].
#[derive(Default)]
pub(crate) struct State {
    /// The current data set.
    pub(crate) table: Option<Table>,
    /// The current data set's name.
    pub(crate) name: String,
    /// The last trained ensemble and its result on the current data set.
    pub(crate) last: Option<(TrainedEnsemble, RunResult)>,
    /// The running live session, if any.
    pub(crate) live: Option<crate::engine::live::LiveSession>,
    /// The current data set's detected format.
    pub(crate) format: String,
    /// What ingest made of each input column (empty for generated data).
    pub(crate) ingest_mapping: Vec<crate::engine::ingest::ColumnMapping>,
}

impl State {
    /// The current data set, or [`WorkerError::NoData`].
    pub(crate) fn table(&self) -> Result<&Table, WorkerError> {
        self.table.as_ref().ok_or(WorkerError::NoData)
    }

    /// The last model and result, or [`WorkerError::NoResult`].
    pub(crate) fn last(&self) -> Result<&(TrainedEnsemble, RunResult), WorkerError> {
        self.last.as_ref().ok_or(WorkerError::NoResult)
    }
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Runs `f` with the worker's state (never re-entered: jobs run one at a time).
pub(crate) fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// Installs the message handler on the worker's global scope.
pub fn register() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post_scope = scope.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        handle(&post_scope, &ev.data(), &post);
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
    // The file-reading helper boots now, while nothing waits for it.
    super::file_reader::start_helper();
    // Then the load path is compiled and tiered up while nothing waits (see `warmup`).
    super::warmup::start();
}

/// Milliseconds from `performance.now()` (0 when unavailable).
pub(crate) fn now_ms() -> f64 {
    js_sys::global()
        .unchecked_into::<DedicatedWorkerGlobalScope>()
        .performance()
        .map_or(0.0, |p| p.now())
}

/// Posts one answer (the buffer is transferred, not copied).
pub(crate) fn post(scope: &DedicatedWorkerGlobalScope, job: JobId, body: ResponseBody) {
    let bytes = match encode(&ResponseMsg { job, body }) {
        Ok(b) => b,
        Err(e) => match encode(&ResponseMsg {
            job,
            body: ResponseBody::Failed(WorkerError::Protocol(format!(
                "could not encode the answer: {e}"
            ))),
        }) {
            Ok(b) => b,
            Err(_) => return,
        },
    };
    let msg = Uint8Array::from(bytes.as_slice());
    let obj = js_sys::Object::new();
    if Reflect::set(&obj, &"msg".into(), &msg).is_ok() {
        // Transfer the buffer instead of copying it (results can be megabytes).
        let transfer = js_sys::Array::of1(&msg.buffer());
        if scope.post_message_with_transfer(&obj, &transfer).is_err() {
            let _ = scope.post_message(&obj);
        }
    }
}

/// Where [`handle`] sends its synchronous answers: [`post`], or nowhere for the warm-up.
pub(crate) type Reply = dyn Fn(&DedicatedWorkerGlobalScope, JobId, ResponseBody);

/// Serves one message from the page. Answers of quick requests go to `reply`; a file load posts
/// its answer itself when it completes.
pub(crate) fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue, reply: &Reply) {
    let msg = Reflect::get(data, &"msg".into()).ok();
    let bytes = match msg.and_then(|m| m.dyn_into::<Uint8Array>().ok()) {
        Some(m) => m.to_vec(),
        None => {
            reply(
                scope,
                0,
                ResponseBody::Failed(WorkerError::Protocol(
                    "the page sent a message without a `msg` byte array".into(),
                )),
            );
            return;
        }
    };
    let request: RequestMsg = match decode(&bytes) {
        Ok(r) => r,
        Err(e) => {
            reply(
                scope,
                0,
                ResponseBody::Failed(WorkerError::Protocol(format!(
                    "{e} — the page and the worker come from different builds; reload the page"
                ))),
            );
            return;
        }
    };
    let job = request.job;
    let file = Reflect::get(data, &"file".into())
        .ok()
        .and_then(|f| f.dyn_into::<File>().ok());
    let answer = match request.body {
        RequestBody::LoadSample(LoadSample(params)) => {
            reply_of::<LoadSample>(load_sample(scope, job, &params))
        }
        RequestBody::LoadFile(LoadFile { name, size }) => match file {
            Some(f) => {
                let scope = scope.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = load_file(&scope, job, &name, size, &f).await;
                    post(&scope, job, reply_of::<LoadFile>(answer));
                });
                return;
            }
            None => reply_of::<LoadFile>(Err(WorkerError::BadRequest(format!(
                "no file came with the request to load {name}; pick the file again"
            )))),
        },
        RequestBody::Train(Train(config)) => reply_of::<Train>(train(scope, job, &config)),
        RequestBody::Cancel(_) => Cancel::answer(()),
        RequestBody::Rows(Rows { indices }) => reply_of::<Rows>(rows(&indices)),
        RequestBody::ExportCsv(ExportCsv { ensemble_threshold }) => {
            reply_of::<ExportCsv>(export_csv(ensemble_threshold))
        }
        RequestBody::RowMeta(RowMeta) => reply_of::<RowMeta>(super::results::row_meta()),
        RequestBody::ExportJson(ExportJson { ensemble_threshold }) => {
            reply_of::<ExportJson>(super::results::export_json(ensemble_threshold))
        }
        RequestBody::ExportModel(ExportModel(meta)) => {
            reply_of::<ExportModel>(super::models::export_model(meta))
        }
        RequestBody::ImportModel(ImportModel { name }) => {
            reply_of::<ImportModel>(super::models::import_model(scope, job, &name, file))
        }
        RequestBody::RunRecord(RunRecord(req)) => {
            reply_of::<RunRecord>(super::models::run_record(req))
        }
        RequestBody::LiveStart(LiveStart { source, config }) => {
            reply_of::<LiveStart>(super::live::start(source, config))
        }
        RequestBody::LiveTick(LiveTick { elapsed_ms, speed }) => {
            reply_of::<LiveTick>(super::live::tick(elapsed_ms, speed))
        }
        RequestBody::LiveStop(LiveStop) => reply_of::<LiveStop>(super::live::stop()),
        RequestBody::Mapping(Mapping) => reply_of::<Mapping>(super::mapping::mapping()),
        RequestBody::Remap(Remap { roles }) => reply_of::<Remap>(super::mapping::remap(&roles)),
        RequestBody::Views(Views) => reply_of::<Views>(super::views::views()),
        RequestBody::Benchmark(Benchmark {
            seed,
            contamination,
        }) => {
            let file2 = Reflect::get(data, &"file2".into())
                .ok()
                .and_then(|f| f.dyn_into::<File>().ok());
            match (file, file2) {
                (Some(train), Some(test)) => {
                    let scope = scope.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let answer =
                            benchmark(&scope, job, &train, &test, seed, contamination).await;
                        post(&scope, job, reply_of::<Benchmark>(answer));
                    });
                    return;
                }
                _ => reply_of::<Benchmark>(Err(WorkerError::BadRequest(
                    "the benchmark needs two files: the training set and the test set".into(),
                ))),
            }
        }
        RequestBody::Network(Network { rules, threshold }) => {
            reply_of::<Network>(super::network::network(&rules, threshold))
        }
        RequestBody::TableQuery(TableQuery(q)) => {
            reply_of::<TableQuery>(super::anomalies::table(&q))
        }
        RequestBody::RowDetail(RowDetail { row }) => {
            reply_of::<RowDetail>(super::anomalies::row_detail(row))
        }
        RequestBody::Importance(Importance(p)) => {
            reply_of::<Importance>(super::anomalies::importance(scope, job, &p))
        }
        RequestBody::Mark(Mark {
            feedback,
            rows,
            verdict,
            at,
        }) => reply_of::<Mark>(super::anomalies::mark(feedback, &rows, verdict, at)),
        RequestBody::Retrain(Retrain { config, feedback }) => {
            reply_of::<Retrain>(super::anomalies::retrain(scope, job, &config, &feedback))
        }
    };
    reply(scope, job, answer);
}

/// The terminal answer of a request of type `R`: its reply, or `Failed`.
fn reply_of<R: Request>(result: Result<R::Reply, WorkerError>) -> ResponseBody {
    result.map_or_else(ResponseBody::Failed, R::answer)
}

/// Posts throttled progress for one job; never cancels (see the module docs).
pub(crate) struct Sink<'a> {
    scope: &'a DedicatedWorkerGlobalScope,
    job: JobId,
    last_ms: f64,
    last_stage: Option<Stage>,
}

impl<'a> Sink<'a> {
    /// A sink for `job`.
    pub(crate) fn new(scope: &'a DedicatedWorkerGlobalScope, job: JobId) -> Self {
        Self {
            scope,
            job,
            last_ms: f64::NEG_INFINITY,
            last_stage: None,
        }
    }

    /// Posts `event` unless one went out less than [`PROGRESS_INTERVAL_MS`] ago.
    pub(crate) fn send(&mut self, event: ProgressEvent) {
        let t = now_ms();
        let stage_changed = self.last_stage != Some(event.stage);
        let finished = event.total > 0 && event.done >= event.total;
        if stage_changed || finished || t - self.last_ms >= PROGRESS_INTERVAL_MS {
            self.last_ms = t;
            self.last_stage = Some(event.stage);
            post(self.scope, self.job, ResponseBody::Progress(event));
        }
    }
}

impl crate::engine::progress::Progress for Sink<'_> {
    fn update(&mut self, event: ProgressEvent) -> ControlFlow<()> {
        self.send(event);
        ControlFlow::Continue(())
    }
}

fn set_table(table: Table, summary: DatasetSummary) -> DatasetSummary {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.table = Some(table);
        s.name = summary.name.clone();
        s.last = None;
        s.format = summary.format.clone();
        s.ingest_mapping = Vec::new();
    });
    summary
}

fn load_sample(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    params: &crate::engine::generate::SampleParams,
) -> Result<DatasetSummary, WorkerError> {
    let mut sink = Sink::new(scope, job);
    sink.send(ProgressEvent {
        stage: Stage::Ingest,
        done: 0,
        total: params.rows as u64,
    });
    let table = crate::engine::generate::sample_traffic(params)
        .map_err(|e| WorkerError::from(crate::engine::Error::from(e)))?;
    let name = format!(
        "sample traffic ({} rows, {:.0} % anomalies, seed {})",
        params.rows,
        params.anomaly_ratio * 100.0,
        params.seed
    );
    let summary = DatasetSummary::of(
        &table,
        name,
        "generated, seed 001 schema".into(),
        Vec::new(),
    );
    Ok(set_table(table, summary))
}

async fn load_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    name: &str,
    size: u64,
    file: &File,
) -> Result<DatasetSummary, WorkerError> {
    let total = file.size() as u64;
    if total != size {
        return Err(WorkerError::BadRequest(format!(
            "{name} changed size while loading ({size} → {total} bytes); pick it again"
        )));
    }
    let (ingested, mut load) = read_file(scope, job, name, file).await?;
    let t0 = now_ms();
    let mut summary = DatasetSummary::of(
        &ingested.table,
        name.to_owned(),
        ingested.format,
        ingested.warnings,
    );
    load.summary_ms = now_ms() - t0;
    summary.load = Some(load);
    summary.skipped = (ingested.skipped_rows > 0).then(|| SkippedRows {
        count: ingested.skipped_rows,
        first: ingested
            .first_bad_rows
            .into_iter()
            .map(|e| e.in_file(name))
            .collect(),
    });
    let summary = set_table(ingested.table, summary);
    with_state(|s| s.ingest_mapping = ingested.mapping);
    Ok(summary)
}

/// Reads a `File` in slices ([`file_reader::Slices`](super::file_reader::Slices)) through the
/// engine's [`AutoReader`] (tables and packet captures alike), posting `Progress(Ingest, bytes
/// done, bytes total)` per slice. The next slices are read while the current one is parsed; at
/// most [`HELPERS`](super::file_reader::HELPERS) × [`AHEAD`](super::file_reader::AHEAD) + 1
/// slices are in memory, never the whole file.
/// Also returns where the time went.
async fn read_file(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    name: &str,
    file: &File,
) -> Result<(Ingested, LoadStats), WorkerError> {
    let total = file.size() as u64;
    let mut sink = Sink::new(scope, job);
    let opts = IngestOptions {
        size_hint: Some(total),
        ..IngestOptions::default()
    };
    let mut stream = AutoReader::new(name, opts, FlowConfig::default());
    let mut stats = LoadStats {
        bytes: total,
        read_ms: 0.0,
        parse_ms: 0.0,
        summary_ms: 0.0,
    };
    sink.send(ProgressEvent {
        stage: Stage::Ingest,
        done: 0,
        total,
    });
    let in_file = |e: crate::engine::Error| match e {
        crate::engine::Error::Ingest(e) if e.file.is_none() => {
            WorkerError::from(crate::engine::Error::Ingest(e.in_file(name)))
        }
        other => WorkerError::from(other),
    };
    let mut slices = super::file_reader::Slices::new(file, name)?;
    // One buffer reused for every slice: no allocation per slice inside wasm.
    let mut bytes = Vec::new();
    let mut offset = 0u64;
    loop {
        let t0 = now_ms();
        let Some(view) = slices.next().await? else {
            break;
        };
        let n = view.length() as usize;
        if bytes.capacity() < n {
            // A bigger slice: a fresh buffer, as growing this one would copy its old bytes.
            bytes = Vec::with_capacity(n);
        }
        bytes.resize(n, 0);
        view.copy_to(&mut bytes);
        let t1 = now_ms();
        stream.push(&bytes).map_err(in_file)?;
        stats.read_ms += t1 - t0;
        stats.parse_ms += now_ms() - t1;
        offset += bytes.len() as u64;
        sink.send(ProgressEvent {
            stage: Stage::Ingest,
            done: offset,
            total,
        });
    }
    let t0 = now_ms();
    let ingested = stream.finish().map_err(in_file)?;
    stats.parse_ms += now_ms() - t0;
    Ok((ingested, stats))
}

/// The browser side of the NSL-KDD benchmark: the same `engine::bench` code as the CLI, timed
/// with `performance.now()`; memory is the wasm linear memory size (it only grows, so it is the
/// peak of the whole worker so far).
async fn benchmark(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    train: &File,
    test: &File,
    seed: u64,
    contamination: f64,
) -> Result<Vec<crate::engine::bench::BenchLine>, WorkerError> {
    struct WasmMemory;
    impl crate::engine::bench::MemoryProbe for WasmMemory {
        fn reset(&mut self) {}
        fn peak_mb(&self) -> Option<f64> {
            let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
            let bytes = memory
                .buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length();
            Some(f64::from(bytes) / (1024.0 * 1024.0))
        }
    }
    let (train, _) = read_file(scope, job, &train.name(), train).await?;
    let (test, _) = read_file(scope, job, &test.name(), test).await?;
    let clock = || now_ms() / 1000.0;
    let (mut memory, mut sink) = (WasmMemory, Sink::new(scope, job));
    let mut env = crate::engine::bench::BenchEnv {
        clock: &clock,
        memory: &mut memory,
        progress: &mut sink,
    };
    Ok(crate::engine::bench::run_all(
        &train.table,
        &test.table,
        (seed, contamination),
        &mut env,
    )?)
}

fn train(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    config: &RunConfig,
) -> Result<Box<RunResult>, WorkerError> {
    let started = now_ms();
    let (model, mut result) = with_state(|s| {
        let table = s.table()?;
        let mut sink = Sink::new(scope, job);
        pipeline::run_with_clock(config, table, &mut sink, &|| now_ms() / 1000.0)
            .map_err(WorkerError::from)
    })?;
    result.total_seconds = (now_ms() - started) / 1000.0;
    let answer = Box::new(result.clone());
    with_state(|s| s.last = Some((model, result)));
    Ok(answer)
}

fn rows(indices: &[u32]) -> Result<RowsPage, WorkerError> {
    with_state(|s| Ok(RowsPage::of(s.table()?, indices)))
}

fn export_csv(ensemble_threshold: Option<f64>) -> Result<ExportFile, WorkerError> {
    with_state(|s| {
        let table = s.table()?;
        let (_, result) = s.last()?;
        let selection = match ensemble_threshold {
            Some(t) => Selection::ScoreAtLeast(t),
            None => Selection::Decision,
        };
        let bytes = report::anomalies_csv(table, result, selection)?;
        Ok(ExportFile {
            file_name: report::export_file_name("anomalies", "csv", js_sys::Date::now() / 1000.0),
            mime: "text/csv;charset=utf-8".into(),
            bytes,
        })
    })
}

/// The message of a JS error value (or the value itself when it is a string).
pub(crate) fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".into())
}
