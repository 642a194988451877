//! The Network page: behaviour-rule alerts with enrichment and written analyses, traffic charts,
//! host tables and conversations, computed in the worker ([`Network`]) whenever the
//! data set, the run or the rule thresholds change.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::netviews::NetworkViews;
use crate::ui::components::network::{
    AlertsPanel, Conversations, EnrichedAnomalies, NetChartView, RulesForm, SuspiciousIps,
    TopTalkers,
};
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::state::{use_app_state, NetworkKey, NetworkSnapshot};
use crate::viz::network::NetChart;
use crate::worker::protocol::Network;

/// Network views and behaviour-rule alerts.
#[component]
pub fn NetworkPage() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let computing = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    // -- effects: ask the worker when what the views depend on changes --
    Effect::new(move |_| {
        let dataset = state
            .dataset
            .with(|d| d.as_ref().map(|d| (d.name.clone(), d.n_rows)));
        let result = state
            .result
            .with(|r| r.as_ref().map(|r| Arc::as_ptr(r) as usize));
        let rules = state.rules_config.get();
        // The settled threshold (the slider still for ~100 ms): each change reruns the views.
        let threshold = state.threshold_settled.get();
        if dataset.is_none() {
            state.network.set(None);
            return;
        }
        // While a job runs (loading, training) the data or result is about to change.
        if state.job.with(Option::is_some) {
            return;
        }
        let key = NetworkKey {
            dataset,
            result,
            rules: rules.clone(),
            threshold,
        };
        if state
            .network
            .with_untracked(|n| n.as_ref().is_some_and(|n| n.key == key))
        {
            return;
        }
        computing.set(true);
        let answer = worker.request(Network { rules, threshold });
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            computing.try_set(false);
            match answer {
                Ok(v) => {
                    failure.try_set(None);
                    state.network.set(Some(NetworkSnapshot {
                        key,
                        views: Arc::from(v),
                    }));
                }
                Err(e) if e.is_silent() => {}
                Err(e) => {
                    failure.try_set(Some(e.to_string()));
                }
            }
        });
    });

    let views = move || state.network.with(|n| n.as_ref().map(|n| n.views.clone()));

    view! {
        <div class="ns-layout ns-net">
            <aside class="ns-layout__side">
                <section class="ns-panel" aria-labelledby="ns-rules-title">
                    <div class="ns-panel__head">
                        <h2 id="ns-rules-title" class="ns-panel__title">"Rule thresholds"</h2>
                    </div>
                    <RulesForm />
                </section>
            </aside>
            <div class="ns-layout__main">
                <Show
                    when=move || state.dataset.with(Option::is_some)
                    fallback=|| view! {
                        <section class="ns-panel">
                            <p id="ns-net-nodata" class="ns-empty">
                                "Load a capture (.pcap, .pcapng) or a flow export on the Analyze page to see rule alerts and network views."
                            </p>
                        </section>
                    }
                >
                    <section class="ns-panel" aria-labelledby="ns-alerts-title" aria-busy=move || computing.get().to_string()>
                        <div class="ns-panel__head">
                            <h2 id="ns-alerts-title" class="ns-panel__title">"Rule alerts"</h2>
                            <p
                                id="ns-net-status"
                                class="ns-muted ns-net-status"
                                role="status"
                                data-state=move || if computing.get() { "computing" } else if state.network.with(Option::is_some) { "ready" } else { "empty" }
                                data-anomalies=move || views().filter(|v| v.scored).map(|v| v.anomaly_count.to_string())
                                data-threshold=move || views().and_then(|v| v.threshold).map(|t| t.to_string())
                            >
                                {move || if computing.get() { "Running the rules…".to_string() } else { views().map(|v| status(&v)).unwrap_or_default() }}
                            </p>
                        </div>
                        <Show when=move || failure.with(Option::is_some)>
                            <p class="ns-field-error" role="alert">{move || failure.get()}</p>
                        </Show>
                        {move || views().map(|v| view! {
                            <Coverage views=v.clone() />
                            <AlertsPanel views=v />
                        })}
                    </section>
                    <section class="ns-panel" aria-labelledby="ns-traffic-title">
                        <div class="ns-panel__head">
                            <h2 id="ns-traffic-title" class="ns-panel__title">"Traffic"</h2>
                        </div>
                        <NetChartView which=NetChart::PerMinute id="ns-net-minutes" caption="Flows per minute · anomalies overlaid" empty="Needs a timestamp column." />
                        <div class="ns-net-grid">
                            <NetChartView which=NetChart::Talkers id="ns-net-talkers" caption="Top talkers · bytes per source" empty="Needs source and destination addresses and a timestamp." />
                            <NetChartView which=NetChart::Protocols id="ns-net-protocols" caption="Protocols · flows" empty="Needs a protocol column." />
                            <NetChartView which=NetChart::Ports id="ns-net-ports" caption="Destination ports · flows" empty="Needs a destination-port column." />
                            <NetChartView which=NetChart::PacketLengths id="ns-net-lengths" caption="Mean packet length per flow" empty="Needs byte (and packet) counts." />
                        </div>
                    </section>
                    {move || views().map(|v| view! {
                        <section class="ns-panel" aria-labelledby="ns-hosts-title">
                            <div class="ns-panel__head">
                                <h2 id="ns-hosts-title" class="ns-panel__title">"Hosts"</h2>
                            </div>
                            <div class="ns-net-grid">
                                <div>
                                    <h3 class="ns-panel__subtitle">"Top talkers"</h3>
                                    <TopTalkers views=v.clone() />
                                </div>
                                <div>
                                    <h3 class="ns-panel__subtitle">"Suspicious IPs " <span class="ns-muted">"(≥ 3 anomalous flows)"</span></h3>
                                    <SuspiciousIps views=v.clone() />
                                </div>
                            </div>
                        </section>
                        <section class="ns-panel" aria-labelledby="ns-conv-title">
                            <div class="ns-panel__head">
                                <h2 id="ns-conv-title" class="ns-panel__title">"Conversations"</h2>
                            </div>
                            <Conversations views=v.clone() />
                        </section>
                        <section class="ns-panel" aria-labelledby="ns-enriched-title">
                            <div class="ns-panel__head">
                                <h2 id="ns-enriched-title" class="ns-panel__title">"Anomalies, enriched"</h2>
                            </div>
                            <EnrichedAnomalies views=v />
                        </section>
                    })}
                </Show>
            </div>
        </div>
    }
}

fn status(v: &NetworkViews) -> String {
    let mut s = format!(
        "{} alert(s) over {} flows",
        format::count(v.alerts.len()),
        format::count(v.records)
    );
    if v.skipped_rows > 0 {
        s.push_str(&format!(
            " · {} row(s) without address or time skipped",
            format::count(v.skipped_rows)
        ));
    }
    if v.scored {
        s.push_str(&format!(
            " · {} anomalous flow(s) {}",
            format::count(v.anomaly_count),
            match v.threshold {
                Some(t) => format!("at score ≥ {t:.2}"),
                None => "by the models' vote".to_owned(),
            }
        ));
    }
    if !v.scored {
        s.push_str(" · not trained yet: anomaly counts appear after training");
    }
    s
}

/// Which views and rules the data cannot feed, and why.
#[component]
fn Coverage(
    /// The views.
    views: Arc<NetworkViews>,
) -> impl IntoView {
    if views.missing.is_empty() && views.unsupported_rules.is_empty() {
        return ().into_any();
    }
    view! {
        <div id="ns-net-coverage" class="ns-warnings" role="note">
            <p><strong>"Some views need data this set does not have:"</strong></p>
            <ul>
                {views.missing.iter().map(|m| view! {
                    <li><strong>{m.view.clone()}</strong>": "{m.reason.clone()}</li>
                }).collect_view()}
                {views.unsupported_rules.iter().map(|r| view! {
                    <li><strong>{format!("{} rule", r.rule.title())}</strong>": "{r.reason.clone()}</li>
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}
