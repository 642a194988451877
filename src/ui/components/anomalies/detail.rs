//! The row detail: each detector's score against its threshold, the ensemble verdict, the
//! enrichment, the explanation in plain words, the detectors' attributions, every feature
//! beside its training median, the written analysis (generated from rules) and the exports.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::explain::{format::format_percent, CellValue, DetectorEvidence, FeatureShare};
use crate::engine::feedback::Verdict;
use crate::engine::triage::{detail_text, RowDetail};
use crate::ui::components::anomalies::{mark_rows, use_anomalies, AnomaliesCtx};
use crate::ui::error::AppError;
use crate::ui::hooks::use_worker::{use_worker, UseWorkerReturn};
use crate::ui::state::{use_app_state, AppState};
use crate::worker::protocol::ExportFile;

/// Fetches the detail whenever the open row or the result changes.
pub fn sync_detail(state: AppState, ctx: AnomaliesCtx, worker: UseWorkerReturn) {
    let seq = StoredValue::new(0u64);
    Effect::new(move |_| {
        let row = state.selected_row.get();
        let has_result = state.result.with(Option::is_some);
        seq.update_value(|s| *s += 1);
        let mine = seq.get_value();
        let Some(row) = row.filter(|_| has_result) else {
            ctx.detail.set(None);
            return;
        };
        let answer = worker.request(crate::worker::protocol::RowDetail { row });
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            if seq.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                Ok(d) => ctx.detail.set(Some(Arc::new(*d))),
                Err(e) => {
                    ctx.detail.set(None);
                    state.fail(format!("Could not explain row {}", row + 1), e);
                }
            }
        });
    });
}

/// The detail panel (empty until a row is opened).
#[component]
pub fn RowDetailPanel() -> impl IntoView {
    let ctx = use_anomalies();
    let state = use_app_state();
    view! {
        <aside id="ns-detail" class="ns-panel ns-anom__detail" aria-labelledby="ns-detail-title" tabindex="-1">
            {move || match ctx.detail.get() {
                None => view! {
                    <h2 id="ns-detail-title" class="ns-panel__title">"Row detail"</h2>
                    <p class="ns-empty">
                        {move || if state.selected_row.get().is_some() { "Loading…" } else { "Open a row (click it, or focus it and press Enter) to see why it was flagged." }}
                    </p>
                }.into_any(),
                Some(d) => view! { <Detail detail=d /> }.into_any(),
            }}
        </aside>
    }
}

fn copy_text(text: &str) -> bool {
    let nav = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok();
    let clip = nav.and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()).ok());
    let Some(clip) = clip.filter(|c| !c.is_undefined()) else {
        return false;
    };
    let Ok(f) = js_sys::Reflect::get(&clip, &"writeText".into()) else {
        return false;
    };
    let Ok(f) = f.dyn_into::<js_sys::Function>() else {
        return false;
    };
    f.call1(&clip, &text.into()).is_ok()
}

use wasm_bindgen::JsCast;

#[component]
fn Detail(
    /// The row's detail.
    detail: Arc<RowDetail>,
) -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let e = &detail.explanation;
    let row = e.row as u32;
    let copied = RwSignal::new(false);
    let d_copy = detail.clone();
    let d_txt = detail.clone();
    let d_json = detail.clone();
    let d_rule = detail.clone();
    let download = move |file_name: String, mime: &'static str, bytes: Vec<u8>| {
        let file = ExportFile {
            file_name,
            mime: mime.into(),
            bytes,
        };
        crate::ui::download::offer(state, &file);
    };
    let rule_added = move || {
        let id = d_rule.similar_rule.id.clone();
        state.suppressions.with(|rs| rs.iter().any(|r| r.id == id))
    };
    let rule_added_label = rule_added.clone();
    let d_rule2 = detail.clone();
    let add_rule = move |_| {
        let rule = d_rule2.similar_rule.clone();
        state.suppressions.update(|rs| {
            if !rs.iter().any(|r| r.id == rule.id) {
                rs.push(rule);
            }
        });
    };
    let sev = e.severity;
    let persona = RwSignal::new(0usize);
    let analyses = detail.analyses.clone();
    let persona_titles: Vec<(usize, &'static str)> = analyses
        .iter()
        .enumerate()
        .map(|(i, a)| (i, a.persona.title()))
        .collect();
    let analysis_text = move || {
        analyses
            .get(persona.get())
            .map(|a| a.text.clone())
            .unwrap_or_default()
    };
    let enriched = &detail.enriched;
    view! {
        <div class="ns-panel__head">
            <h2 id="ns-detail-title" class="ns-panel__title">{format!("Row {}", row + 1)}</h2>
            <div class="ns-panel__actions">
                <button id="ns-detail-copy" class="ns-button" type="button" on:click=move |_| {
                    copied.set(copy_text(&detail_text(&d_copy)));
                }>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                <button id="ns-detail-txt" class="ns-button" type="button" on:click=move |_| {
                    download(format!("netsift_row_{}.txt", row + 1), "text/plain;charset=utf-8", detail_text(&d_txt).into_bytes());
                }>"Text"</button>
                <button id="ns-detail-json" class="ns-button" type="button" on:click=move |_| {
                    match serde_json::to_vec_pretty(&*d_json) {
                        Ok(b) => download(format!("netsift_row_{}.json", row + 1), "application/json", b),
                        Err(err) => state.fail_then("The JSON export failed", AppError::Page(err.to_string()), "the text export still works."),
                    }
                }>"JSON"</button>
                <button id="ns-detail-close" class="ns-button ns-button--ghost" type="button" aria-label="Close the detail"
                    on:click=move |_| state.selected_row.set(None)>"×"</button>
            </div>
        </div>
        <p class="ns-anom__verdict-line">
            <span class=format!("ns-sev ns-sev--{}", sev.id())>{if e.is_anomaly { sev.id() } else { "normal" }}</span>
            " "
            <span id="ns-detail-ensemble" class="ns-mono" data-score=e.ensemble_score.to_string()>
                {format!("ensemble score {:.4}", e.ensemble_score)}
            </span>
            {format!(" · {} of {} detectors voted (needs {}) · confidence {}", e.votes, e.n_detectors, e.min_votes, format_percent(e.confidence))}
        </p>
        <p id="ns-detail-summary" class="ns-anom__summary">{e.summary.clone()}</p>
        <div class="ns-anom__actions">
            <button id="ns-detail-tp" class="ns-button" type="button"
                on:click=move |_| mark_rows(state, worker, vec![row], Some(Verdict::TruePositive))>"True positive"</button>
            <button id="ns-detail-fp" class="ns-button" type="button"
                on:click=move |_| mark_rows(state, worker, vec![row], Some(Verdict::FalsePositive))>"False positive"</button>
            <button id="ns-suppress-similar" class="ns-button" type="button"
                disabled=rule_added
                title=detail.similar_rule.name.clone()
                on:click=add_rule>{move || if rule_added_label() { "Rule added" } else { "Suppress similar" }}</button>
        </div>

        <h3 class="ns-anom__h3">"Detectors"</h3>
        <ul id="ns-detail-detectors" class="ns-anom__detectors">
            {e.detectors.iter().map(detector_view).collect_view()}
        </ul>

        <h3 class="ns-anom__h3">"What stands out"</h3>
        <ul id="ns-detail-deviations" class="ns-anom__deviations">
            {e.deviations.iter().map(|d| view! { <li>{d.text.clone()}</li> }).collect_view()}
        </ul>

        <h3 class="ns-anom__h3">"Type and advice"</h3>
        <p class="ns-anom__type">
            <strong>{enriched.anomaly_type.title()}</strong>
            {format!(" · threat level {}", enriched.severity.id())}
        </p>
        <p class="ns-anom__tags">
            {enriched.tags.iter().map(|t| view! { <span class="ns-anom__tag">{t.clone()}</span> }).collect_view()}
        </p>
        <ul class="ns-anom__advice">
            {enriched.advice.iter().map(|a| view! {
                <li><strong>{a.description.clone()}</strong>
                    <ul>{a.actions.iter().take(3).map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
                </li>
            }).collect_view()}
        </ul>

        {e.isolation_attribution.as_ref().map(|shares| view! {
            <h3 class="ns-anom__h3">"Isolation Forest: which features isolated it"</h3>
            <ShareBars id="ns-detail-if" shares=shares.clone() />
        })}
        {e.autoencoder_errors.as_ref().map(|shares| view! {
            <h3 class="ns-anom__h3">"Autoencoder: reconstruction error by feature"</h3>
            <ShareBars id="ns-detail-ae" shares=shares.clone() />
        })}

        <h3 class="ns-anom__h3">"Features against training"</h3>
        <div class="ns-table-wrap">
            <table id="ns-detail-features" class="ns-table ns-table--compact">
                <thead><tr><th scope="col">"feature"</th><th scope="col" class="ns-num">"value"</th><th scope="col" class="ns-num">"training median"</th><th scope="col" class="ns-num">"above"</th></tr></thead>
                <tbody>
                    {detail.features.iter().map(|f| view! {
                        <tr>
                            <th scope="row" class="ns-mono">{f.feature.clone()}</th>
                            <td class="ns-num">{cell(&f.value)}</td>
                            <td class="ns-num ns-muted">{cell(&f.typical)}</td>
                            <td class="ns-num ns-muted">{f.share_below.map(format_percent).unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>

        <h3 class="ns-anom__h3">"Written analysis"</h3>
        <p class="ns-anom__offline" id="ns-detail-offline">"Generated from rules, no AI service — nothing leaves this tab."</p>
        <div class="ns-anom__personas" role="tablist" aria-label="Analysis style">
            {persona_titles.into_iter().map(|(i, title)| view! {
                <button type="button" role="tab" class="ns-anom__persona"
                    aria-selected=move || (persona.get() == i).to_string()
                    on:click=move |_| persona.set(i)>{title}</button>
            }).collect_view()}
        </div>
        <pre id="ns-detail-analysis" class="ns-anom__analysis">{analysis_text}</pre>
    }
}

fn cell(v: &CellValue) -> String {
    v.display()
}

fn detector_view(d: &DetectorEvidence) -> impl IntoView {
    // Scale: from min(0, score, threshold) to 1.25 × the larger of the two.
    let lo = 0f64.min(d.score).min(d.threshold);
    let hi = (d.score.max(d.threshold) * 1.25).max(lo + 1e-12);
    let pos = |x: f64| ((x - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0);
    let (fill, mark) = (pos(d.score), pos(d.threshold));
    let label = d.kind.label();
    view! {
        <li class="ns-anom__det" data-detector=d.kind.id() data-score=d.score.to_string() data-threshold=d.threshold.to_string()>
            <div class="ns-anom__det-head">
                <span>{label}</span>
                <span class=if d.voted { "ns-anom__vote ns-anom__vote--yes" } else { "ns-anom__vote" }>
                    {if d.voted { "votes anomaly" } else { "votes normal" }}
                </span>
            </div>
            <div class="ns-anom__gauge" role="img"
                aria-label=format!("{label}: score {:.4} against threshold {:.4}", d.score, d.threshold)>
                <span class=if d.voted { "ns-anom__gauge-fill ns-anom__gauge-fill--over" } else { "ns-anom__gauge-fill" }
                    style=format!("width: {fill:.1}%")></span>
                <span class="ns-anom__gauge-mark" style=format!("left: {mark:.1}%")></span>
            </div>
            <div class="ns-anom__det-nums ns-mono">
                {format!("score {:.4} · threshold {:.4} · above {} of training", d.score, d.threshold, format_percent(d.training_percentile))}
            </div>
        </li>
    }
}

/// Top shares of a detector's attribution as small bars.
#[component]
fn ShareBars(
    /// Element id.
    id: &'static str,
    /// Shares, largest first.
    shares: Vec<FeatureShare>,
) -> impl IntoView {
    view! {
        <ul id=id class="ns-anom__shares">
            {shares.into_iter().take(5).map(|s| view! {
                <li>
                    <span class="ns-mono ns-anom__share-name">{s.feature.clone()}</span>
                    <span class="ns-anom__share-bar"><span style=format!("width: {:.1}%", s.share * 100.0)></span></span>
                    <span class="ns-num">{format_percent(s.share)}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}
