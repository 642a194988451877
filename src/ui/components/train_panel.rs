//! Training controls: detector selection, contamination, training rows, seed, advanced
//! per-detector parameters with the engine's validation, Train / Cancel, per-detector progress and
//! the job progress bar (with bytes/s and time left for file loads).

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::engine::error::ParamError;
use crate::engine::models::DetectorKind;
use crate::engine::pipeline::{RunConfig, TrainingMode};
use crate::engine::progress::Stage;
use crate::ui::components::params_form::{specs_for, ParamSpec};
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::state::{use_app_state, AppState, JobKind};

/// The Train section: which detectors, how much contamination, which rows, the seed, the
/// advanced parameters, then Train / Cancel and the progress. The detector list is driven by the
/// run configuration: a box is ticked exactly when the configuration holds that detector.
#[component]
pub fn TrainPanel() -> impl IntoView {
    let state = use_app_state();
    let has_labels = Signal::derive(move || {
        state
            .dataset
            .with(|d| d.as_ref().is_some_and(|d| d.has_labels))
    });
    // Rows and feature columns the detectors will see (validation of shape-dependent params).
    let shape = Memo::new(move |_| {
        state.dataset.with(|d| {
            d.as_ref().map_or((0, 0), |d| {
                let normal_only = state
                    .config
                    .with(|c| c.training == TrainingMode::NormalOnly);
                let rows = if normal_only && d.has_labels {
                    d.label_classes
                        .iter()
                        .filter(|(k, _)| crate::engine::data::is_normal_label(k))
                        .map(|(_, n)| *n)
                        .sum()
                } else {
                    d.n_rows
                };
                let features = d
                    .columns
                    .iter()
                    .filter(|c| c.role == crate::engine::data::Role::Feature)
                    .count();
                (rows, features)
            })
        })
    });
    let errors = Memo::new(move |_| {
        let (rows, features) = shape.get();
        let rows = if rows == 0 { usize::MAX / 2 } else { rows };
        state.config.with(|c| c.param_errors(rows, features))
    });
    // Inputs whose text is not a value of the field's type ("kind.field").
    let unparsed: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    let invalid =
        Signal::derive(move || errors.with(|e| !e.is_empty()) || unparsed.with(|u| !u.is_empty()));
    // A data set without labels cannot train on normal rows.
    Effect::new(move |_| {
        if !has_labels.get()
            && state
                .config
                .with_untracked(|c| c.training == TrainingMode::NormalOnly)
        {
            state.config.update(|c| c.training = TrainingMode::AllRows);
        }
    });

    view! {
        <section class="ns-panel ns-train" aria-labelledby="ns-train-title">
            <h2 id="ns-train-title" class="ns-panel__title">"2 · Train"</h2>
            <DetectorChoice unparsed=unparsed />
            <ContaminationInput />
            <TrainRowsChoice has_labels=has_labels shape=shape />
            <SeedInput unparsed=unparsed />
            <AdvancedParams errors=errors unparsed=unparsed />
            <TrainActions has_labels=has_labels invalid=invalid />
            <ProgressBar />
            <DetectorProgress />
        </section>
    }
}

/// One checkbox per detector.
#[component]
fn DetectorChoice(
    /// Inputs whose text could not be parsed (a detector turned off forgets its own).
    unparsed: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let state = use_app_state();
    let no_detector = move || state.config.with(|c| c.detectors.is_empty());
    view! {
        <fieldset class="ns-fieldset">
            <legend class="ns-fieldset__legend">"Detectors"</legend>
            {DetectorKind::ALL
                .into_iter()
                .map(|kind| {
                    let id = format!("ns-det-{}", kind.id());
                    let label_for = id.clone();
                    view! {
                        <label class="ns-check" for=label_for>
                            <input
                                id=id
                                type="checkbox"
                                prop:checked=move || {
                                    state.config.with(|c| c.detectors.iter().any(|p| p.kind() == kind))
                                }
                                disabled=move || state.busy()
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    state.config.update(|c| c.toggle_detector(kind, on));
                                    unparsed.update(|u| u.retain(|k| !k.starts_with(kind.id())));
                                }
                            />
                            <span>{kind.label()}</span>
                        </label>
                    }
                })
                .collect_view()}
            <Show when=no_detector>
                <p class="ns-field-error" role="alert">"Pick at least one detector."</p>
            </Show>
        </fieldset>
    }
}

/// The expected anomaly share (every detector's threshold).
#[component]
fn ContaminationInput() -> impl IntoView {
    let state = use_app_state();
    view! {
        <label class="ns-field" for="ns-contamination">
            <span class="ns-field__label">
                "Expected anomaly share "
                <output for="ns-contamination" class="ns-field__value">
                    {move || format::percent(state.config.with(|c| c.contamination))}
                </output>
            </span>
            <input
                id="ns-contamination"
                class="ns-range"
                type="range"
                min="0.01"
                max="0.5"
                step="0.01"
                prop:value=move || state.config.with(|c| c.contamination).to_string()
                disabled=move || state.busy()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        if v > 0.0 && v <= 0.5 {
                            state.config.update(|c| c.set_contamination(v));
                        }
                    }
                }
            />
            <span class="ns-hint">"Sets every detector's threshold."</span>
        </label>
    }
}

/// All rows or the rows labelled normal, and what that means for this data set.
#[component]
fn TrainRowsChoice(
    /// Whether the data set has labels.
    has_labels: Signal<bool>,
    /// Rows and feature columns the detectors will see.
    shape: Memo<(usize, usize)>,
) -> impl IntoView {
    let state = use_app_state();
    view! {
        <fieldset class="ns-fieldset ns-train__rows">
            <legend class="ns-fieldset__legend">"Train on"</legend>
            <label class="ns-check" for="ns-train-all">
                <input
                    id="ns-train-all"
                    type="radio"
                    name="ns-train-on"
                    prop:checked=move || state.config.with(|c| c.training == TrainingMode::AllRows)
                    disabled=move || state.busy()
                    on:change=move |_| state.config.update(|c| c.training = TrainingMode::AllRows)
                />
                <span>"all rows"</span>
            </label>
            <label class="ns-check" for="ns-train-normal" class:ns-check--disabled=move || !has_labels.get()>
                <input
                    id="ns-train-normal"
                    type="radio"
                    name="ns-train-on"
                    aria-describedby="ns-train-normal-why"
                    prop:checked=move || state.config.with(|c| c.training == TrainingMode::NormalOnly)
                    disabled=move || state.busy() || !has_labels.get()
                    on:change=move |_| state.config.update(|c| c.training = TrainingMode::NormalOnly)
                />
                <span>"rows labelled normal"</span>
            </label>
            <p id="ns-train-normal-why" class="ns-hint">
                {move || {
                    if has_labels.get() {
                        let (rows, _) = shape.get();
                        if state.config.with(|c| c.training == TrainingMode::NormalOnly) {
                            format!("Semi-supervised: {} normal rows train the models; every row is scored.", format::count(rows))
                        } else {
                            "Unsupervised: every row trains the models.".to_string()
                        }
                    } else {
                        "Needs a label column; this data set has none.".to_string()
                    }
                }}
            </p>
        </fieldset>
    }
}

/// The master seed (every detector's).
#[component]
fn SeedInput(
    /// Inputs whose text could not be parsed (`run.seed` while this one cannot).
    unparsed: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let state = use_app_state();
    let seed_bad = RwSignal::new(false);
    view! {
        <label class="ns-field ns-field--inline" for="ns-train-seed">
            <span class="ns-field__label">"Seed"</span>
            <input
                id="ns-train-seed"
                class="ns-input"
                type="number"
                min="0"
                step="1"
                prop:value=move || state.config.with(|c| c.seed).to_string()
                aria-invalid=move || seed_bad.get().to_string()
                disabled=move || state.busy()
                on:input=move |ev| {
                    let parsed = event_target_value(&ev).trim().parse::<u64>();
                    seed_bad.set(parsed.is_err());
                    unparsed.update(|u| {
                        if parsed.is_err() {
                            u.insert("run.seed".into());
                        } else {
                            u.remove("run.seed");
                        }
                    });
                    if let Ok(seed) = parsed {
                        state.config.update(|c| c.set_seed(seed));
                    }
                }
            />
        </label>
        <Show when=move || seed_bad.get()>
            <p class="ns-field-error" role="alert">"Seed: enter a whole number ≥ 0."</p>
        </Show>
    }
}

/// Each ticked detector's parameters, folded, flagged when one is invalid.
#[component]
fn AdvancedParams(
    /// The engine's current validation errors.
    errors: Memo<Vec<(DetectorKind, ParamError)>>,
    /// Inputs whose text could not be parsed.
    unparsed: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let state = use_app_state();
    view! {
        <div class="ns-train__advanced">
            <h3 class="ns-panel__subtitle">"Advanced parameters"</h3>
            {DetectorKind::ALL
                .into_iter()
                .map(|kind| {
                    let ticked = move || state.config.with(|c| c.detectors.iter().any(|p| p.kind() == kind));
                    view! {
                        <Show when=ticked>
                            <details class="ns-details ns-params" id=format!("ns-params-{}", kind.id())>
                                <summary class="ns-params__summary">
                                    {kind.label()}
                                    <Show when={move || {
                                        errors.with(|e| e.iter().any(|(k, _)| *k == kind))
                                            || unparsed.with(|u| u.iter().any(|f| f.starts_with(kind.id())))
                                    }}>
                                        <span class="ns-params__flag" aria-label="has an invalid value">" ⚠"</span>
                                    </Show>
                                </summary>
                                <div class="ns-details__body ns-params__body">
                                    {specs_for(kind)
                                        .map(|spec| view! { <ParamInput spec=*spec errors=errors unparsed=unparsed /> })
                                        .collect_view()}
                                </div>
                            </details>
                        </Show>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Train and Cancel, and why Train is off.
#[component]
fn TrainActions(
    /// Whether the data set has labels (without, training uses every row).
    has_labels: Signal<bool>,
    /// Whether a parameter is invalid.
    invalid: Signal<bool>,
) -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let no_detector = move || state.config.with(|c| c.detectors.is_empty());
    let can_train = move || {
        state.dataset.with(Option::is_some) && !state.busy() && !no_detector() && !invalid.get()
    };
    view! {
        <div class="ns-train__actions">
            <button
                id="ns-train"
                class="ns-button ns-button--primary"
                type="button"
                disabled=move || !can_train()
                on:click=move |_| {
                    let mut config = state.config.get_untracked();
                    if !has_labels.get_untracked() {
                        config.training = TrainingMode::AllRows;
                    }
                    worker.train(config);
                }
            >
                "Train"
            </button>
            <button
                id="ns-cancel"
                class="ns-button"
                type="button"
                disabled=move || !state.busy()
                on:click=move |_| worker.cancel()
            >
                "Cancel"
            </button>
            <Show when={move || invalid.get() && !no_detector()}>
                <span id="ns-train-invalid" class="ns-field-error">"Fix the marked parameters to train."</span>
            </Show>
        </div>
    }
}

/// One advanced parameter: a text input, its hint, and the engine's message when the value is
/// refused (shown beside the field; `aria-invalid` set).
#[component]
fn ParamInput(
    /// The parameter.
    spec: ParamSpec,
    /// The engine's current validation errors.
    errors: Memo<Vec<(DetectorKind, ParamError)>>,
    /// Inputs whose text could not be parsed.
    unparsed: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let state = use_app_state();
    let id = spec.input_id();
    let key = format!("{}.{}", spec.kind.id(), spec.field);
    let parse_error: RwSignal<Option<String>> = RwSignal::new(None);
    let engine_error = move || {
        errors.with(|e| {
            e.iter()
                .find(|(k, err)| *k == spec.kind && err.field == spec.field)
                .map(|(_, err)| err.message.clone())
        })
    };
    let message = move || {
        parse_error
            .get()
            .or_else(engine_error)
            .map(|m| format!("{}: {m}", spec.field))
    };
    let err_id = format!("{id}-error");
    let described = err_id.clone();
    let current = move || {
        state.config.with(|c| {
            c.detectors
                .iter()
                .find(|p| p.kind() == spec.kind)
                .map(|p| (spec.get)(p))
                .unwrap_or_default()
        })
    };
    let for_id = id.clone();
    view! {
        <div class="ns-param" class:ns-param--invalid=move || message().is_some()>
            <label class="ns-field__label" for=for_id>{spec.label}</label>
            <input
                id=id
                class="ns-input ns-param__input"
                type="text"
                spellcheck="false"
                autocomplete="off"
                data-field=spec.field
                prop:value=current
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=move || message().map(|_| described.clone())
                disabled=move || state.busy()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    let mut result = Ok(());
                    state.config.update(|c| {
                        if let Some(p) = c.detectors.iter_mut().find(|p| p.kind() == spec.kind) {
                            result = (spec.set)(p, &text);
                        }
                    });
                    let bad = result.is_err();
                    parse_error.set(result.err());
                    unparsed.update(|u| {
                        if bad {
                            u.insert(key.clone());
                        } else {
                            u.remove(&key);
                        }
                    });
                }
            />
            <span class="ns-hint ns-param__hint">{spec.hint}</span>
            <Show when=move || message().is_some()>
                <span id=err_id.clone() class="ns-field-error ns-param__error" role="alert">
                    {move || message().unwrap_or_default()}
                </span>
            </Show>
        </div>
    }
}

/// What one detector is doing in the running (or last) training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Not started yet.
    Waiting,
    /// Fitting, with the fraction done.
    Fitting(f64),
    /// Fitted, waiting to score.
    Fitted,
    /// Scoring, with the fraction done.
    Scoring(f64),
    /// Fitted and scored.
    Done,
    /// The job ended (cancelled or failed) before this detector finished.
    Stopped,
}

/// One detector's row of the per-detector progress ([`AppState::det_progress`]).
///
/// [`AppState::det_progress`]: crate::ui::state::AppState::det_progress
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetRow {
    /// The detector.
    pub kind: DetectorKind,
    /// Where it is.
    pub phase: Phase,
    /// `performance.now()` when fitting started.
    fit_start: Option<f64>,
    fit_ms: Option<f64>,
    score_start: Option<f64>,
    /// Final seconds (fit + score), from the result when it arrives.
    seconds: Option<f64>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Keeps [`AppState::det_progress`] in step with the training job's progress events. Called once
/// by the app (not by the train panel), so the rows keep following the run while another tab is
/// open and the Analyze page shows them again on return.
///
/// [`AppState::det_progress`]: crate::ui::state::AppState::det_progress
pub fn track_detector_progress(state: AppState) {
    let rows = state.det_progress;
    let training = StoredValue::new(false);
    Effect::new(move |_| {
        let job = state.job.get();
        let now = now_ms();
        match job {
            Some(j) if j.kind == JobKind::Train => {
                if !training.get_value() {
                    training.set_value(true);
                    let kinds: Vec<DetectorKind> = state
                        .config
                        .with_untracked(|c| c.detectors.iter().map(|p| p.kind()).collect());
                    rows.set(
                        kinds
                            .into_iter()
                            .map(|kind| DetRow {
                                kind,
                                phase: Phase::Waiting,
                                fit_start: None,
                                fit_ms: None,
                                score_start: None,
                                seconds: None,
                            })
                            .collect(),
                    );
                }
                let Some(p) = j.progress else { return };
                let frac = if p.total > 0 {
                    (p.done as f64 / p.total as f64).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                rows.update(|rs| {
                    for r in rs.iter_mut() {
                        match p.stage {
                            Stage::Fit(k) if k == r.kind => {
                                r.fit_start.get_or_insert(now);
                                r.phase = Phase::Fitting(frac);
                            }
                            Stage::Score(k) if k == r.kind => {
                                if r.fit_ms.is_none() {
                                    r.fit_ms = r.fit_start.map(|t| now - t);
                                }
                                r.score_start.get_or_insert(now);
                                r.phase = Phase::Scoring(frac);
                            }
                            Stage::Fit(_) | Stage::Score(_) | Stage::Ensemble => {
                                // Another stage runs: a detector that was fitting is fitted,
                                // one that was scoring is done.
                                match r.phase {
                                    Phase::Fitting(_) => {
                                        r.fit_ms = r.fit_start.map(|t| now - t);
                                        r.phase = Phase::Fitted;
                                    }
                                    Phase::Scoring(_) => {
                                        let fit = r.fit_ms.unwrap_or(0.0);
                                        let score = r.score_start.map_or(0.0, |t| now - t);
                                        r.seconds = Some((fit + score) / 1000.0);
                                        r.phase = Phase::Done;
                                    }
                                    _ => {}
                                }
                                if p.stage == Stage::Ensemble && r.phase == Phase::Fitted {
                                    r.phase = Phase::Done;
                                }
                            }
                            _ => {}
                        }
                    }
                });
            }
            _ => {
                if training.get_value() {
                    training.set_value(false);
                    // The job ended: with a result every detector is done; otherwise it stopped.
                    let result = state.result.get_untracked();
                    rows.update(|rs| {
                        for r in rs.iter_mut() {
                            let member = result
                                .as_ref()
                                .and_then(|res| res.members.iter().find(|m| m.kind == r.kind));
                            match member {
                                Some(m) => {
                                    r.phase = Phase::Done;
                                    r.seconds = Some(m.fit_seconds + m.score_seconds);
                                }
                                None if r.phase != Phase::Done => r.phase = Phase::Stopped,
                                None => {}
                            }
                        }
                    });
                }
            }
        }
    });
}

/// A row per detector of the training run: waiting / fitting n % / scoring n % / done with
/// seconds, from [`AppState::det_progress`] (fed by [`track_detector_progress`]).
///
/// [`AppState::det_progress`]: crate::ui::state::AppState::det_progress
#[component]
fn DetectorProgress() -> impl IntoView {
    let state = use_app_state();
    let rows = state.det_progress;
    view! {
        <ul id="ns-det-progress" class="ns-detprog" aria-label="Progress per detector" aria-live="polite">
            <For each=move || rows.get() key=|r| r.kind let:r>
                {
                    let kind = r.kind;
                    let row = move || rows.with(|rs| rs.iter().find(|x| x.kind == kind).copied());
                    let phase_id = move || match row().map(|r| r.phase) {
                        Some(Phase::Waiting) | None => "waiting",
                        Some(Phase::Fitting(_)) => "fitting",
                        Some(Phase::Fitted) => "fitted",
                        Some(Phase::Scoring(_)) => "scoring",
                        Some(Phase::Done) => "done",
                        Some(Phase::Stopped) => "stopped",
                    };
                    let text = move || match row() {
                        Some(r) => match r.phase {
                            Phase::Waiting => "waiting".to_string(),
                            Phase::Fitting(f) => format!("fitting {:.0} %", f * 100.0),
                            Phase::Fitted => format!("fitted in {}, waiting to score", format::seconds(r.fit_ms.unwrap_or(0.0) / 1000.0)),
                            Phase::Scoring(f) => format!("scoring {:.0} %", f * 100.0),
                            Phase::Done => format!("done in {}", format::seconds(r.seconds.unwrap_or(0.0))),
                            Phase::Stopped => "stopped".to_string(),
                        },
                        None => String::new(),
                    };
                    let fill = move || match row().map(|r| r.phase) {
                        Some(Phase::Fitting(f)) => f * 50.0,
                        Some(Phase::Fitted) => 50.0,
                        Some(Phase::Scoring(f)) => 50.0 + f * 50.0,
                        Some(Phase::Done) => 100.0,
                        _ => 0.0,
                    };
                    view! {
                        <li class="ns-detprog__row" data-detector=kind.id() data-phase=phase_id>
                            <span class="ns-detprog__name">{kind.label()}</span>
                            <span class="ns-detprog__track" aria-hidden="true">
                                <span class="ns-detprog__fill" style:transform=move || format!("scaleX({:.3})", fill() / 100.0)></span>
                            </span>
                            <span class="ns-detprog__state">{text}</span>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}

/// Bytes/s and time left of a file load, from the first and the latest progress report.
fn load_rate(first: (f64, u64), now: (f64, u64), total: u64) -> Option<(f64, f64)> {
    let dt = (now.0 - first.0) / 1000.0;
    let db = now.1.saturating_sub(first.1) as f64;
    if dt < 0.2 || db <= 0.0 {
        return None;
    }
    let rate = db / dt;
    Some((rate, total.saturating_sub(now.1) as f64 / rate))
}

/// "12.3 MB/s · 4 s left".
fn rate_text(rate: f64, left: f64) -> String {
    let mb = rate / 1e6;
    let speed = if mb >= 10.0 {
        format!("{mb:.0} MB/s")
    } else {
        format!("{mb:.1} MB/s")
    };
    let left = if left < 1.0 {
        "under 1 s left".to_string()
    } else if left < 90.0 {
        format!("{left:.0} s left")
    } else {
        format!("{:.0} min left", left / 60.0)
    };
    format!("{speed} · {left}")
}

/// Stage and percentage of the running job (whichever page started it), with bytes/s and time
/// left while a file is read. Always takes its space, so nothing moves when a job starts or
/// ends. The Analyze page's copy has the id `ns-progress`; other pages give their own.
#[component]
pub fn ProgressBar(
    /// Element id.
    #[prop(default = "ns-progress")]
    id: &'static str,
) -> impl IntoView {
    let state = use_app_state();
    let percent = move || {
        state
            .job
            .with(|j| j.as_ref().and_then(|j| j.fraction()))
            .map(|f| (f * 100.0).round())
    };
    // (ms, bytes) of the first ingest report of the current file load.
    let first: StoredValue<Option<(f64, u64)>> = StoredValue::new(None);
    let rate = Memo::new(move |_| {
        state.job.with(|j| {
            let j = j.as_ref().filter(|j| j.kind == JobKind::LoadFile);
            let Some(p) = j
                .and_then(|j| j.progress)
                .filter(|p| p.stage == Stage::Ingest)
            else {
                first.set_value(None);
                return None;
            };
            let now = now_ms();
            match first.get_value() {
                None => {
                    first.set_value(Some((now, p.done)));
                    None
                }
                Some(f) => load_rate(f, (now, p.done), p.total),
            }
        })
    });
    view! {
        <div
            id=id
            class="ns-progress"
            class:ns-progress--idle=move || state.job.with(Option::is_none)
            data-kind=move || state.job.with(|j| match j.as_ref().map(|j| j.kind) {
                None => "idle",
                Some(JobKind::LoadSample) => "sample",
                Some(JobKind::LoadFile) => "file",
                Some(JobKind::Train) => "train",
                Some(JobKind::Export) => "export",
                Some(JobKind::Task(_)) => "task",
            })
        >
            <div class="ns-progress__label">
                <span>{move || state.job.with(|j| j.as_ref().map(|j| j.label()).unwrap_or_else(|| "Idle".into()))}</span>
                <span class="ns-progress__rate" data-rate=move || rate.get().map(|(r, _)| format!("{r:.0}"))>
                    {move || rate.get().map(|(r, left)| rate_text(r, left)).unwrap_or_default()}
                </span>
                <span class="ns-progress__pct">{move || percent().map(|p| format!("{p:.0} %")).unwrap_or_default()}</span>
            </div>
            <div
                class="ns-progress__track"
                role="progressbar"
                aria-label="Progress of the running job"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || percent().map(|p| p.to_string())
            >
                <div
                    class="ns-progress__fill"
                    class:ns-progress__fill--indeterminate=move || state.job.with(|j| j.is_some()) && percent().is_none()
                    style:transform=move || format!("scaleX({})", percent().unwrap_or(0.0) / 100.0)
                ></div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_needs_time_and_bytes() {
        assert_eq!(load_rate((0.0, 0), (100.0, 10), 100), None);
        let (rate, left) = load_rate((0.0, 0), (1000.0, 50_000_000), 150_000_000).unwrap();
        assert_eq!(rate, 50_000_000.0);
        assert_eq!(left, 2.0);
        assert_eq!(rate_text(rate, left), "50 MB/s · 2 s left");
    }
}
