//! The bridge to the engine's Web Worker: one typed entry point.
//!
//! [`provide_worker`] starts the worker once (from the app) and puts a [`UseWorkerReturn`] in
//! context; components call [`use_worker`]. Every request goes through
//! [`UseWorkerReturn::request`] (quick, beside anything else) or [`UseWorkerReturn::run`] (a long
//! job: progress bar, Cancel button, refused while another runs), and both return a future of
//! `Result<R::Reply, AppError>`: the reply type is the request type's own
//! ([`Request`](crate::worker::protocol::Request)), so no caller matches on answers it does not
//! expect. A [`run`](UseWorkerReturn::run) job's progress messages update `AppState::job` as they
//! come.
//!
//! The page keeps what it needs to rebuild the worker's data set (the `File` handle or the
//! sample parameters): cancelling a job that does not stop within [`CANCEL_GRACE_MS`] terminates
//! the worker and starts a fresh one with the same data (see `worker::runtime` for why); the
//! futures of the old worker's jobs end with [`AppError::Cancelled`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use futures_channel::oneshot;
use js_sys::{Reflect, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker};

use crate::engine::generate::SampleParams;
use crate::engine::pipeline::{RunConfig, RunResult};
use crate::engine::summary::top_flagged;
use crate::ui::error::{js_text, AppError};
use crate::ui::state::{AppState, JobKind, JobStatus};
use crate::worker::protocol::{
    decode, encode, Benchmark, Cancel, DatasetSummary, ExportCsv, JobId, LoadFile, LoadSample,
    Request, RequestBody, RequestMsg, ResponseBody, ResponseMsg, Rows, RowsPage, Train,
    WorkerError,
};

/// The worker's start script (see `public/worker-loader.js`).
pub const WORKER_URL: &str = "./worker-loader.js";

/// How long a cancelled job may take to answer before the worker is replaced.
pub const CANCEL_GRACE_MS: u32 = 300;

/// How many top anomalies the results table shows.
pub const TOP_ROWS: usize = 50;

/// Where the current data set came from, to rebuild it in a fresh worker.
#[derive(Clone)]
enum Source {
    Sample(SampleParams),
    File(File),
}

struct Inner {
    state: AppState,
    worker: Option<Worker>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_error: Option<Closure<dyn FnMut(web_sys::Event)>>,
    next_job: JobId,
    /// Where each job's terminal answer goes. Dropping a sender (worker replaced or crashed)
    /// ends its future with [`AppError::Cancelled`].
    pending: HashMap<JobId, oneshot::Sender<ResponseBody>>,
    /// The long job the progress bar shows, and its kind.
    running: Option<(JobId, JobKind)>,
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
            state.fail_then(
                "The analysis engine could not start",
                AppError::browser(&e),
                "this browser may block Web Workers on this page; reload it, or open it over http(s).",
            );
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
                i.state
            };
            state.job.set(None);
            state.fail_then(
                "The analysis engine crashed",
                AppError::Unreachable(text),
                "reload the page and try again; if it happens again, the file may be too large for this tab.",
            );
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let mut i = inner.borrow_mut();
    i.worker = Some(worker);
    i.on_message = Some(on_message);
    i.on_error = Some(on_error);
}

/// Posts a request with its files (the first travels as `file`, a second as `file2`); returns
/// its job id.
fn post(inner: &Rc<RefCell<Inner>>, body: RequestBody, files: &[&File]) -> Result<JobId, AppError> {
    let (job, worker) = {
        let mut i = inner.borrow_mut();
        let job = i.next_job;
        i.next_job = i.next_job.wrapping_add(1).max(1);
        (job, i.worker.clone())
    };
    let worker = worker.ok_or_else(|| {
        AppError::Unreachable("the worker is not running; reload the page".into())
    })?;
    let bytes = encode(&RequestMsg { job, body })
        .map_err(|e| AppError::Worker(WorkerError::Protocol(e.to_string())))?;
    let obj = js_sys::Object::new();
    let _ = Reflect::set(&obj, &"msg".into(), &Uint8Array::from(bytes.as_slice()));
    for (key, f) in ["file", "file2"].into_iter().zip(files) {
        let _ = Reflect::set(&obj, &key.into(), f);
    }
    worker
        .post_message(&obj)
        .map_err(|e| AppError::Unreachable(js_text(&e)))?;
    Ok(job)
}

/// Posts a request and registers for its terminal answer.
fn send(
    inner: &Rc<RefCell<Inner>>,
    body: RequestBody,
    files: &[&File],
) -> Result<(JobId, oneshot::Receiver<ResponseBody>), AppError> {
    let job = post(inner, body, files)?;
    let (tx, rx) = oneshot::channel();
    inner.borrow_mut().pending.insert(job, tx);
    Ok((job, rx))
}

/// The reply of `R` in a terminal answer, or why there is none.
async fn reply<R: Request>(
    sent: Result<oneshot::Receiver<ResponseBody>, AppError>,
) -> Result<R::Reply, AppError> {
    let body = sent?.await.map_err(|_| AppError::Cancelled)?;
    match R::reply(body) {
        Ok(reply) => Ok(reply),
        Err(ResponseBody::Failed(e)) => Err(e.into()),
        Err(ResponseBody::Cancelled(())) => Err(AppError::Cancelled),
        Err(other) => Err(AppError::Worker(WorkerError::Protocol(format!(
            "the worker answered {} with another request's reply ({:?}); reload the page",
            std::any::type_name::<R>(),
            std::mem::discriminant(&other)
        )))),
    }
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
    let ResponseMsg { job, body } = match decode::<ResponseMsg>(&bytes) {
        Ok(r) => r,
        Err(e) => {
            state.fail_then(
                "The analysis engine sent an unreadable answer",
                AppError::Worker(WorkerError::Protocol(e.to_string())),
                "reload the page (the page and the worker may come from different builds).",
            );
            return;
        }
    };
    let running = inner.borrow().running;
    if let ResponseBody::Progress(p) = body {
        if running.is_some_and(|(r, _)| r == job) {
            state.job.update(|j| {
                if let Some(j) = j {
                    j.progress = Some(p);
                }
            });
        }
        return;
    }
    // A terminal answer.
    if running.is_some_and(|(r, _)| r == job) {
        inner.borrow_mut().running = None;
        state.job.set(None);
        if matches!(body, ResponseBody::Cancelled(())) {
            state.notice.set(Some("Cancelled.".into()));
        }
    }
    let sender = inner.borrow_mut().pending.remove(&job);
    match (sender, body) {
        (Some(tx), body) => {
            // The receiver may be gone (its component unmounted): nothing to do then.
            let _ = tx.send(body);
        }
        // Job 0 is the worker's answer to a message it could not decode.
        (None, ResponseBody::Failed(e)) if job == 0 => {
            state.fail("The analysis engine rejected a request", e);
        }
        // An answer to a job nobody waits for (a cancel, or a job of a replaced worker).
        (None, _) => {}
    }
}

impl UseWorkerReturn {
    fn with<R>(&self, f: impl FnOnce(&Rc<RefCell<Inner>>) -> R) -> Option<R> {
        self.inner.try_with_value(|i| f(i))
    }

    fn state(&self) -> Option<AppState> {
        self.with(|i| i.borrow().state)
    }

    /// Sends `req` beside any running job; the future ends with its reply, or with why there
    /// is none. The request is posted at once, not when the future is first polled.
    pub fn request<R: Request + 'static>(
        &self,
        req: R,
    ) -> impl Future<Output = Result<R::Reply, AppError>> + 'static {
        self.request_with_files(req, &[])
    }

    /// [`request`](Self::request) with the `File`s the request reads (import a model).
    pub fn request_with_files<R: Request + 'static>(
        &self,
        req: R,
        files: &[&File],
    ) -> impl Future<Output = Result<R::Reply, AppError>> + 'static {
        let sent = self
            .with(|inner| send(inner, req.into(), files).map(|(_, rx)| rx))
            .unwrap_or_else(|| Err(AppError::Unreachable("the page is closing".into())));
        reply::<R>(sent)
    }

    /// Like [`request`](Self::request) for long work: the job becomes the running job
    /// (progress bar, Cancel button, the page's `job` signal; the banner and notice are
    /// cleared) and is refused with [`AppError::Busy`] while another job runs.
    pub fn run<R: Request + 'static>(
        &self,
        kind: JobKind,
        req: R,
        files: &[&File],
    ) -> impl Future<Output = Result<R::Reply, AppError>> + 'static {
        let sent = self
            .with(|inner| {
                let state = inner.borrow().state;
                if inner.borrow().running.is_some() {
                    return Err(AppError::Busy);
                }
                state.error.set(None);
                state.notice.set(None);
                let (job, rx) = send(inner, req.into(), files)?;
                inner.borrow_mut().running = Some((job, kind));
                state.job.set(Some(JobStatus::started(kind)));
                Ok(rx)
            })
            .unwrap_or_else(|| Err(AppError::Unreachable("the page is closing".into())));
        reply::<R>(sent)
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
        let (this, answer) = (
            *self,
            self.run(JobKind::LoadSample, LoadSample(params), &[]),
        );
        spawn_local(async move {
            this.loaded(answer.await, "Could not load the data", true);
        });
    }

    /// Reads a user's file in the worker.
    pub fn load_file(&self, file: File) {
        let req = LoadFile {
            name: file.name(),
            size: file.size() as u64,
        };
        self.with(|i| i.borrow_mut().source = Some(Source::File(file.clone())));
        let (this, answer) = (*self, self.run(JobKind::LoadFile, req, &[&file]));
        spawn_local(async move {
            this.loaded(answer.await, "Could not load the file", true);
        });
    }

    /// Shows a loaded data set (`fresh`: a new one, whose old result goes).
    fn loaded(&self, answer: Result<DatasetSummary, AppError>, title: &str, fresh: bool) {
        let Some(state) = self.state() else {
            return;
        };
        let summary = match answer {
            Ok(s) => s,
            Err(e) => return state.fail(title, e),
        };
        if let Some(skipped) = &summary.skipped {
            state.error.set(Some(crate::ui::state::UiError {
                title: format!("Some rows of {} could not be read", summary.name),
                message: skipped.lines().take(4).collect::<Vec<_>>().join(" · "),
            }));
        }
        if fresh {
            state.result.set(None);
            state.top_rows.set(None);
        }
        state.dataset.set(Some(summary));
    }

    /// Runs the NSL-KDD benchmark protocols on a training and a test file (the `?bench` panel).
    pub fn benchmark(&self, train: File, test: File, seed: u64, contamination: f64) {
        let req = Benchmark {
            seed,
            contamination,
        };
        let answer = self.run(JobKind::Train, req, &[&train, &test]);
        let Some(state) = self.state() else {
            return;
        };
        spawn_local(async move {
            match answer.await {
                Ok(lines) => state.bench.set(Some(lines)),
                Err(e) => state.fail("The benchmark failed", e),
            }
        });
    }

    /// Trains and scores the current data set.
    pub fn train(&self, config: RunConfig) {
        let (this, answer) = (*self, self.run(JobKind::Train, Train(config), &[]));
        spawn_local(async move {
            match answer.await {
                Ok(result) => {
                    // For the e2e: the moment the result reached the page.
                    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                        let _ = perf.mark("ns-result-received");
                    }
                    this.show_result(Arc::from(result));
                }
                Err(e) => {
                    if let Some(state) = this.state() {
                        state.fail("Training failed", e);
                    }
                }
            }
        });
    }

    /// Makes `result` the page's result and fetches the cells of its top anomalies (under the
    /// vote decision; the results view refetches them when the threshold moves).
    pub fn show_result(&self, result: Arc<RunResult>) {
        let Some(state) = self.state() else {
            return;
        };
        let top = top_flagged(&result, None, TOP_ROWS);
        state.top_rows.set(None);
        state.result.set(Some(result));
        if top.is_empty() {
            state.top_rows.set(Some(RowsPage {
                header: Vec::new(),
                rows: Vec::new(),
            }));
            return;
        }
        let rows = self.request(Rows { indices: top });
        spawn_local(async move {
            match rows.await {
                Ok(page) => state.top_rows.set(Some(page)),
                Err(e) => state.fail("Could not fetch the anomalous rows", e),
            }
        });
    }

    /// Asks the worker for the anomalies as CSV and downloads the answer.
    pub fn export_csv(&self, ensemble_threshold: Option<f64>) {
        let answer = self.request(ExportCsv { ensemble_threshold });
        let Some(state) = self.state() else {
            return;
        };
        spawn_local(async move {
            match answer.await {
                Ok(file) => crate::ui::download::offer(state, &file),
                Err(e) => state.fail("Export failed", e),
            }
        });
    }

    /// Cancels the running job: asks the worker, and replaces the worker if it has not answered
    /// within [`CANCEL_GRACE_MS`].
    pub fn cancel(&self) {
        let Some(Some((target, state))) = self.with(|inner| {
            let i = inner.borrow();
            i.running.map(|(r, _)| (r, i.state))
        }) else {
            return;
        };
        state.job.update(|j| {
            if let Some(j) = j {
                j.cancelling = true;
            }
        });
        // Nobody waits for the cancel's own answer.
        if let Some(Err(e)) = self.with(|inner| post(inner, Cancel { target }.into(), &[])) {
            state.fail("Could not reach the analysis engine", e);
        }
        let this = *self;
        set_timeout(
            move || this.restart_if_still_running(target),
            std::time::Duration::from_millis(CANCEL_GRACE_MS.into()),
        );
    }

    fn restart_if_still_running(&self, target: JobId) {
        let Some(Some((state, source, kind))) = self.with(|inner| {
            let (running, state, source) = {
                let i = inner.borrow();
                (i.running, i.state, i.source.clone())
            };
            let (_, kind) = running.filter(|(r, _)| *r == target)?;
            {
                let mut i = inner.borrow_mut();
                if let Some(w) = i.worker.take() {
                    w.terminate();
                }
                i.on_message = None;
                i.on_error = None;
                // Every waiting future ends with `Cancelled`.
                i.pending.clear();
                i.running = None;
            }
            state.job.set(None);
            start(inner);
            Some((state, source, kind))
        }) else {
            return;
        };
        // A cancelled load leaves no data set; any other job (training, retraining, importance)
        // keeps the data set, which the new worker must get back (a cancelled retrain keeps
        // nothing of the run it was replacing either).
        state.result.set(None);
        state.top_rows.set(None);
        match (kind, source) {
            (JobKind::LoadSample | JobKind::LoadFile, _) | (_, None) => {
                self.with(|i| i.borrow_mut().source = None);
                state.dataset.set(None);
            }
            (_, Some(Source::Sample(p))) => {
                let answer = self.request(LoadSample(p));
                let this = *self;
                spawn_local(async move {
                    this.loaded(answer.await, "Could not load the data", false);
                });
            }
            (_, Some(Source::File(f))) => {
                let req = LoadFile {
                    name: f.name(),
                    size: f.size() as u64,
                };
                let answer = self.request_with_files(req, &[&f]);
                let this = *self;
                spawn_local(async move {
                    this.loaded(answer.await, "Could not load the data", false);
                });
            }
        }
        state.notice.set(Some("Cancelled.".into()));
    }
}
