//! The bridge to the engine's Web Worker.
//!
//! [`provide_worker`] starts the worker once (from the app) and puts a [`UseWorkerReturn`] in
//! context; components call [`use_worker`] and its methods. Answers update the
//! [`AppState`](crate::ui::state::AppState) signals directly.
//!
//! The page keeps what it needs to rebuild the worker's data set (the `File` handle or the
//! sample parameters): cancelling a job that does not stop within [`CANCEL_GRACE_MS`] terminates
//! the worker and starts a fresh one with the same data (see `worker::runtime` for why).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use js_sys::{Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker};

use crate::engine::ensemble::Severity;
use crate::engine::generate::SampleParams;
use crate::engine::pipeline::{RunConfig, RunResult};
use crate::ui::state::{AppState, JobKind, JobStatus, UiError};
use crate::worker::protocol::{
    decode, encode, JobId, Request, RequestBody, Response, ResponseBody, RowsPage,
};

/// The worker's start script (see `public/worker-loader.js`).
pub const WORKER_URL: &str = "./worker-loader.js";

/// How long a cancelled job may take to answer before the worker is replaced.
pub const CANCEL_GRACE_MS: u32 = 300;

/// The end of the worker's warning that starts the skipped-rows list
/// (`worker::runtime::SKIPPED_ROWS`; the runtime is wasm-only, so the text is repeated here).
pub const SKIPPED_ROWS: &str = "row(s) could not be read and were skipped";

/// How many top anomalies the results table shows.
pub const TOP_ROWS: usize = 50;

/// Where the current data set came from, to rebuild it in a fresh worker.
#[derive(Clone)]
enum Source {
    Sample(SampleParams),
    File(File),
}

/// What a pending job is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pending {
    Load(JobKind),
    /// Reloading the data set into a replacement worker after a cancel.
    Reload,
    Train,
    TopRows,
    Export,
    Cancel,
    Benchmark,
    /// A request made with [`UseWorkerReturn::call`] / [`UseWorkerReturn::run`]: the terminal
    /// answer goes to its callback.
    Call,
}

/// What a [`UseWorkerReturn::call`] gets back: the terminal answer of its job.
pub type Answer = Box<dyn FnOnce(ResponseBody)>;

struct Inner {
    state: AppState,
    worker: Option<Worker>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_error: Option<Closure<dyn FnMut(web_sys::Event)>>,
    next_job: JobId,
    pending: HashMap<JobId, Pending>,
    /// Callbacks of [`Pending::Call`] jobs.
    callbacks: HashMap<JobId, Answer>,
    /// The load/train job the progress bar shows.
    running: Option<JobId>,
    source: Option<Source>,
}

/// Handle to the worker bridge (cheap to copy; lives as long as the app).
#[derive(Clone, Copy)]
pub struct UseWorkerReturn {
    inner: StoredValue<Rc<RefCell<Inner>>, LocalStorage>,
}

/// Starts the worker and provides the bridge as context. Call once, in the app.
pub fn provide_worker(state: AppState) -> UseWorkerReturn {
    let inner = Rc::new(RefCell::new(Inner {
        state,
        worker: None,
        on_message: None,
        on_error: None,
        next_job: 1,
        pending: HashMap::new(),
        callbacks: HashMap::new(),
        running: None,
        source: None,
    }));
    start(&inner);
    let handle = UseWorkerReturn {
        inner: StoredValue::new_local(inner),
    };
    provide_context(handle);
    handle
}

/// The worker bridge from context.
///
/// # Panics
/// When called outside the app (a programming error).
pub fn use_worker() -> UseWorkerReturn {
    expect_context::<UseWorkerReturn>()
}

fn start(inner: &Rc<RefCell<Inner>>) {
    let state = inner.borrow().state;
    let worker = match Worker::new(WORKER_URL) {
        Ok(w) => w,
        Err(e) => {
            state.error.set(Some(UiError {
                title: "The analysis engine could not start".into(),
                message: format!(
                    "{} — this browser may block Web Workers on this page; reload it, or open it over http(s).",
                    js_text(&e)
                ),
            }));
            return;
        }
    };
    let weak: Weak<RefCell<Inner>> = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(inner) = weak.upgrade() {
            on_message(&inner, &ev.data());
        }
    });
    let weak_err: Weak<RefCell<Inner>> = Rc::downgrade(inner);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        // Crashes (a panic in the worker, a failed wasm load) end up here.
        ev.prevent_default();
        let text = Reflect::get(&ev, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "the worker stopped unexpectedly".into());
        if let Some(inner) = weak_err.upgrade() {
            let state = {
                let mut i = inner.borrow_mut();
                i.running = None;
                i.pending.clear();
                i.callbacks.clear();
                i.state
            };
            state.job.set(None);
            state.error.set(Some(UiError {
                title: "The analysis engine crashed".into(),
                message: format!("{text} — reload the page and try again; if it happens again, the file may be too large for this tab."),
            }));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let mut i = inner.borrow_mut();
    i.worker = Some(worker);
    i.on_message = Some(on_message);
    i.on_error = Some(on_error);
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Posts a request; returns its job id, or `None` (with the error banner set) when it could not
/// be sent.
fn send(
    inner: &Rc<RefCell<Inner>>,
    body: RequestBody,
    files: &[&File],
    pending: Pending,
) -> Option<JobId> {
    let (job, worker, state) = {
        let mut i = inner.borrow_mut();
        let job = i.next_job;
        i.next_job = i.next_job.wrapping_add(1).max(1);
        (job, i.worker.clone(), i.state)
    };
    let fail = |message: String| {
        state.error.set(Some(UiError {
            title: "Could not reach the analysis engine".into(),
            message,
        }));
        None
    };
    let Some(worker) = worker else {
        return fail("the worker is not running; reload the page".into());
    };
    let bytes = match encode(&Request { job, body }) {
        Ok(b) => b,
        Err(e) => return fail(e.to_string()),
    };
    let obj = js_sys::Object::new();
    let _ = Reflect::set(&obj, &"msg".into(), &Uint8Array::from(bytes.as_slice()));
    // The first file travels as `file`, a second as `file2` (the benchmark's test set).
    for (key, f) in ["file", "file2"].into_iter().zip(files) {
        let _ = Reflect::set(&obj, &key.into(), f);
    }
    if let Err(e) = worker.post_message(&obj) {
        return fail(js_text(&e));
    }
    inner.borrow_mut().pending.insert(job, pending);
    Some(job)
}

fn on_message(inner: &Rc<RefCell<Inner>>, data: &JsValue) {
    let state = inner.borrow().state;
    let bytes = match Reflect::get(data, &"msg".into())
        .ok()
        .and_then(|m| m.dyn_into::<Uint8Array>().ok())
    {
        Some(m) => m.to_vec(),
        None => return,
    };
    let Response { job, body } = match decode::<Response>(&bytes) {
        Ok(r) => r,
        Err(e) => {
            state.error.set(Some(UiError {
                title: "The analysis engine sent an unreadable answer".into(),
                message: format!("{e} — reload the page (the page and the worker may come from different builds)."),
            }));
            return;
        }
    };
    if let ResponseBody::Progress(p) = body {
        if inner.borrow().running == Some(job) {
            state.job.update(|j| {
                if let Some(j) = j {
                    j.progress = Some(p);
                }
            });
        }
        return;
    }
    // A terminal answer.
    let (pending, was_running) = {
        let mut i = inner.borrow_mut();
        let was_running = i.running == Some(job);
        if was_running {
            i.running = None;
        }
        (i.pending.remove(&job), was_running)
    };
    if was_running {
        state.job.set(None);
    }
    // Job 0 is the worker's answer to a message it could not decode.
    let Some(pending) = pending.or((job == 0).then_some(Pending::Cancel)) else {
        return; // an answer from a job we gave up on
    };
    if pending == Pending::Call {
        let callback = inner.borrow_mut().callbacks.remove(&job);
        if let Some(callback) = callback {
            callback(body);
        }
        return;
    }
    match body {
        ResponseBody::Progress(_) => {}
        ResponseBody::Loaded(summary) => {
            if let Some(first) = summary
                .warnings
                .iter()
                .position(|w| w.ends_with(SKIPPED_ROWS))
            {
                state.error.set(Some(UiError {
                    title: format!("Some rows of {} could not be read", summary.name),
                    message: summary.warnings[first..]
                        .iter()
                        .take(4)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" · "),
                }));
            }
            if pending == Pending::Reload {
                state.dataset.set(Some(summary));
            } else {
                state.result.set(None);
                state.top_rows.set(None);
                state.dataset.set(Some(summary));
            }
        }
        ResponseBody::Trained(result) => {
            // For the e2e: the moment the result reached the page.
            if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                let _ = perf.mark("ns-result-received");
            }
            let result: Arc<RunResult> = Arc::from(result);
            let top = top_anomalies(&result, TOP_ROWS);
            state.top_rows.set(None);
            state.result.set(Some(result));
            if !top.is_empty() {
                send(
                    inner,
                    RequestBody::Rows { indices: top },
                    &[],
                    Pending::TopRows,
                );
            } else {
                state.top_rows.set(Some(RowsPage {
                    header: Vec::new(),
                    rows: Vec::new(),
                }));
            }
        }
        ResponseBody::Benchmark(lines) => state.bench.set(Some(lines)),
        ResponseBody::Rows(page) if pending == Pending::TopRows => {
            state.top_rows.set(Some(page));
        }
        ResponseBody::Export(file) => {
            if let Err(e) =
                crate::ui::download::download_bytes(&file.file_name, &file.mime, &file.bytes)
            {
                state.error.set(Some(UiError {
                    title: "The download could not start".into(),
                    message: format!(
                        "{} — allow downloads for this page and try again.",
                        js_text(&e)
                    ),
                }));
            }
        }
        ResponseBody::Failed(e) => {
            let title = match pending {
                Pending::Load(JobKind::LoadFile) => "Could not load the file",
                Pending::Load(_) | Pending::Reload => "Could not load the data",
                Pending::Train => "Training failed",
                Pending::Export => "Export failed",
                Pending::TopRows => "Could not fetch the anomalous rows",
                Pending::Cancel => "The analysis engine rejected a request",
                Pending::Benchmark => "The benchmark failed",
                Pending::Call => "The analysis engine failed",
            };
            state.error.set(Some(UiError {
                title: title.into(),
                message: e.message,
            }));
        }
        ResponseBody::Cancelled => {
            if matches!(pending, Pending::Train | Pending::Load(_)) {
                state.notice.set(Some("Cancelled.".into()));
            }
        }
        // Everything else is only ever asked for with `call`/`run`, whose callbacks get it.
        _ => {}
    }
}

/// Row indices of the `n` anomalies with the highest ensemble score (ties: lower row first).
pub fn top_anomalies(result: &RunResult, n: usize) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..result.ensemble_score.len() as u32)
        .filter(|&i| result.is_anomaly.get(i as usize).copied().unwrap_or(false))
        .collect();
    idx.sort_by(|&a, &b| {
        let (sa, sb) = (
            result.ensemble_score[a as usize],
            result.ensemble_score[b as usize],
        );
        sb.total_cmp(&sa).then(a.cmp(&b))
    });
    idx.truncate(n);
    idx
}

/// Number of anomalies of each severity (low, medium, high).
pub fn severity_counts(result: &RunResult) -> [usize; 3] {
    let mut c = [0; 3];
    for (a, s) in result.is_anomaly.iter().zip(&result.severity) {
        if *a {
            match s {
                Severity::None | Severity::Low => c[0] += 1,
                Severity::Medium => c[1] += 1,
                Severity::High => c[2] += 1,
            }
        }
    }
    c
}

impl UseWorkerReturn {
    fn with<R>(&self, f: impl FnOnce(&Rc<RefCell<Inner>>) -> R) -> Option<R> {
        self.inner.try_with_value(|i| f(i))
    }

    fn begin(
        &self,
        kind: JobKind,
        body: RequestBody,
        files: &[&File],
        pending: Pending,
    ) -> Option<JobId> {
        self.with(|inner| {
            let state = inner.borrow().state;
            if inner.borrow().running.is_some() {
                return None;
            }
            state.error.set(None);
            state.notice.set(None);
            let job = send(inner, body, files, pending)?;
            inner.borrow_mut().running = Some(job);
            state.job.set(Some(JobStatus::started(kind)));
            Some(job)
        })
        .flatten()
    }

    /// Sends a request beside any running job and hands its terminal answer (including
    /// `Failed`/`Cancelled`) to `on_answer`. For quick requests (rows, explanations, views).
    /// Returns the job id, or `None` when it could not be sent (the banner says why).
    pub fn call(
        &self,
        body: RequestBody,
        files: &[&File],
        on_answer: impl FnOnce(ResponseBody) + 'static,
    ) -> Option<JobId> {
        self.with(|inner| {
            let job = send(inner, body, files, Pending::Call)?;
            inner
                .borrow_mut()
                .callbacks
                .insert(job, Box::new(on_answer));
            Some(job)
        })
        .flatten()
    }

    /// Like [`call`](Self::call) for long work: the job becomes the running job (progress bar,
    /// Cancel button, the page's `job` signal) and is refused while another job runs (`None`).
    pub fn run(
        &self,
        kind: JobKind,
        body: RequestBody,
        files: &[&File],
        on_answer: impl FnOnce(ResponseBody) + 'static,
    ) -> Option<JobId> {
        let job = self.begin(kind, body, files, Pending::Call)?;
        self.with(|inner| {
            inner
                .borrow_mut()
                .callbacks
                .insert(job, Box::new(on_answer));
        });
        Some(job)
    }

    /// The file the current data set was read from, if it came from a file.
    pub fn current_file(&self) -> Option<File> {
        self.with(|i| match &i.borrow().source {
            Some(Source::File(f)) => Some(f.clone()),
            _ => None,
        })
        .flatten()
    }

    /// The generator parameters of the current data set, if it is sample data.
    pub fn current_sample(&self) -> Option<SampleParams> {
        self.with(|i| match &i.borrow().source {
            Some(Source::Sample(p)) => Some(p.clone()),
            _ => None,
        })
        .flatten()
    }

    /// Generates the sample data set in the worker.
    pub fn load_sample(&self, params: SampleParams) {
        self.with(|i| i.borrow_mut().source = Some(Source::Sample(params.clone())));
        self.begin(
            JobKind::LoadSample,
            RequestBody::LoadSample(params),
            &[],
            Pending::Load(JobKind::LoadSample),
        );
    }

    /// Reads a user's file in the worker.
    pub fn load_file(&self, file: File) {
        let body = RequestBody::LoadFile {
            name: file.name(),
            size: file.size() as u64,
        };
        self.with(|i| i.borrow_mut().source = Some(Source::File(file.clone())));
        self.begin(
            JobKind::LoadFile,
            body,
            &[&file],
            Pending::Load(JobKind::LoadFile),
        );
    }

    /// Runs the NSL-KDD benchmark protocols on a training and a test file (the `?bench` panel).
    pub fn benchmark(&self, train: File, test: File, seed: u64, contamination: f64) {
        self.begin(
            JobKind::Train,
            RequestBody::Benchmark {
                seed,
                contamination,
            },
            &[&train, &test],
            Pending::Benchmark,
        );
    }

    /// Trains and scores the current data set.
    pub fn train(&self, config: RunConfig) {
        self.begin(
            JobKind::Train,
            RequestBody::Train(config),
            &[],
            Pending::Train,
        );
    }

    /// Asks the worker for the anomalies as CSV and downloads the answer.
    pub fn export_csv(&self, ensemble_threshold: Option<f64>) {
        self.with(|inner| {
            send(
                inner,
                RequestBody::ExportCsv { ensemble_threshold },
                &[],
                Pending::Export,
            )
        });
    }

    /// Cancels the running job: asks the worker, and replaces the worker if it has not answered
    /// within [`CANCEL_GRACE_MS`].
    pub fn cancel(&self) {
        let Some(Some((target, state))) = self.with(|inner| {
            let i = inner.borrow();
            i.running.map(|r| (r, i.state))
        }) else {
            return;
        };
        state.job.update(|j| {
            if let Some(j) = j {
                j.cancelling = true;
            }
        });
        self.with(|inner| send(inner, RequestBody::Cancel { target }, &[], Pending::Cancel));
        let this = *self;
        set_timeout(
            move || this.restart_if_still_running(target),
            std::time::Duration::from_millis(CANCEL_GRACE_MS.into()),
        );
    }

    fn restart_if_still_running(&self, target: JobId) {
        self.with(|inner| {
            let (still, state, source, kind) = {
                let i = inner.borrow();
                (
                    i.running == Some(target),
                    i.state,
                    i.source.clone(),
                    i.pending.get(&target).copied(),
                )
            };
            if !still {
                return;
            }
            {
                let mut i = inner.borrow_mut();
                if let Some(w) = i.worker.take() {
                    w.terminate();
                }
                i.on_message = None;
                i.on_error = None;
                i.pending.clear();
                i.callbacks.clear();
                i.running = None;
            }
            state.job.set(None);
            start(inner);
            // A cancelled load leaves no data set; a cancelled training keeps the data set,
            // which the new worker must get back.
            match kind {
                // Training and other long jobs keep the data set (a cancelled retrain keeps
                // nothing of the run it was replacing either).
                Some(Pending::Train | Pending::Call) => {
                    state.result.set(None);
                    state.top_rows.set(None);
                    match source {
                        Some(Source::Sample(p)) => {
                            send(inner, RequestBody::LoadSample(p), &[], Pending::Reload);
                        }
                        Some(Source::File(f)) => {
                            let body = RequestBody::LoadFile {
                                name: f.name(),
                                size: f.size() as u64,
                            };
                            send(inner, body, &[&f], Pending::Reload);
                        }
                        None => {}
                    }
                }
                _ => {
                    inner.borrow_mut().source = None;
                    state.dataset.set(None);
                    state.result.set(None);
                    state.top_rows.set(None);
                }
            }
            state.notice.set(Some("Cancelled.".into()));
        });
    }
}
