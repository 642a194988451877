//! Host tables: top talkers, suspicious IPs and conversations.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::netviews::{NetworkViews, Talker, SUSPICIOUS_MIN_ANOMALIES};
use crate::engine::text;
use crate::ui::components::network::utc;
use crate::ui::format;

/// Bytes with two decimals for MB and GB, as the host tables show them.
fn bytes(n: u64) -> String {
    text::bytes(n as f64, 2)
}

fn talker_rows(t: &[Talker], scored: bool) -> impl IntoView {
    t.iter()
        .map(|t| {
            view! {
                <tr data-ip=t.ip.clone()>
                    <td class="ns-mono">{t.ip.clone()}</td>
                    <td class="ns-num" data-field="flows">{format::count(t.flows)}</td>
                    <td class="ns-num" data-field="bytes" title=format!("{} bytes", t.bytes)>{bytes(t.bytes)}</td>
                    <td class="ns-num">{format::count(t.packets as usize)}</td>
                    <td class="ns-num">{format::count(t.destinations)}</td>
                    <td class="ns-num" data-field="anomalies">{if scored { format::count(t.anomalies) } else { "–".into() }}</td>
                </tr>
            }
        })
        .collect_view()
}

fn talker_head() -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th scope="col">"source"</th>
                <th scope="col" class="ns-num">"flows"</th>
                <th scope="col" class="ns-num">"bytes"</th>
                <th scope="col" class="ns-num">"packets"</th>
                <th scope="col" class="ns-num">"destinations"</th>
                <th scope="col" class="ns-num">"anomalies"</th>
            </tr>
        </thead>
    }
}

/// Sources by bytes.
#[component]
pub fn TopTalkers(
    /// The views.
    views: Arc<NetworkViews>,
) -> impl IntoView {
    view! {
        <div class="ns-table-wrap">
            <table id="ns-talkers" class="ns-table ns-table--compact">
                {talker_head()}
                <tbody>{talker_rows(&views.top_talkers, views.scored)}</tbody>
            </table>
        </div>
    }
}

/// Sources with at least three anomalous flows.
#[component]
pub fn SuspiciousIps(
    /// The views.
    views: Arc<NetworkViews>,
) -> impl IntoView {
    if !views.scored {
        return view! { <p class="ns-empty">"Train on the Analyze page: suspicious IPs are sources with at least 3 anomalous flows."</p> }.into_any();
    }
    if views.suspicious_ips.is_empty() {
        return view! {
            <p id="ns-suspicious-empty" class="ns-empty">
                {format!("No source has {SUSPICIOUS_MIN_ANOMALIES} or more anomalous flows.")}
            </p>
        }
        .into_any();
    }
    view! {
        <div class="ns-table-wrap">
            <table id="ns-suspicious" class="ns-table ns-table--compact">
                {talker_head()}
                <tbody>{talker_rows(&views.suspicious_ips, true)}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Directed host pairs by bytes.
#[component]
pub fn Conversations(
    /// The views.
    views: Arc<NetworkViews>,
) -> impl IntoView {
    let shown = views.conversations.len();
    let total = views.conversation_count;
    view! {
        <p class="ns-hint">
            <span id="ns-conversation-count" data-count=total>{format::count(total)}</span>
            " conversations (initiator → responder)"
            {(shown < total).then(|| format!("; the {shown} largest by bytes are listed"))}
            "."
        </p>
        <div class="ns-table-wrap ns-table-wrap--tall">
            <table id="ns-conversations" class="ns-table ns-table--compact">
                <thead>
                    <tr>
                        <th scope="col">"source"</th>
                        <th scope="col">"destination"</th>
                        <th scope="col" class="ns-num">"flows"</th>
                        <th scope="col" class="ns-num">"bytes"</th>
                        <th scope="col" class="ns-num">"packets"</th>
                        <th scope="col">"first seen (UTC)"</th>
                        <th scope="col">"last seen (UTC)"</th>
                        <th scope="col" class="ns-num">"anomalies"</th>
                    </tr>
                </thead>
                <tbody>
                    {views.conversations.iter().map(|c| view! {
                        <tr>
                            <td class="ns-mono">{c.src.clone()}</td>
                            <td class="ns-mono">{c.dst.clone()}</td>
                            <td class="ns-num" data-field="flows">{format::count(c.flows)}</td>
                            <td class="ns-num" data-field="bytes" data-value=c.bytes title=format!("{} bytes", c.bytes)>{bytes(c.bytes)}</td>
                            <td class="ns-num" data-field="packets">{format::count(c.packets as usize)}</td>
                            <td class="ns-mono">{utc(c.first_seen)}</td>
                            <td class="ns-mono">{utc(c.last_seen)}</td>
                            <td class="ns-num">{if views.scored { format::count(c.anomalies) } else { "–".into() }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
