//! Enrichment (type, tags, combined severity, advice) and the offline written analyses, for
//! rule alerts and anomalies alike.

use leptos::prelude::*;

use crate::analysis::narrative::Analysis;
use crate::engine::enrich::Enriched;
use crate::ui::components::network::threat_class;
use crate::ui::format;
use crate::ui::state::{use_app_state, Page};

/// How the combined severity is scored (shown as help text beside every enrichment).
pub const SEVERITY_HELP: &str = "Combined severity: points for votes beyond the minimum (0–2), \
the ensemble score's margin past its threshold (≥ 0.5 → 1, ≥ 0.9 → 2), a hard indicator \
(suspicious port, exfiltration, excessive SYNs, unknown protocol, protocol/port mismatch → 1) and \
any rule alert on the flow (1). 0 points → low, 1–2 → medium, 3–4 → high, 5 or more → critical; \
never below the strongest rule alert's own severity.";

/// Type, tags, severity and advice of one finding.
#[component]
pub fn EnrichmentView(
    /// The finding.
    enriched: Enriched,
) -> impl IntoView {
    let e = enriched;
    let types = e
        .types
        .iter()
        .map(|t| t.title())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <dl class="ns-net-facts">
            <dt>"Type"</dt>
            <dd data-field="type">{e.anomaly_type.title()}</dd>
            <dt>"All types"</dt>
            <dd>{types}</dd>
            <dt>"Tags"</dt>
            <dd class="ns-net-tags">
                {e.tags.iter().map(|t| view! { <span class="ns-net-tag">{t.clone()}</span> }).collect_view()}
            </dd>
            <dt>
                <abbr title=SEVERITY_HELP>"Combined severity"</abbr>
            </dt>
            <dd data-field="severity">
                <span class=threat_class(e.severity)>{e.severity.id()}</span>
                <span class="ns-muted">{format!(" · {} point(s)", e.severity_points)}</span>
            </dd>
        </dl>
        <h4 class="ns-net-h4">"Mitigation advice"</h4>
        <ul class="ns-net-advice">
            {e.advice.iter().map(|a| view! {
                <li>
                    <strong>{a.description.clone()}</strong>
                    <ol>{a.actions.iter().map(|x| view! { <li>{x.clone()}</li> }).collect_view()}</ol>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Written analyses, one tab per persona.
#[component]
pub fn AnalysisView(
    /// Analyses; the first is shown first.
    analyses: Vec<Analysis>,
    /// Element id prefix.
    id: String,
) -> impl IntoView {
    let chosen = RwSignal::new(0usize);
    let analyses = StoredValue::new(analyses);
    let n = analyses.with_value(Vec::len);
    view! {
        <div class="ns-net-analysis">
            <p class="ns-net-badge">"Generated from rules, no AI service"</p>
            <Show when=move || { n > 1 }>
                <div class="ns-net-personas" role="group" aria-label="Analysis style">
                    {(0..n).map(|i| {
                        let title = analyses.with_value(|a| a[i].persona.title());
                        view! {
                            <button
                                type="button"
                                class="ns-button ns-button--ghost ns-net-persona"
                                aria-pressed=move || (chosen.get() == i).to_string()
                                on:click=move |_| chosen.set(i)
                            >{title}</button>
                        }
                    }).collect_view()}
                </div>
            </Show>
            <pre id=id class="ns-net-text">
                {move || analyses.with_value(|a| a.get(chosen.get()).map(|x| x.text.clone()).unwrap_or_default())}
            </pre>
        </div>
    }
}

/// The run's anomalies with their enrichment and analysis (highest score first).
#[component]
pub fn EnrichedAnomalies(
    /// The views.
    views: std::sync::Arc<crate::analysis::netviews::NetworkViews>,
) -> impl IntoView {
    let state = use_app_state();
    if !views.scored {
        return view! { <p class="ns-empty">"Train on the Analyze page to enrich the anomalies."</p> }
            .into_any();
    }
    if views.anomalies.is_empty() {
        return view! { <p class="ns-empty">"The run flagged no anomalies."</p> }.into_any();
    }
    let shown = views.anomalies.len();
    let total = views.anomaly_count;
    view! {
        <p class="ns-hint">
            {format!("{} of {} anomalies, highest ensemble score first.", format::count(shown), format::count(total))}
        </p>
        <div class="ns-table-wrap ns-table-wrap--tall">
            <table id="ns-net-anomalies" class="ns-table ns-table--compact">
                <thead>
                    <tr>
                        <th scope="col" class="ns-num">"row"</th>
                        <th scope="col">"type"</th>
                        <th scope="col">"severity"</th>
                        <th scope="col">"tags"</th>
                        <th scope="col">"advice and analysis"</th>
                    </tr>
                </thead>
                <tbody>
                    {views.anomalies.iter().map(|a| {
                        let e = a.enriched.clone();
                        let row = e.row.unwrap_or(0);
                        let analysis = a.analysis.clone();
                        let first_advice = e.advice.first().map(|x| x.description.clone()).unwrap_or_default();
                        view! {
                            <tr data-row=row>
                                <td class="ns-num">
                                    <button
                                        type="button"
                                        class="ns-link"
                                        title="Open this row on the Anomalies page"
                                        on:click=move |_| {
                                            state.selected_row.set(Some(row as u32));
                                            state.page.set(Page::Anomalies);
                                        }
                                    >{row + 1}</button>
                                </td>
                                <td>{e.anomaly_type.title()}</td>
                                <td><span class=threat_class(e.severity)>{e.severity.id()}</span></td>
                                <td class="ns-net-tags">{e.tags.join(" · ")}</td>
                                <td>
                                    <details class="ns-details">
                                        <summary>{first_advice}</summary>
                                        <div class="ns-details__body">
                                            <EnrichmentView enriched=e.clone() />
                                            <AnalysisView analyses=vec![analysis] id=format!("ns-net-anomaly-text-{row}") />
                                        </div>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
