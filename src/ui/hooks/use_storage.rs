//! Persistence of the workspace in IndexedDB: open the store at start (falling back to memory
//! with a banner), restore the last workspace (data, settings, model scored without training,
//! feedback, threshold), autosave after each change (debounced), and record each new result in
//! the history with the retention applied.
//!
//! `?storage=fail` makes opening fail (as in private mode) and `?storage=full` makes every save
//! fail as over quota, so both paths can be tested.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::File;

use crate::engine::pipeline::RunResult;
use crate::storage::indexed_db::{IdbStore, META};
use crate::storage::store::RUNS;
use crate::storage::{
    apply_retention, load_runs, load_workspace, save_run, save_workspace, AnomalyRecord,
    DataSource, MemoryStore, Retention, RunRecord, Settings, StorageError, Store, Workspace,
    SCHEMA_VERSION,
};
use crate::ui::hooks::use_worker::UseWorkerReturn;
use crate::ui::state::{AppState, JobKind, Theme};
use crate::worker::models::{meta_for, RunRequest};
use crate::worker::protocol::{ExportModel, ImportModel, RunRecord as RecordRun};

/// The id of the one workspace the app keeps.
pub const WORKSPACE_ID: &str = "current";
/// Key of the stored data file.
pub const DATA_BLOB: &str = "current-data";
/// Milliseconds of quiet before an autosave.
pub const DEBOUNCE_MS: u64 = 400;

/// Where documents go.
enum Backend {
    Idb(IdbStore),
    Memory(MemoryStore),
}

impl Backend {
    fn store(&mut self) -> &mut dyn Store {
        match self {
            Backend::Idb(s) => s,
            Backend::Memory(s) => s,
        }
    }
}

#[derive(Default)]
struct Inner {
    backend: Option<Backend>,
    /// The last model file saved (kept across saves that do not retrain).
    model_file: Option<String>,
    /// The result the model file belongs to.
    saved_result: Option<Arc<RunResult>>,
    /// The data file stored (name, size).
    saved_file: Option<(String, f64)>,
    /// Bumped by each change; a debounced save only runs if still current.
    generation: u64,
    /// True while a restore runs (no autosave).
    restoring: bool,
    /// Created time of the workspace.
    created: f64,
    /// The history entry of the current result: (id, time). Its anomalies follow the threshold.
    run: Option<(String, f64)>,
    /// The current result's anomaly records and the threshold they were counted at. Kept here,
    /// not read back from the history, so that deleting the run from the history does not empty
    /// the saved workspace's anomalies.
    run_anomalies: Option<(Option<f64>, Vec<AnomalyRecord>)>,
    /// The threshold the saved workspace had, put back once its result is shown again (a new
    /// result resets the threshold, see `results::follow_threshold`).
    restored_threshold: Option<Option<f64>>,
}

/// Handle to the storage (cheap to copy).
#[derive(Clone, Copy)]
pub struct UseStorageReturn {
    inner: StoredValue<Rc<RefCell<Inner>>, LocalStorage>,
    state: AppState,
    worker: UseWorkerReturn,
}

fn now_s() -> f64 {
    js_sys::Date::now() / 1000.0
}

fn storage_flag() -> String {
    let search = window().location().search().unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("storage="))
        .unwrap_or_default()
        .to_string()
}

fn is_demo() -> bool {
    let l = window().location();
    let (search, hash) = (l.search().unwrap_or_default(), l.hash().unwrap_or_default());
    search.contains("demo") || hash == "#demo"
}

/// Opens the storage, restores the last workspace and starts autosaving. Call once, in the app.
pub fn provide_storage(state: AppState, worker: UseWorkerReturn) -> UseStorageReturn {
    let handle = UseStorageReturn {
        inner: StoredValue::new_local(Rc::new(RefCell::new(Inner {
            restoring: true,
            created: now_s(),
            ..Inner::default()
        }))),
        state,
        worker,
    };
    provide_context(handle);
    let flag = storage_flag();
    // Effects made after the first await need the app's owner to live under.
    let owner = Owner::current();
    wasm_bindgen_futures::spawn_local(async move {
        let backend = if flag == "fail" {
            Err(StorageError::Blocked(
                "opening the database was refused (?storage=fail)".into(),
            ))
        } else {
            let on_error: crate::storage::indexed_db::OnError =
                Rc::new(move |e: StorageError| handle.report(&e));
            IdbStore::open(on_error).await.map(Backend::Idb)
        };
        let backend = match backend {
            Ok(_) if flag == "full" => {
                // Every save fails as over quota (?storage=full).
                let mut m = MemoryStore::new();
                m.quota = Some(0);
                Backend::Memory(m)
            }
            Ok(b) => b,
            Err(e) => {
                handle.report(&e);
                Backend::Memory(MemoryStore::new())
            }
        };
        handle.with(|i| i.backend = Some(backend));
        let model = if is_demo() {
            // A demo link loads fresh sample data; the saved workspace stays for the next visit.
            None
        } else {
            handle.restore().await
        };
        let start = move || {
            match model {
                Some(model) => handle.score_when_loaded(model),
                None => {
                    handle.with(|i| i.restoring = false);
                }
            }
            handle.autosave();
        };
        match owner {
            Some(owner) => owner.with(start),
            None => start(),
        }
    });
    handle
}

/// The storage from context.
///
/// # Panics
/// When called outside the app (a programming error).
pub fn use_storage() -> UseStorageReturn {
    expect_context::<UseStorageReturn>()
}

impl UseStorageReturn {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        self.inner.try_with_value(|i| f(&mut i.borrow_mut()))
    }

    fn report(&self, e: &StorageError) {
        self.state.storage_problem.set(Some(e.to_string()));
    }

    fn store_op<R>(&self, f: impl FnOnce(&mut dyn Store) -> Result<R, StorageError>) -> Option<R> {
        let out = self
            .with(|i| i.backend.as_mut().map(|b| f(b.store())))
            .flatten()?;
        match out {
            Ok(r) => Some(r),
            Err(e) => {
                self.report(&e);
                None
            }
        }
    }

    /// Restores the saved workspace; returns its model file to score once the data is back.
    async fn restore(&self) -> Option<String> {
        let state = self.state;
        // The theme kept in localStorage (read at start-up) is the newer choice when present.
        let remembered = crate::ui::app::remembered_theme().is_some();
        if let (false, Some(Some(t))) = (remembered, self.store_op(|s| s.get(META, "ui"))) {
            if t.contains("light") {
                state.theme.set(Theme::Light);
            }
        }
        if let Some(Some(t)) = self.store_op(|s| s.get(META, "retention")) {
            if let Ok(r) = serde_json::from_str::<Retention>(&t) {
                state.retention.set(r);
            }
        }
        if let Some((runs, _bad)) = self.store_op(|s| load_runs(s)) {
            state.runs.set(runs);
        }
        let ws = match self.store_op(|s| load_workspace(s, WORKSPACE_ID)) {
            Some(Some(ws)) => ws,
            _ => return None,
        };
        let run = ws.run_id.as_ref().map(|id| {
            let at = state.runs.with_untracked(|runs| {
                runs.iter()
                    .find(|r| &r.id == id)
                    .map_or(ws.updated, |r| r.at)
            });
            (id.clone(), at)
        });
        self.with(|i| {
            i.created = ws.created;
            i.model_file = ws.model_file.clone();
            i.run = run;
            i.run_anomalies = Some((ws.settings.threshold, ws.anomalies.clone()));
            i.restored_threshold = Some(ws.settings.threshold);
        });
        state.config.set(ws.settings.run.clone());
        state.threshold.set(ws.settings.threshold);
        state.feedback.set(ws.feedback.clone());
        state.suppressions.set(ws.suppressions.clone());
        match &ws.source {
            DataSource::Generated { params } => {
                state.sample.set(params.clone());
                self.worker.load_sample(params.clone());
            }
            DataSource::File { name, size, .. } => {
                let blob = match self.with(|i| match &i.backend {
                    Some(Backend::Idb(s)) => Some(s.get_blob(DATA_BLOB)),
                    _ => None,
                }) {
                    Some(Some(fut)) => fut.await.ok().flatten(),
                    _ => None,
                };
                let Some(blob) = blob else {
                    state.notice.set(Some(format!(
                        "The data file {name} of the saved workspace is no longer stored: open it again."
                    )));
                    return None;
                };
                let parts = js_sys::Array::of1(&blob);
                match File::new_with_blob_sequence(&parts, name) {
                    Ok(f) => {
                        self.with(|i| i.saved_file = Some((name.clone(), *size as f64)));
                        self.worker.load_file(f);
                    }
                    Err(_) => return None,
                }
            }
        }
        state.restored_from.set(Some(ws.updated));
        ws.model_file
    }

    /// Once the restored data is loaded, scores it with the saved model (no training).
    fn score_when_loaded(&self, model: String) {
        let (state, this) = (self.state, *self);
        let done = RwSignal::new(false);
        Effect::new(move |_| {
            let loaded = state.dataset.with(Option::is_some);
            let idle = state.job.with(Option::is_none);
            if done.get_untracked() || !loaded || !idle {
                return;
            }
            done.set(true);
            this.import_bytes(model.clone(), "saved model", true);
        });
    }

    /// Scores the current data with a model file's bytes. `restoring`: the result is the saved
    /// one coming back, not a new run.
    fn import_bytes(&self, text: String, name: &str, restoring: bool) {
        let parts = js_sys::Array::of1(&JsValue::from_str(&text));
        let Ok(file) = File::new_with_str_sequence(&parts, name) else {
            return;
        };
        self.import_file(file, restoring);
    }

    /// Scores the current data with a model file (the Import model button).
    pub fn import_file(&self, file: File, restoring: bool) {
        let (state, worker, this) = (self.state, self.worker, *self);
        let req = ImportModel { name: file.name() };
        let answer = worker.run(
            JobKind::Task(if restoring {
                "Restoring the saved model"
            } else {
                "Scoring with the imported model"
            }),
            req,
            &[&file],
        );
        leptos::task::spawn_local(async move {
            match answer.await {
                Ok(result) => {
                    // For the e2e: a model's scores reached the page.
                    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                        let _ = perf.mark("ns-model-scored");
                    }
                    let result: Arc<RunResult> = Arc::from(result);
                    if restoring {
                        this.with(|i| i.saved_result = Some(Arc::clone(&result)));
                    }
                    worker.show_result(result);
                    let threshold = this.with(|i| i.restored_threshold.take()).flatten();
                    match threshold.filter(|_| restoring) {
                        // After the effects that reset the threshold for a new result have run.
                        Some(t) => set_timeout(
                            move || {
                                state.threshold.set(t);
                                this.with(|i| i.restoring = false);
                            },
                            std::time::Duration::ZERO,
                        ),
                        None => {
                            this.with(|i| i.restoring = false);
                        }
                    }
                }
                Err(e) => {
                    this.with(|i| i.restoring = false);
                    state.fail("The model could not be used", e);
                }
            }
        });
    }

    /// Downloads the current model as a file.
    pub fn export_model(&self) {
        let state = self.state;
        let source = state
            .dataset
            .with_untracked(|d| d.as_ref().map(|d| (d.name.clone(), d.format.clone())))
            .unwrap_or_default();
        let meta = meta_for("netsift", now_s(), &source.0, &source.1);
        let answer = self.worker.request(ExportModel(meta));
        leptos::task::spawn_local(async move {
            match answer.await {
                Ok(file) => crate::ui::download::offer(state, &file),
                Err(e) => state.fail("Could not export the model", e),
            }
        });
    }

    /// Deletes a run from the history.
    pub fn delete_run(&self, id: &str) {
        let id = id.to_string();
        self.store_op(|s| s.delete(RUNS, &id));
        self.state.runs.update(|r| r.retain(|x| x.id != id));
    }

    /// Sets the retention and applies it now.
    pub fn set_retention(&self, r: Retention) {
        self.state.retention.set(r);
        if let Ok(t) = serde_json::to_string(&r) {
            self.store_op(|s| s.put(META, "retention", t));
        }
        self.apply_retention();
    }

    fn apply_retention(&self) {
        let r = self.state.retention.get_untracked();
        if let Some(gone) = self.store_op(|s| apply_retention(s, &r, now_s())) {
            if !gone.is_empty() {
                self.state
                    .runs
                    .update(|runs| runs.retain(|x| !gone.contains(&x.id)));
            }
        }
    }

    /// Forgets the saved workspace and reloads the page empty.
    pub fn start_fresh(&self) {
        self.with(|i| i.restoring = true);
        self.store_op(|s| s.delete(crate::storage::store::WORKSPACES, WORKSPACE_ID));
        self.with(|i| {
            if let Some(Backend::Idb(s)) = &i.backend {
                s.delete_blob(DATA_BLOB);
            }
        });
        self.state.restored_from.set(None);
        // Give the background deletes a moment, then start over.
        set_timeout(
            || {
                let _ = window().location().reload();
            },
            std::time::Duration::from_millis(300),
        );
    }

    fn autosave(&self) {
        let (state, this) = (self.state, *self);
        Effect::new(move |_| {
            // Everything that persists.
            state.config.track();
            state.threshold.track();
            state.feedback.track();
            state.suppressions.track();
            state.theme.track();
            state.result.track();
            state.dataset.track();
            let Some(generation) = this.with(|i| {
                i.generation += 1;
                i.generation
            }) else {
                return;
            };
            set_timeout(
                move || {
                    if this.with(|i| i.generation == generation && !i.restoring) == Some(true) {
                        this.save();
                    }
                },
                std::time::Duration::from_millis(DEBOUNCE_MS),
            );
        });
    }

    fn source(&self) -> Option<DataSource> {
        if let Some(f) = self.worker.current_file() {
            let format = self
                .state
                .dataset
                .with_untracked(|d| d.as_ref().map(|d| d.format.clone()))
                .unwrap_or_default();
            return Some(DataSource::File {
                name: f.name(),
                size: f.size() as u64,
                format,
            });
        }
        self.worker
            .current_sample()
            .map(|params| DataSource::Generated { params })
    }

    fn save(&self) {
        let state = self.state;
        let theme = state.theme.get_untracked();
        self.store_op(|s| s.put(META, "ui", format!("{{\"theme\":\"{}\"}}", theme.as_str())));
        let Some(source) = self.source() else {
            return;
        };
        // Keep the data file for the next visit.
        if let Some(f) = self.worker.current_file() {
            let key = (f.name(), f.size());
            let fresh = self.with(|i| i.saved_file.as_ref() != Some(&key)) == Some(true);
            if fresh {
                self.with(|i| i.saved_file = Some(key));
                let fut = self.with(|i| match &i.backend {
                    Some(Backend::Idb(s)) => Some(s.put_blob(DATA_BLOB, &f)),
                    _ => None,
                });
                if let Some(Some(fut)) = fut {
                    let this = *self;
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Err(e) = fut.await {
                            this.report(&e);
                        }
                    });
                }
            }
        }
        let result = state.result.get_untracked();
        let new_result = match (&result, self.with(|i| i.saved_result.clone()).flatten()) {
            (Some(r), Some(s)) => !Arc::ptr_eq(r, &s),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if result.is_none() {
            self.with(|i| {
                i.model_file = None;
                i.saved_result = None;
            });
        }
        let threshold = state.threshold.get_untracked();
        if !new_result {
            // The same result: re-count its anomalies (and its history entry, if the analyst
            // kept it) when the threshold moved.
            let stale = self
                .with(|i| {
                    let counted_at = i.run_anomalies.as_ref().map(|(t, _)| *t);
                    i.run.clone().filter(|_| counted_at != Some(threshold))
                })
                .flatten();
            match (stale, result.is_some()) {
                (Some((id, at)), true) => self.request_run(id, at, source, result, threshold),
                _ => self.write_workspace(source, result.as_deref()),
            }
            return;
        }
        // A new result: fetch its model file and history entry from the worker, then save.
        let this = *self;
        let at = now_s();
        let meta = meta_for("autosave", at, &source.label(), "");
        self.with(|i| i.saved_result = result.clone());
        let answer = self.worker.request(ExportModel(meta));
        leptos::task::spawn_local(async move {
            // Without the model file the workspace is still saved, only not re-scorable.
            if let Ok(file) = answer.await {
                let text = String::from_utf8(file.bytes).ok();
                this.with(|i| i.model_file = text);
            }
            let id = format!("run-{}", (at * 1000.0) as u64);
            this.request_run(id, at, source, result, threshold);
        });
    }

    /// Asks the worker for the history entry of the current result under `threshold`, stores
    /// it (replacing an entry with the same id), then saves the workspace.
    fn request_run(
        &self,
        id: String,
        at: f64,
        source: DataSource,
        result: Option<Arc<RunResult>>,
        threshold: Option<f64>,
    ) {
        let this = *self;
        let req = RunRequest {
            id,
            workspace_id: WORKSPACE_ID.into(),
            at,
            source: source.clone(),
            threshold,
        };
        // A run the analyst deleted from the history stays deleted: only the workspace's copy of
        // its anomalies is re-counted.
        let new_or_kept = self
            .with(|i| i.run.as_ref().map(|(r, _)| r.clone()))
            .flatten()
            != Some(req.id.clone())
            || self
                .state
                .runs
                .with_untracked(|r| r.iter().any(|x| x.id == req.id));
        let answer = self.worker.request(RecordRun(req));
        leptos::task::spawn_local(async move {
            // Without the entry the workspace is still saved, without its history line.
            if let Ok(run) = answer.await {
                this.with(|i| {
                    i.run = Some((run.id.clone(), run.at));
                    i.run_anomalies = Some((threshold, run.anomalies.clone()));
                });
                if new_or_kept {
                    this.record_run(*run);
                }
            }
            this.write_workspace(source, result.as_deref());
        });
    }

    fn record_run(&self, run: RunRecord) {
        if self.store_op(|s| save_run(s, &run)).is_some() {
            self.with(|i| i.run = Some((run.id.clone(), run.at)));
            self.state
                .runs
                .update(|r| match r.iter_mut().find(|x| x.id == run.id) {
                    Some(old) => *old = run,
                    None => r.push(run),
                });
            self.apply_retention();
        }
    }

    fn write_workspace(&self, source: DataSource, result: Option<&RunResult>) {
        let state = self.state;
        let (created, model_file, run, anomalies) = self
            .with(|i| {
                (
                    i.created,
                    i.model_file.clone(),
                    i.run.clone(),
                    i.run_anomalies.as_ref().map(|(_, a)| a.clone()),
                )
            })
            .unwrap_or((now_s(), None, None, None));
        let run_id = run.map(|(id, _)| id).filter(|_| result.is_some());
        let anomalies = anomalies.filter(|_| run_id.is_some()).unwrap_or_default();
        let threshold = state.threshold.get_untracked();
        let ws = Workspace {
            schema_version: SCHEMA_VERSION,
            id: WORKSPACE_ID.into(),
            name: source.label(),
            created,
            updated: now_s(),
            source,
            schema: Vec::new(),
            settings: Settings {
                run: state.config.get_untracked(),
                threshold,
            },
            model_file,
            summary: result.map(|r| crate::storage::ResultSummary::of(r, threshold)),
            anomalies,
            feedback: state.feedback.get_untracked(),
            suppressions: state.suppressions.get_untracked(),
            run_id,
        };
        self.store_op(|s| save_workspace(s, &ws));
    }
}
