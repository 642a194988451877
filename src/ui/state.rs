//! The page's state: one [`AppState`] of signals, provided once as context by the app and read
//! with [`use_app_state`]. Everything here is plain data the worker sent; nothing is computed in
//! the view.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::feedback::{Feedback, SuppressionRule};
use crate::engine::generate::SampleParams;
use crate::engine::models::DetectorKind;
use crate::engine::pipeline::{RunConfig, RunResult};
use crate::engine::progress::{ProgressEvent, Stage};
use crate::worker::protocol::{DatasetSummary, RowsPage};

/// What a running job is doing, for the progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    /// The kind of job.
    pub kind: JobKind,
    /// The last progress report, if any.
    pub progress: Option<ProgressEvent>,
    /// `true` once the user asked to cancel.
    pub cancelling: bool,
}

impl JobStatus {
    /// A job that has not reported progress yet.
    pub fn started(kind: JobKind) -> Self {
        Self {
            kind,
            progress: None,
            cancelling: false,
        }
    }

    /// Fraction done in [0, 1] for the current stage, when known.
    pub fn fraction(&self) -> Option<f64> {
        let p = self.progress?;
        (p.total > 0).then(|| (p.done as f64 / p.total as f64).clamp(0.0, 1.0))
    }

    /// A short description of the current stage ("Fitting Isolation Forest").
    pub fn label(&self) -> String {
        if self.cancelling {
            return "Cancelling…".into();
        }
        match self.progress.map(|p| p.stage) {
            None => self.kind.label().into(),
            Some(stage) => stage_label(stage),
        }
    }
}

/// Human description of an engine stage.
pub fn stage_label(stage: Stage) -> String {
    match stage {
        Stage::Ingest => "Reading data".into(),
        Stage::Preprocess => "Encoding and scaling features".into(),
        Stage::Fit(k) => format!("Fitting {}", k.label()),
        Stage::Score(k) => format!("Scoring with {}", k.label()),
        Stage::Ensemble => "Combining votes".into(),
    }
}

/// Which kind of work is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Generating the sample data.
    LoadSample,
    /// Reading a file.
    LoadFile,
    /// Training and scoring.
    Train,
    /// Building an export.
    Export,
    /// Any other long job (retraining, live mode, …); the text is what the progress bar says.
    Task(&'static str),
}

impl JobKind {
    /// What the progress bar says before the first report.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::LoadSample => "Generating sample data",
            JobKind::LoadFile => "Reading file",
            JobKind::Train => "Starting training",
            JobKind::Export => "Preparing export",
            JobKind::Task(label) => label,
        }
    }
}

/// What the error banner shows; built by [`AppState::fail`] from an
/// [`AppError`](crate::ui::error::AppError).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiError {
    /// What failed ("Could not load flows.csv").
    pub title: String,
    /// What happened, where, and what to do.
    pub message: String,
}

/// Colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// The dark console theme.
    #[default]
    Dark,
    /// The light theme.
    Light,
}

impl Theme {
    /// The value of `data-theme` on `<html>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }

    /// The chart palette for this theme.
    pub fn palette(self) -> crate::viz::palette::Palette {
        match self {
            Theme::Dark => crate::viz::palette::Palette::DARK,
            Theme::Light => crate::viz::palette::Palette::LIGHT,
        }
    }
}

/// Every signal of the page.
#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// The loaded data set, as the worker summarised it.
    pub dataset: RwSignal<Option<DatasetSummary>>,
    /// Parameters for "Load sample data".
    pub sample: RwSignal<SampleParams>,
    /// The run configuration the Train button sends.
    pub config: RwSignal<RunConfig>,
    /// The last run's result.
    pub result: RwSignal<Option<Arc<RunResult>>>,
    /// Cells of the top anomalies, fetched after each run.
    pub top_rows: RwSignal<Option<RowsPage>>,
    /// Lines of the last benchmark run (the `?bench` panel).
    pub bench: RwSignal<Option<Vec<crate::engine::bench::BenchLine>>>,
    /// The running job, if any.
    pub job: RwSignal<Option<JobStatus>>,
    /// The error banner.
    pub error: RwSignal<Option<UiError>>,
    /// A one-line notice (e.g. "Training cancelled").
    pub notice: RwSignal<Option<String>>,
    /// Colour theme.
    pub theme: RwSignal<Theme>,
    /// The page shown (the tabs under the header).
    pub page: RwSignal<Page>,
    /// The ensemble-score threshold chosen on the score histogram; `None` = the ensemble's own
    /// vote decision. Relabels rows on the page without retraining (cards, charts, table, export).
    pub threshold: RwSignal<Option<f64>>,
    /// The row whose detail is open (index into the data set), if any.
    pub selected_row: RwSignal<Option<u32>>,
    /// The analyst's verdicts (true/false positive) on rows of the current data set.
    pub feedback: RwSignal<Vec<Feedback>>,
    /// "Suppress similar" rules; matching alerts stay visible, dimmed and labelled.
    pub suppressions: RwSignal<Vec<SuppressionRule>>,
    /// Per-row facts of the current data set (its timestamps), fetched after each load.
    pub row_meta: RwSignal<Option<Arc<crate::engine::summary::RowMeta>>>,
    /// [`threshold`](Self::threshold) once the slider has been still for ~100 ms: heavy charts
    /// follow this one, cards and counts follow `threshold` at once.
    pub threshold_settled: RwSignal<Option<f64>>,
    /// Why browser storage is not in use (the storage banner), if it is not.
    pub storage_problem: RwSignal<Option<String>>,
    /// When the workspace restored on load was saved (epoch seconds), while the notice shows.
    pub restored_from: RwSignal<Option<f64>>,
    /// The stored history of runs, oldest first.
    pub runs: RwSignal<Vec<crate::storage::RunRecord>>,
    /// How much history to keep (applied on each save).
    pub retention: RwSignal<crate::storage::Retention>,
    /// Live mode: what the page shows (bounded rings; kept across tab switches).
    pub live: RwSignal<crate::ui::components::live::LiveView>,
    /// Live mode: where the session is.
    pub live_run: RwSignal<crate::ui::components::live::LiveRun>,
    /// The column mapping the user applied to the current data set (data set name, column →
    /// use), so a replacement worker (after a cancel) gets it again. `None` after a fresh load.
    pub applied_mapping: RwSignal<Option<AppliedMapping>>,
    /// Behaviour-rule thresholds the Network page runs with (seed 002's defaults).
    pub rules_config: RwSignal<crate::engine::rules::RulesConfig>,
    /// The Network page's views and what they were computed for.
    pub network: RwSignal<Option<NetworkSnapshot>>,
    /// The Anomalies page's own signals (filters, page of rows, detail, retrain diff), kept here
    /// so they survive switching tabs.
    pub anomalies: crate::ui::components::anomalies::AnomaliesCtx,
    /// Per-detector progress of the running (or last) training, one row per detector; kept here
    /// so switching tabs during a run loses nothing.
    pub det_progress: RwSignal<Vec<crate::ui::components::train_panel::DetRow>>,
    /// The analysis views of the current result, with that result: kept here so a return to the
    /// Analyze tab redraws without asking the worker again.
    pub analysis_views: RwSignal<Option<(Arc<RunResult>, Arc<crate::engine::views::ResultViews>)>>,
}

/// What the Network page's views were computed for: a change of any part asks the worker again.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkKey {
    /// Data set name and rows.
    pub dataset: Option<(String, usize)>,
    /// The run (its address: a new run is a new `Arc`), if any.
    pub result: Option<usize>,
    /// The rule thresholds.
    pub rules: crate::engine::rules::RulesConfig,
    /// The score threshold the anomalies follow.
    pub threshold: Option<f64>,
}

/// The Network page's views with the key they were computed for.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSnapshot {
    /// What they were computed for.
    pub key: NetworkKey,
    /// The views.
    pub views: Arc<crate::engine::netviews::NetworkViews>,
}

/// A column mapping applied to a named data set.
pub type AppliedMapping = (String, Vec<(String, crate::engine::mapping::ColumnUse)>);

/// The pages of the app, one tab each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Page {
    /// Data, training and the result charts.
    #[default]
    Analyze,
    /// The anomaly table, row details, explanations and feedback.
    Anomalies,
    /// Network views and behaviour-rule alerts.
    Network,
    /// Live mode: simulated traffic or capture replay scored as it arrives.
    Live,
    /// Past runs, saved models, storage settings.
    History,
}

impl Page {
    /// Every page, in tab order.
    pub const ALL: [Page; 5] = [
        Page::Analyze,
        Page::Anomalies,
        Page::Network,
        Page::Live,
        Page::History,
    ];

    /// Tab label.
    pub fn label(self) -> &'static str {
        match self {
            Page::Analyze => "Analyze",
            Page::Anomalies => "Anomalies",
            Page::Network => "Network",
            Page::Live => "Live",
            Page::History => "History",
        }
    }

    /// Stable id (element ids `ns-tab-<id>` / `ns-page-<id>`, the `#page=` link).
    pub fn id(self) -> &'static str {
        match self {
            Page::Analyze => "analyze",
            Page::Anomalies => "anomalies",
            Page::Network => "network",
            Page::Live => "live",
            Page::History => "history",
        }
    }
}

impl AppState {
    /// Fresh state: no data, the default run configuration.
    pub fn new() -> Self {
        Self {
            dataset: RwSignal::new(None),
            sample: RwSignal::new(SampleParams::default()),
            config: RwSignal::new(default_config()),
            result: RwSignal::new(None),
            top_rows: RwSignal::new(None),
            bench: RwSignal::new(None),
            job: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            theme: RwSignal::new(Theme::default()),
            page: RwSignal::new(Page::default()),
            threshold: RwSignal::new(None),
            selected_row: RwSignal::new(None),
            feedback: RwSignal::new(Vec::new()),
            suppressions: RwSignal::new(Vec::new()),
            row_meta: RwSignal::new(None),
            threshold_settled: RwSignal::new(None),
            storage_problem: RwSignal::new(None),
            restored_from: RwSignal::new(None),
            runs: RwSignal::new(Vec::new()),
            retention: RwSignal::new(crate::storage::Retention {
                keep_last: Some(50),
                max_age_days: Some(90.0),
            }),
            live: RwSignal::new(Default::default()),
            live_run: RwSignal::new(Default::default()),
            applied_mapping: RwSignal::new(None),
            rules_config: RwSignal::new(crate::engine::rules::RulesConfig::default()),
            network: RwSignal::new(None),
            anomalies: crate::ui::components::anomalies::AnomaliesCtx::new(),
            det_progress: RwSignal::new(Vec::new()),
            analysis_views: RwSignal::new(None),
        }
    }

    /// True while any job runs.
    pub fn busy(&self) -> bool {
        self.job.with(Option::is_some)
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// Detectors ticked by default: the whole ensemble, so the vote (a row is anomalous when at
/// least two detectors flag it) is what a first run and a `?demo` link show.
pub const DEFAULT_DETECTORS: &[DetectorKind] = &DetectorKind::ALL;

/// The engine's default configuration with the default detector selection.
pub fn default_config() -> RunConfig {
    let mut c = RunConfig::default();
    c.detectors
        .retain(|p| DEFAULT_DETECTORS.contains(&p.kind()));
    c
}

/// Reads the page state from context.
///
/// # Panics
/// When called outside the app (a programming error, not a data path).
pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_is_clamped_and_unknown_without_total() {
        let mut s = JobStatus::started(JobKind::Train);
        assert_eq!(s.fraction(), None);
        s.progress = Some(ProgressEvent {
            stage: Stage::Ingest,
            done: 30,
            total: 20,
        });
        assert_eq!(s.fraction(), Some(1.0));
    }
}
