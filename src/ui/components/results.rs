//! Results: stat cards, the score threshold, the timeline, the top anomalies and the exports.
//!
//! Everything follows the analyst's threshold ([`AppState::threshold`]): the cards and the table
//! relabel at once (one O(n) pass, [`crate::engine::summary`]), the charts redraw once the slider
//! has been still for [`SETTLE_MS`]. Every box keeps its size before, during and after a run, so
//! nothing jumps while results arrive.
//!
//! [`AppState::threshold`]: crate::ui::state::AppState::threshold

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::ensemble::Severity;
use crate::engine::pipeline::RunResult;
use crate::engine::summary::{is_flagged, shown_severity, top_flagged, Summary};
use crate::ui::chart;
use crate::ui::components::score_threshold::ScoreThreshold;
use crate::ui::error::AppError;
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::hooks::use_worker::TOP_ROWS;
use crate::ui::state::{use_app_state, AppState};
use crate::worker::protocol::{ExportJson, RowMeta, Rows};

/// Milliseconds the threshold must stay still before the charts redraw.
pub const SETTLE_MS: u64 = 100;

/// The Results section.
#[component]
pub fn Results() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let has_result = move || state.result.with(Option::is_some);
    sync_row_meta(state);
    follow_threshold(state);
    let export_csv = move |_| worker.export_csv(state.threshold.get_untracked());
    let export_json = move |_| {
        let threshold = state.threshold.get_untracked();
        let answer = worker.request(ExportJson {
            ensemble_threshold: threshold,
        });
        spawn_local(async move {
            match answer.await {
                Ok(file) => crate::ui::download::offer(state, &file),
                Err(e) => state.fail_then(
                    "The JSON export failed",
                    e,
                    "the CSV export may still work.",
                ),
            }
        });
    };
    let meta = move || {
        state.result.with(|r| {
            r.as_ref().map(|r| {
                format!(
                    "{} detector{} · engine {}",
                    r.members.len(),
                    if r.members.len() == 1 { "" } else { "s" },
                    format::seconds(r.total_seconds)
                )
            })
        })
    };
    view! {
        <section class="ns-panel ns-results" aria-labelledby="ns-results-title">
            <div class="ns-panel__head">
                <h2 id="ns-results-title" class="ns-panel__title">
                    "3 · Results"
                    <span class="ns-results__meta" data-stat="time">{meta}</span>
                </h2>
                <div class="ns-panel__actions">
                    <button
                        id="ns-download-json"
                        class="ns-button"
                        type="button"
                        title="The whole result, relabelled at the current threshold"
                        disabled=move || !has_result() || state.busy()
                        on:click=export_json
                    >
                        "Result (JSON)"
                    </button>
                    <button
                        id="ns-download-csv"
                        class="ns-button ns-button--primary"
                        type="button"
                        title="Every input column of the flagged rows, with votes, scores and severity"
                        disabled=move || !has_result() || state.busy()
                        on:click=export_csv
                    >
                        "Anomalies (CSV)"
                    </button>
                </div>
            </div>
            <StatCards />
            <div class="ns-results__charts">
                <ScoreThreshold />
                <Timeline />
            </div>
            <TopAnomalies />
        </section>
    }
}

/// Keeps [`AppState::row_meta`] in step with the data set: asks the worker for it after every
/// load (and once on mount when it is missing).
fn sync_row_meta(state: AppState) {
    let worker = use_worker();
    Effect::new(move |prev: Option<()>| {
        let rows = state.dataset.with(|d| d.as_ref().map(|d| d.n_rows));
        let Some(rows) = rows else {
            state.row_meta.set(None);
            return;
        };
        let have = state
            .row_meta
            .with_untracked(|m| m.as_ref().is_some_and(|m| m.n_rows == rows));
        if prev.is_some() || !have {
            state.row_meta.set(None);
            let answer = worker.request(RowMeta);
            spawn_local(async move {
                // Without it the timeline has no time axis; nothing else depends on it.
                if let Ok(meta) = answer.await {
                    state.row_meta.set(Some(Arc::new(meta)));
                }
            });
        }
    });
}

/// Resets the threshold when a new result arrives, and publishes the settled threshold
/// [`SETTLE_MS`] after the last change — and not while a pointer is down: a drag of the
/// threshold line redraws the charts once, on release, not at every pause of the hand.
fn follow_threshold(state: AppState) {
    let current = StoredValue::new(state.result.with_untracked(result_id));
    Effect::new(move |_| {
        let id = state.result.with(result_id);
        if id != current.get_value() {
            current.set_value(id);
            state.threshold.set(None);
            state.threshold_settled.set(None);
        }
    });
    let pointer_down = StoredValue::new(false);
    let handles = [
        window_event_listener_untyped("pointerdown", move |_| pointer_down.set_value(true)),
        window_event_listener_untyped("pointerup", move |_| pointer_down.set_value(false)),
        window_event_listener_untyped("pointercancel", move |_| pointer_down.set_value(false)),
    ];
    on_cleanup(move || handles.into_iter().for_each(|h| h.remove()));
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let t = state.threshold.get();
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        if state.threshold_settled.get_untracked() == t {
            return;
        }
        settle_later(state, pending, pointer_down);
    });
}

/// Publishes the threshold as settled in [`SETTLE_MS`], or looks again then while a pointer is
/// still down.
fn settle_later(
    state: AppState,
    pending: StoredValue<Option<TimeoutHandle>, LocalStorage>,
    pointer_down: StoredValue<bool>,
) {
    let handle = set_timeout_with_handle(
        move || {
            if pointer_down.try_get_value() == Some(true) {
                settle_later(state, pending, pointer_down);
            } else {
                state
                    .threshold_settled
                    .try_set(state.threshold.try_get_untracked().flatten());
            }
        },
        std::time::Duration::from_millis(SETTLE_MS),
    );
    pending.try_set_value(handle.ok());
}

/// Identity of a result (its allocation), to tell a new run from the same one.
fn result_id(r: &Option<Arc<RunResult>>) -> Option<usize> {
    r.as_ref().map(|r| Arc::as_ptr(r) as usize)
}

/// One number with its caption.
#[component]
fn StatCard(
    /// Machine-readable name (`data-stat`), used by tests.
    name: &'static str,
    /// Caption.
    label: &'static str,
    /// The value, already formatted.
    value: Signal<String>,
    /// A second line under the caption (e.g. what the number is out of).
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
    /// Extra class for emphasis (`ns-card--alert`).
    #[prop(optional)]
    tone: &'static str,
) -> impl IntoView {
    view! {
        <div class=format!("ns-card {tone}")>
            <span class="ns-card__label">{label}</span>
            <span class="ns-card__value" data-stat=name>{value}</span>
            <span class="ns-card__hint">{move || hint.map(|h| h.get()).unwrap_or_default()}</span>
        </div>
    }
}

/// Rows, anomalies, rate, confidence, high severity, detector agreement — under the threshold.
#[component]
fn StatCards() -> impl IntoView {
    let state = use_app_state();
    let summary = Memo::new(move |_| {
        let threshold = state.threshold.get();
        state
            .result
            .with(|r| r.as_deref().map(|r| Summary::of(r, threshold)))
    });
    let stat = move |f: fn(&Summary) -> String| {
        Signal::derive(move || summary.with(|s| s.as_ref().map(f).unwrap_or_else(|| "–".into())))
    };
    let pending = move || {
        state.busy()
            && state.job.with(|j| {
                j.as_ref()
                    .is_some_and(|j| j.kind == crate::ui::state::JobKind::Train)
            })
    };
    view! {
        <div id="ns-cards" class="ns-cards" class:ns-cards--stale=pending aria-live="polite">
            <StatCard name="rows" label="Rows scored" value=stat(|s| format::count(s.rows)) />
            <StatCard
                name="anomalies"
                label="Anomalies"
                tone="ns-card--alert"
                value=stat(|s| format::count(s.anomalies))
                hint=stat(|s| match s.threshold {
                    None => "vote decision".into(),
                    Some(t) => format!("score ≥ {t:.3}"),
                })
            />
            <StatCard name="rate" label="Anomaly rate" value=stat(|s| format::percent(s.rate)) />
            <StatCard
                name="confidence"
                label="Avg. confidence"
                value=stat(|s| s.avg_confidence.map(format::percent).unwrap_or_else(|| "–".into()))
                hint=stat(|_| "of flagged rows".into())
            />
            <StatCard
                name="high"
                label="High severity"
                tone="ns-card--high"
                value=stat(|s| format::count(s.high))
                hint=stat(|s| format!("{} med · {} low", format::count(s.by_severity[1]), format::count(s.by_severity[0])))
            />
            <StatCard
                name="agreement"
                label="Agreement"
                value=stat(|s| s.agreement.map(|a| format!("{a:.2}")).unwrap_or_else(|| "–".into()))
                hint=stat(|s| if s.agreement.is_some() { "detectors' mean ρ".into() } else { "needs 2+ detectors".into() })
            />
        </div>
    }
}

/// The ensemble score per row, drawn by plotly.js in an effect.
#[component]
fn Timeline() -> impl IntoView {
    let state = use_app_state();
    let root = NodeRef::<leptos::html::Div>::new();
    let drawn = RwSignal::new(false);
    let draw_ms = RwSignal::new(None::<f64>);
    // Normal rows drawn / in the run, for the caption (thinned above SVG_MAX_ROWS rows).
    let normals = RwSignal::new(None::<crate::viz::timeline::NormalRows>);
    let timestamps = move || {
        state.row_meta.with(|m| {
            m.as_ref()
                .filter(|m| m.timestamps.is_some())
                .and_then(|m| m.timestamp_column.clone())
        })
    };
    // What the chart on screen shows: a notification that changes none of it (the threshold
    // reset when a result arrives, the row facts fetched again) redraws nothing.
    let shown = StoredValue::new(None::<TimelineKey>);
    Effect::new(move |_| {
        let result = state.result.get();
        let threshold = state.threshold_settled.get();
        let theme = state.theme.get();
        let palette = theme.palette();
        let meta = state.row_meta.get();
        let Some(el) = root.get() else { return };
        let el: web_sys::HtmlElement = el.into();
        let Some(r) = result else {
            chart::purge(&el);
            shown.set_value(None);
            drawn.set(false);
            normals.set(None);
            return;
        };
        let ts = meta
            .as_deref()
            .filter(|m| m.n_rows == r.n_rows)
            .and_then(|m| m.timestamps.clone());
        let key = TimelineKey {
            result: Arc::downgrade(&r),
            threshold: threshold.map(f64::to_bits),
            theme,
            timestamps: ts.is_some(),
        };
        if shown.with_value(|k| k.as_ref() == Some(&key)) {
            return;
        }
        shown.set_value(Some(key));
        spawn_local(async move {
            // Draw in a task of its own, after the one that received the result, so the page
            // answers input in between.
            gloo_timers::future::TimeoutFuture::new(0).await;
            // A fresh box (the tab was opened again) gets its WebGL context and shaders in a
            // task of its own first, as the warm-up does during training.
            if el.child_element_count() == 0 && crate::viz::timeline::uses_webgl(r.n_rows) {
                let _ =
                    chart::render(&el, &crate::viz::timeline::placeholder(&palette, true)).await;
                gloo_timers::future::TimeoutFuture::new(0).await;
            }
            let perf = web_sys::window().and_then(|w| w.performance());
            let t0 = perf.as_ref().map_or(0.0, |p| p.now());
            let chart = crate::viz::timeline(&r, threshold, ts.as_deref(), &palette);
            normals.set(Some(chart.normal));
            match chart::render(&el, &chart.plot).await {
                Ok(()) => {
                    if let Some(p) = &perf {
                        draw_ms.set(Some(p.now() - t0));
                        let _ = p.mark("ns-timeline-drawn");
                    }
                    drawn.set(true);
                }
                Err(e) => {
                    shown.try_set_value(None);
                    state.fail_then(
                        "The timeline chart could not be drawn",
                        AppError::Browser(e.to_string()),
                        "the results are still in the table and the download; reload the page to retry the chart.",
                    );
                }
            }
        });
    });
    warm_up(state, root, drawn);
    let caption = move || {
        let axis = match timestamps() {
            Some(col) => format!("Ensemble score over time ({col})"),
            None => "Ensemble score by row (file order)".to_owned(),
        };
        format!("{axis} · flagged rows coloured by severity")
    };
    // A second caption line, always there (no jump when it fills in): what was drawn.
    let note = move || match normals.get() {
        Some(n) if n.thinned() => format!(
            "Normal rows: {} of {} shown, min/max per bucket; every anomaly drawn.",
            format::count(n.shown),
            format::count(n.total)
        ),
        Some(_) => "Every row drawn.".to_owned(),
        None => String::new(),
    };
    view! {
        <figure class="ns-chart">
            <figcaption class="ns-chart__caption">
                {caption}
                <span id="ns-timeline-note" class="ns-chart__note">{note}</span>
            </figcaption>
            <div
                id="ns-timeline"
                class="ns-chart__plot"
                node_ref=root
                data-state=move || if drawn.get() { "drawn" } else { "empty" }
                data-draw-ms=move || draw_ms.get().map(|ms| format!("{ms:.1}"))
                data-normal-shown=move || normals.get().map(|n| n.shown)
                data-normal-total=move || normals.get().map(|n| n.total)
            ></div>
            <Show when=move || state.result.with(Option::is_none)>
                <p class="ns-chart__empty">"Train to see the timeline."</p>
            </Show>
        </figure>
    }
}

/// What a drawn timeline shows (the result is held weakly, so its address stays its own).
#[derive(Debug, Clone)]
struct TimelineKey {
    result: std::sync::Weak<RunResult>,
    threshold: Option<u64>,
    theme: crate::ui::state::Theme,
    timestamps: bool,
}

impl PartialEq for TimelineKey {
    fn eq(&self, other: &Self) -> bool {
        self.result.ptr_eq(&other.result)
            && self.threshold == other.threshold
            && self.theme == other.theme
            && self.timestamps == other.timestamps
    }
}

/// While a run trains and no timeline is drawn yet, draws the placeholder into the timeline's box
/// ([`crate::viz::timeline::placeholder`], WebGL for runs above the SVG size): the main thread is
/// idle then, and the result's first draws (histogram, timeline) skip plotly's one-off set-up.
fn warm_up(state: AppState, root: NodeRef<leptos::html::Div>, drawn: RwSignal<bool>) {
    // `Some(webgl)` while a training runs.
    let training = Memo::new(move |_| {
        let training = state.job.with(|j| {
            j.as_ref()
                .is_some_and(|j| j.kind == crate::ui::state::JobKind::Train)
        });
        training.then(|| {
            state.dataset.with(|d| {
                d.as_ref()
                    .is_some_and(|d| crate::viz::timeline::uses_webgl(d.n_rows))
            })
        })
    });
    Effect::new(move |_| {
        let Some(webgl) = training.get() else {
            return;
        };
        if drawn.get_untracked() || state.result.with_untracked(Option::is_some) {
            return;
        }
        let Some(el) = root.get_untracked() else {
            return;
        };
        let el: web_sys::HtmlElement = el.into();
        let plot = crate::viz::timeline::placeholder(&state.theme.get_untracked().palette(), webgl);
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            // A failure here only loses the head start; the real draw reports its own errors.
            let _ = chart::render(&el, &plot).await;
        });
    });
}

/// Fetches the cells of the top flagged rows again when the settled threshold changes which
/// rows they are (the worker fetches the vote decision's top rows after each run).
fn follow_top_rows(state: AppState) {
    let worker = use_worker();
    let wanted = StoredValue::new(Vec::<u32>::new());
    Effect::new(move |_| {
        let threshold = state.threshold_settled.get();
        let Some(result) = state.result.get() else {
            return;
        };
        let top = top_flagged(&result, threshold, TOP_ROWS);
        let have: Option<Vec<u32>> = state
            .top_rows
            .with_untracked(|p| p.as_ref().map(|p| p.rows.iter().map(|(i, _)| *i).collect()));
        // No rows yet with the vote decision: the run's own fetch is on its way.
        if have.as_ref() == Some(&top) || (have.is_none() && threshold.is_none()) {
            return;
        }
        wanted.set_value(top.clone());
        let answer = worker.request(Rows { indices: top });
        spawn_local(async move {
            match answer.await {
                Ok(page) => {
                    let indices: Vec<u32> = page.rows.iter().map(|(i, _)| *i).collect();
                    if wanted.with_value(|w| *w == indices) {
                        state.top_rows.set(Some(page));
                    }
                }
                Err(e) => state.fail("Could not fetch the anomalous rows", e),
            }
        });
    });
}

/// The top-table rows flagged at the live threshold: (index in the fetched page, row, shown
/// severity), with the result they belong to (compared by identity).
#[derive(Debug, Clone)]
struct ShownRows {
    result: Arc<RunResult>,
    rows: Vec<(usize, u32, Severity)>,
}

impl PartialEq for ShownRows {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.result, &other.result) && self.rows == other.rows
    }
}

/// The highest-scoring flagged rows with their cells.
#[component]
fn TopAnomalies() -> impl IntoView {
    let state = use_app_state();
    follow_top_rows(state);
    // The rows shown (index into the fetched page, severity) at the live threshold: the table is
    // rebuilt only when these change, not at every step of a threshold drag.
    let shown = Memo::new(move |_| {
        let threshold = state.threshold.get();
        let result = state.result.get()?;
        state.top_rows.with(|p| {
            let rows = p
                .as_ref()?
                .rows
                .iter()
                .enumerate()
                .filter(|(_, (i, _))| is_flagged(&result, threshold, *i as usize))
                .map(|(k, (i, _))| (k, *i, shown_severity(&result, threshold, *i as usize)))
                .collect();
            Some(ShownRows { result, rows })
        })
    });
    view! {
        <h3 class="ns-panel__subtitle">
            "Top anomalies "
            <span class="ns-muted">"(highest ensemble score first, at the current threshold)"</span>
        </h3>
        <div class="ns-table-wrap ns-table-wrap--tall">
            <table id="ns-top-table" class="ns-table">
                <thead>
                    <tr>
                        <th scope="col" class="ns-num">"#"</th>
                        <th scope="col" class="ns-num">"row"</th>
                        <th scope="col" class="ns-num">"score"</th>
                        <th scope="col" class="ns-num">"votes"</th>
                        <th scope="col">"severity"</th>
                        {move || state.top_rows.with(|p| {
                            p.iter()
                                .flat_map(|p| p.header.iter())
                                .map(|h| view! { <th scope="col">{h.clone()}</th> })
                                .collect_view()
                        })}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let shown = shown.get();
                        state.top_rows.with_untracked(|p| {
                            let (Some(p), Some(ShownRows { result: r, rows: shown })) = (p.as_ref(), shown) else {
                                return view! {
                                    <tr class="ns-table__empty"><td colspan="5">"No results yet."</td></tr>
                                }.into_any();
                            };
                            if shown.is_empty() {
                                return view! {
                                    <tr class="ns-table__empty"><td colspan="5">"No anomalies at this threshold."</td></tr>
                                }.into_any();
                            }
                            let n_det = r.members.len();
                            shown.into_iter()
                                .enumerate()
                                .filter_map(|(rank, (k, row, severity))| {
                                    let (_, cells) = p.rows.get(k)?;
                                    let i = row as usize;
                                    let (sev_name, sev_class) = match severity {
                                        Severity::None | Severity::Low => ("low", "ns-sev ns-sev--low"),
                                        Severity::Medium => ("medium", "ns-sev ns-sev--medium"),
                                        Severity::High => ("high", "ns-sev ns-sev--high"),
                                    };
                                    Some(view! {
                                        <tr data-row=i>
                                            <td class="ns-num ns-muted">{rank + 1}</td>
                                            <td class="ns-num">{i + 1}</td>
                                            <td class="ns-num">{format!("{:.3}", r.ensemble_score.get(i).copied().unwrap_or(f64::NAN))}</td>
                                            <td class="ns-num">{format!("{}/{}", r.votes.get(i).copied().unwrap_or(0), n_det)}</td>
                                            <td><span class=sev_class>{sev_name}</span></td>
                                            {cells.iter().map(|c| view! { <td>{format::cell(c)}</td> }).collect_view()}
                                        </tr>
                                    })
                                })
                                .collect_view()
                                .into_any()
                        })
                    }}
                </tbody>
            </table>
        </div>
    }
}
