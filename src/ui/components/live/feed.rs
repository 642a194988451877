//! The alerts feed (newest first, bounded), the high-severity toast, the recent anomalies and
//! the live counters.

use leptos::prelude::*;

use crate::engine::live::{AlertOrigin, LiveAlert, ModelStatus};
use crate::engine::time::iso8601;
use crate::ui::components::live::LiveRun;
use crate::ui::state::use_app_state;

fn clock(epoch: f64) -> String {
    // HH:MM:SS of the ISO form.
    iso8601(epoch).get(11..19).unwrap_or_default().to_owned()
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// Stream time, counters, model state and the worker's memory.
#[component]
pub fn LiveStats() -> impl IntoView {
    let state = use_app_state();
    let v = state.live;
    let card = |name: &'static str, label: &'static str, value: Signal<String>| {
        view! {
            <div class="ns-card">
                <span class="ns-card__value" data-stat=name>{value}</span>
                <span class="ns-card__label">{label}</span>
            </div>
        }
    };
    let model = move || {
        v.with(|v| match &v.model {
            None => "–".to_owned(),
            Some(ModelStatus::Scoring) => "scoring".into(),
            Some(ModelStatus::RulesOnly) => "rules only".into(),
            Some(ModelStatus::WarmingUp { have, need }) => format!("warm-up {have}/{need}"),
        })
    };
    view! {
        <div class="ns-live-status" data-run=move || state.live_run.get().id()>
            <span class="ns-live-status__dot" aria-hidden="true"></span>
            <span class="ns-live-status__run">{move || match state.live_run.get() {
                LiveRun::Idle => "Stopped",
                LiveRun::Starting => "Starting…",
                LiveRun::Running => "Live",
                LiveRun::Paused => "Paused",
                LiveRun::Ended => "Replay finished",
            }}</span>
            <span>"Stream time "<time id="ns-live-time" data-epoch=move || v.with(|v| v.stream_time.to_string())>
                {move || v.with(|v| if v.started.is_some() { iso8601(v.stream_time).replace('T', " ").replace(".000Z", " UTC") } else { "–".into() })}
            </time></span>
            <span>{move || v.with(|v| format!("+{:.0} s", v.stream_elapsed))}</span>
            <span class="ns-live-status__model" data-model=model>"Model: "{model}</span>
            <Show when=move || v.with(|v| v.capped)>
                <span class="ns-live-status__warn">"Too many flows per tick at this speed: the stream runs slower than asked."</span>
            </Show>
        </div>
        <div class="ns-cards ns-live-cards">
            {card("live-flows", "flows", Signal::derive(move || v.with(|v| thousands(v.flows))))}
            {card("live-rate", "flows/s (last second)", Signal::derive(move || v.with(|v| thousands(u64::from(v.last_rate())))))}
            {card("live-anomalies", "model anomalies", Signal::derive(move || v.with(|v| thousands(v.anomalies))))}
            {card("live-alerts", "feed entries", Signal::derive(move || v.with(|v| thousands(v.alerts))))}
            {card("live-high", "high / critical", Signal::derive(move || v.with(|v| thousands(v.high_alerts))))}
            {card("live-memory", "engine memory (MB)", Signal::derive(move || v.with(|v| format!("{:.1}", v.wasm_memory_bytes as f64 / 1_048_576.0))))}
        </div>
    }
}

fn entry(a: LiveAlert) -> impl IntoView {
    let sev = a.severity.id();
    let origin = match a.origin {
        AlertOrigin::Rule => "rule",
        AlertOrigin::Model => "model",
    };
    let who = match (&a.source, &a.target) {
        (Some(s), Some(t)) => format!("{s} → {t}"),
        (Some(s), None) => s.clone(),
        (None, Some(t)) => format!("→ {t}"),
        (None, None) => String::new(),
    };
    view! {
        <li class=format!("ns-live-feed__item ns-live-feed__item--{sev}") data-kind=a.kind.clone() data-severity=sev data-origin=origin
            data-source=a.source.clone() data-target=a.target.clone()>
            <span class="ns-live-feed__time">{clock(a.start)}</span>
            <span class=format!("ns-sev ns-sev--{sev}")>{a.severity.title()}</span>
            <span class="ns-live-feed__title">{a.title.clone()}</span>
            <span class="ns-live-feed__origin">{origin}</span>
            <span class="ns-live-feed__who">{who}</span>
            <span class="ns-live-feed__desc">{a.description.clone()}</span>
        </li>
    }
}

/// The alerts feed, newest first (at most 100 entries).
#[component]
pub fn AlertsFeed() -> impl IntoView {
    let state = use_app_state();
    view! {
        <section class="ns-panel ns-live-feed" aria-labelledby="ns-live-feed-title">
            <h2 id="ns-live-feed-title" class="ns-panel__title">"Alerts feed"</h2>
            <ol id="ns-live-feed" class="ns-live-feed__list" aria-live="polite" aria-relevant="additions">
                <For
                    each=move || state.live.with(|v| v.feed.iter().cloned().collect::<Vec<_>>())
                    key=|a| a.id
                    children=entry
                />
            </ol>
            <Show when=move || state.live.with(|v| v.feed.is_empty())>
                <p class="ns-live-feed__empty">"Rule alerts and groups of model anomalies appear here as they arrive."</p>
            </Show>
        </section>
    }
}

/// The last anomalies the ensemble flagged.
#[component]
pub fn RecentAnomalies() -> impl IntoView {
    let state = use_app_state();
    view! {
        <section class="ns-panel ns-live-recent" aria-labelledby="ns-live-recent-title">
            <h2 id="ns-live-recent-title" class="ns-panel__title">"Recent anomalies"</h2>
            <table id="ns-live-recent" class="ns-table">
                <thead><tr>
                    <th scope="col">"time"</th><th scope="col">"flow"</th><th scope="col">"type"</th>
                    <th scope="col">"score"</th><th scope="col">"votes"</th><th scope="col">"severity"</th>
                </tr></thead>
                <tbody>
                    {move || state.live.with(|v| v.recent.iter().map(|a| {
                        let sev = a.severity.id();
                        view! { <tr>
                            <td>{clock(a.t)}</td>
                            <td class="ns-mono">{format!("{} → {}{}", a.src, a.dst, a.dst_port.map(|p| format!(":{p}")).unwrap_or_default())}</td>
                            <td>{a.kind.clone()}</td>
                            <td class="ns-num">{format!("{:.3}", a.score)}</td>
                            <td class="ns-num">{format!("{}/{}", a.votes, a.n_models)}</td>
                            <td><span class=format!("ns-sev ns-sev--{sev}")>{a.severity.title()}</span></td>
                        </tr> }
                    }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}

/// A toast for the newest high or critical entry; announced assertively to screen readers.
#[component]
pub fn HighSeverityToast() -> impl IntoView {
    let state = use_app_state();
    let dismiss = move |_| state.live.update(|v| v.toast = None);
    view! {
        <div class="ns-live-toast-region" role="alert" aria-live="assertive" aria-atomic="true">
            {move || state.live.with(|v| v.toast.clone()).map(|a| {
                let sev = a.severity.id();
                view! {
                    <div id="ns-live-toast" class=format!("ns-live-toast ns-live-toast--{sev}") data-kind=a.kind.clone() data-severity=sev>
                        <strong>{format!("{} · {}", a.severity.title(), a.title)}</strong>
                        <span>{a.description.clone()}</span>
                        <button class="ns-button ns-button--ghost" on:click=dismiss aria-label="Dismiss the alert notice">"Dismiss"</button>
                    </div>
                }
            })}
        </div>
    }
}
