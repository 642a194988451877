//! Training controls: detector selection, contamination, Train / Cancel, progress.

use leptos::prelude::*;

use crate::engine::models::DetectorKind;
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::state::{set_contamination, toggle_detector, use_app_state, JobKind};

/// The Train section. The detector list is driven by the run configuration: a box is ticked
/// exactly when the configuration holds that detector.
#[component]
pub fn TrainPanel() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let no_detector = move || state.config.with(|c| c.detectors.is_empty());
    let can_train = move || state.dataset.with(Option::is_some) && !state.busy() && !no_detector();

    view! {
        <section class="ns-panel ns-train" aria-labelledby="ns-train-title">
            <h2 id="ns-train-title" class="ns-panel__title">"2 · Train"</h2>
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
                                        state.config.update(|c| toggle_detector(c, kind, on));
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
                                state.config.update(|c| set_contamination(c, v));
                            }
                        }
                    }
                />
                <span class="ns-hint">"Sets every detector's threshold."</span>
            </label>
            <div class="ns-train__actions">
                <button
                    id="ns-train"
                    class="ns-button ns-button--primary"
                    type="button"
                    disabled=move || !can_train()
                    on:click=move |_| worker.train(state.config.get_untracked())
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
            </div>
            <ProgressBar />
        </section>
    }
}

/// Stage and percentage of the running job (whichever page started it). Always takes its
/// space, so nothing moves when a job starts or ends. The Analyze page's copy has the id
/// `ns-progress`; other pages give their own.
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
                    style:width=move || format!("{}%", percent().unwrap_or(0.0))
                ></div>
            </div>
        </div>
    }
}
