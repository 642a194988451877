//! Results: stat cards, the score timeline, the top anomalies and the CSV download.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::ensemble::Severity;
use crate::ui::chart;
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::hooks::use_worker::severity_counts;
use crate::ui::state::{use_app_state, UiError};

/// The Results section. Its boxes keep their size before, during and after a run, so nothing
/// jumps while results arrive.
#[component]
pub fn Results() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let has_result = move || state.result.with(Option::is_some);
    view! {
        <section class="ns-panel ns-results" aria-labelledby="ns-results-title">
            <div class="ns-panel__head">
                <h2 id="ns-results-title" class="ns-panel__title">"3 · Results"</h2>
                <div class="ns-panel__actions">
                    <button
                        id="ns-download-json"
                        class="ns-button"
                        type="button"
                        disabled=move || !has_result() || state.busy()
                        on:click=move |_| download_json(state)
                    >
                        "Result (JSON)"
                    </button>
                    <button
                        id="ns-download-csv"
                        class="ns-button"
                        type="button"
                        disabled=move || !has_result() || state.busy()
                        on:click=move |_| worker.export_csv(None)
                    >
                        "Download anomalies (CSV)"
                    </button>
                </div>
            </div>
            <StatCards />
            <Timeline />
            <TopAnomalies />
        </section>
    }
}

/// Downloads the whole last result as JSON (the page holds it already; no worker round trip).
fn download_json(state: crate::ui::state::AppState) {
    let Some(result) = state.result.get_untracked() else {
        return;
    };
    let outcome = crate::engine::report::result_json(&result)
        .map_err(|e| e.to_string())
        .and_then(|json| {
            let name = format!(
                "netsift_result_{}.json",
                crate::engine::report::timestamp_suffix(js_sys::Date::now() / 1000.0)
            );
            crate::ui::download::download_bytes(&name, "application/json", json.as_bytes())
                .map_err(|e| format!("{e:?}"))
        });
    if let Err(e) = outcome {
        state.error.set(Some(UiError {
            title: "The JSON export failed".into(),
            message: format!("{e} — try again; the CSV export still works."),
        }));
    }
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
    /// Extra class for emphasis (`ns-card--alert`).
    #[prop(optional)]
    tone: &'static str,
) -> impl IntoView {
    view! {
        <div class=format!("ns-card {tone}")>
            <span class="ns-card__value" data-stat=name>{value}</span>
            <span class="ns-card__label">{label}</span>
        </div>
    }
}

/// Rows, anomalies, rate, high severity, confidence, time.
#[component]
fn StatCards() -> impl IntoView {
    let state = use_app_state();
    let stat = move |f: fn(&crate::engine::pipeline::RunResult) -> String| {
        Signal::derive(move || {
            state
                .result
                .with(|r| r.as_deref().map(f).unwrap_or_else(|| "–".into()))
        })
    };
    view! {
        <div id="ns-cards" class="ns-cards">
            <StatCard name="rows" label="rows scored" value=stat(|r| format::count(r.n_rows)) />
            <StatCard
                name="anomalies"
                label="anomalies"
                tone="ns-card--alert"
                value=stat(|r| format::count(r.is_anomaly.iter().filter(|a| **a).count()))
            />
            <StatCard
                name="rate"
                label="anomaly rate"
                value=stat(|r| {
                    let n = r.is_anomaly.iter().filter(|a| **a).count();
                    format::percent(n as f64 / r.n_rows.max(1) as f64)
                })
            />
            <StatCard
                name="high"
                label="high severity"
                value=stat(|r| format::count(severity_counts(r)[2]))
            />
            <StatCard
                name="confidence"
                label="avg. confidence (anomalies)"
                value=stat(|r| {
                    let (sum, n) = r
                        .is_anomaly
                        .iter()
                        .zip(&r.confidence)
                        .filter(|(a, _)| **a)
                        .fold((0.0, 0usize), |(s, n), (_, c)| (s + c, n + 1));
                    if n == 0 { "–".into() } else { format::percent(sum / n as f64) }
                })
            />
            <StatCard name="time" label="engine time" value=stat(|r| format::seconds(r.total_seconds)) />
        </div>
    }
}

/// The ensemble score per row, drawn by plotly.js in an effect.
#[component]
fn Timeline() -> impl IntoView {
    let state = use_app_state();
    let root = NodeRef::<leptos::html::Div>::new();
    let drawn = RwSignal::new(false);
    Effect::new(move |_| {
        let result = state.result.get();
        let palette = state.theme.get().palette();
        let Some(el) = root.get() else { return };
        let el: web_sys::HtmlElement = el.into();
        match result {
            None => {
                chart::purge(&el);
                drawn.set(false);
            }
            Some(r) => {
                let plot = crate::viz::timeline(&r, None, &palette);
                spawn_local(async move {
                    // Draw in a task of its own, after the one that received the result, so
                    // the page answers input in between.
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    match chart::render(&el, &plot).await {
                        Ok(()) => drawn.set(true),
                        Err(e) => state.error.set(Some(UiError {
                            title: "The timeline chart could not be drawn".into(),
                            message: format!("{e} — the results are still in the table and the download; reload the page to retry the chart."),
                        })),
                    }
                });
            }
        }
    });
    view! {
        <figure class="ns-chart">
            <figcaption class="ns-chart__caption">"Ensemble score by row · anomalies coloured by severity"</figcaption>
            <div
                id="ns-timeline"
                class="ns-chart__plot"
                node_ref=root
                data-state=move || if drawn.get() { "drawn" } else { "empty" }
            ></div>
            <Show when=move || state.result.with(Option::is_none)>
                <p class="ns-chart__empty">"Train to see the timeline."</p>
            </Show>
        </figure>
    }
}

/// The highest-scoring anomalies with their cells.
#[component]
fn TopAnomalies() -> impl IntoView {
    let state = use_app_state();
    view! {
        <h3 class="ns-panel__subtitle">
            "Top anomalies "
            <span class="ns-muted">"(highest ensemble score first)"</span>
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
                        let result = state.result.get();
                        state.top_rows.with(|p| {
                            let (Some(p), Some(r)) = (p.as_ref(), result) else {
                                return view! {
                                    <tr class="ns-table__empty"><td colspan="5">"No results yet."</td></tr>
                                }.into_any();
                            };
                            if p.rows.is_empty() {
                                return view! {
                                    <tr class="ns-table__empty"><td colspan="5">"No anomalies at this threshold."</td></tr>
                                }.into_any();
                            }
                            let n_det = r.members.len();
                            p.rows
                                .iter()
                                .enumerate()
                                .map(|(rank, (row, cells))| {
                                    let i = *row as usize;
                                    let sev = r.severity.get(i).copied().unwrap_or(Severity::None);
                                    let (sev_name, sev_class) = match sev {
                                        Severity::None | Severity::Low => ("low", "ns-sev ns-sev--low"),
                                        Severity::Medium => ("medium", "ns-sev ns-sev--medium"),
                                        Severity::High => ("high", "ns-sev ns-sev--high"),
                                    };
                                    view! {
                                        <tr data-row=i>
                                            <td class="ns-num ns-muted">{rank + 1}</td>
                                            <td class="ns-num">{i + 1}</td>
                                            <td class="ns-num">{format!("{:.3}", r.ensemble_score.get(i).copied().unwrap_or(f64::NAN))}</td>
                                            <td class="ns-num">{format!("{}/{}", r.votes.get(i).copied().unwrap_or(0), n_det)}</td>
                                            <td><span class=sev_class>{sev_name}</span></td>
                                            {cells.iter().map(|c| view! { <td>{format::cell(c)}</td> }).collect_view()}
                                        </tr>
                                    }
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
