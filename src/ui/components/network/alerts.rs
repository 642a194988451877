//! The rule alerts table, and the selected alert's detail: evidence, enrichment, advice, written
//! analyses and the flows behind it (cells fetched from the worker, each linking to the row on
//! the Anomalies page).

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::netviews::{AlertView, NetworkViews};
use crate::ui::components::network::{threat_class, utc, AnalysisView, EnrichmentView};
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::state::{use_app_state, Page};
use crate::worker::protocol::{Rows, RowsPage};

/// Flows listed with their cells under an alert (all row numbers are linked).
const FLOW_CELLS: usize = 50;
/// Columns of each flow shown.
const FLOW_COLUMNS: usize = 9;

fn evidence(a: &AlertView) -> String {
    a.alert
        .evidence
        .iter()
        .map(|(k, v)| format!("{k} {}", format::stat(Some(*v))))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The alerts table and the selected alert's detail.
#[component]
pub fn AlertsPanel(
    /// The views.
    views: Arc<NetworkViews>,
) -> impl IntoView {
    let selected = RwSignal::new(None::<usize>);
    let n = views.alerts.len();
    let views_for_detail = views.clone();
    if n == 0 {
        let why = if views.records == 0 {
            "No rule could run: the data has no flows with addresses and times."
        } else {
            "No rule alert with these thresholds."
        };
        return view! { <p id="ns-alerts-empty" class="ns-empty">{why}</p> }.into_any();
    }
    view! {
        <div class="ns-table-wrap">
            <table id="ns-alerts" class="ns-table ns-table--compact">
                <thead>
                    <tr>
                        <th scope="col">"rule"</th>
                        <th scope="col">"severity"</th>
                        <th scope="col">"source"</th>
                        <th scope="col">"target"</th>
                        <th scope="col">"window start (UTC)"</th>
                        <th scope="col">"window end (UTC)"</th>
                        <th scope="col">"evidence"</th>
                        <th scope="col" class="ns-num">"flows"</th>
                    </tr>
                </thead>
                <tbody>
                    {views.alerts.iter().enumerate().map(|(i, a)| {
                        let target = match (&a.alert.target, a.alert.port) {
                            (Some(t), Some(p)) => format!("{t}:{p}"),
                            (Some(t), None) => t.clone(),
                            (None, _) => "all hosts".into(),
                        };
                        let related = if a.alert.related.is_empty() {
                            String::new()
                        } else {
                            format!(" + {}", a.alert.related.iter().map(|r| r.title()).collect::<Vec<_>>().join(", "))
                        };
                        view! {
                            <tr
                                data-rule=a.alert.rule.id()
                                class="ns-alerts__row"
                                class:ns-alerts__row--selected=move || selected.get() == Some(i)
                            >
                                <td>
                                    <button
                                        type="button"
                                        class="ns-link"
                                        aria-expanded=move || (selected.get() == Some(i)).to_string()
                                        aria-controls="ns-alert-detail"
                                        on:click=move |_| selected.update(|s| *s = if *s == Some(i) { None } else { Some(i) })
                                    >{a.alert.rule.title()}</button>
                                    <span class="ns-muted">{related}</span>
                                </td>
                                <td><span class=threat_class(a.enriched.severity)>{a.enriched.severity.id()}</span></td>
                                <td class="ns-mono" data-field="source">{a.alert.source.clone().unwrap_or_else(|| "many".into())}</td>
                                <td class="ns-mono" data-field="target">{target}</td>
                                <td class="ns-mono">{utc(a.alert.window_start)}</td>
                                <td class="ns-mono">{utc(a.alert.window_end)}</td>
                                <td class="ns-alerts__evidence">{evidence(a)}</td>
                                <td class="ns-num" data-field="flows">{format::count(a.alert.flow_count)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="ns-hint">"Choose a rule name to see its evidence, advice, written analysis and the flows behind it."</p>
        {move || selected.get().and_then(|i| views_for_detail.alerts.get(i).cloned()).map(|a| view! { <AlertDetail alert=a /> })}
    }
    .into_any()
}

/// One alert in full.
#[component]
fn AlertDetail(
    /// The alert.
    alert: AlertView,
) -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let cells = RwSignal::new(None::<RowsPage>);
    let rows: Vec<u32> = alert
        .alert
        .flows
        .iter()
        .take(FLOW_CELLS)
        .map(|&r| r as u32)
        .collect();
    if !rows.is_empty() {
        let answer = worker.request(Rows { indices: rows });
        leptos::task::spawn_local(async move {
            match answer.await {
                Ok(page) => {
                    cells.try_set(Some(page));
                }
                Err(e) => state.fail("Could not fetch the flows of this alert", e),
            }
        });
    }
    let a = alert.alert.clone();
    let listed = a.flows.len();
    let more = a.flow_count.saturating_sub(listed);
    view! {
        <section id="ns-alert-detail" class="ns-alert-detail" aria-label="Alert detail">
            <h3 class="ns-panel__subtitle">{format!("{} — {}", a.rule.title(), a.description)}</h3>
            <div class="ns-alert-detail__cols">
                <div>
                    <EnrichmentView enriched=alert.enriched.clone() />
                </div>
                <div>
                    <AnalysisView analyses=alert.analyses.clone() id="ns-alert-analysis".to_string() />
                </div>
            </div>
            <h4 class="ns-net-h4">
                {format!("Flows behind this alert ({})", format::count(a.flow_count))}
            </h4>
            <p class="ns-hint">
                "Row numbers open the row on the Anomalies page."
                {(more > 0).then(|| format!(" The first {listed} rows are listed."))}
            </p>
            <div id="ns-alert-flows" class="ns-alert-flows">
                {a.flows.iter().map(|&r| view! {
                    <button
                        type="button"
                        class="ns-link ns-alert-flows__row"
                        data-row=r
                        on:click=move |_| {
                            state.selected_row.set(Some(r as u32));
                            state.page.set(Page::Anomalies);
                        }
                    >{r + 1}</button>
                }).collect_view()}
            </div>
            {move || cells.get().map(|p| view! {
                <div class="ns-table-wrap">
                    <table id="ns-alert-cells" class="ns-table ns-table--compact">
                        <thead>
                            <tr>
                                <th scope="col" class="ns-num">"row"</th>
                                {p.header.iter().take(FLOW_COLUMNS).map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {p.rows.iter().map(|(r, cells)| view! {
                                <tr data-row=*r>
                                    <td class="ns-num">{*r as usize + 1}</td>
                                    {cells.iter().take(FLOW_COLUMNS).map(|c| view! { <td>{format::cell(c)}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
