//! The live charts, redrawn from the bounded windows at most twice a second.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ui::chart;
use crate::ui::state::use_app_state;

/// Minimum milliseconds between two redraws of one chart.
const REDRAW_MS: f64 = 500.0;

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Flows/s and anomalies/s over the last five minutes of stream time, and the rolling score chart.
#[component]
pub fn LiveCharts() -> impl IntoView {
    let state = use_app_state();
    let rate_root = NodeRef::<leptos::html::Div>::new();
    let score_root = NodeRef::<leptos::html::Div>::new();
    let last_draw = StoredValue::new(f64::NEG_INFINITY);
    let drawing = StoredValue::new(false);
    let drawn = RwSignal::new(0u64);
    Effect::new(move |_| {
        let batches = state.live.with(|v| v.batches);
        let palette = state.theme.get().palette();
        let (Some(rate_el), Some(score_el)) = (rate_root.get(), score_root.get()) else {
            return;
        };
        let now = now_ms();
        if batches == 0 || drawing.get_value() || now - last_draw.get_value() < REDRAW_MS {
            return;
        }
        last_draw.set_value(now);
        let (rate, score) = state.live.with_untracked(|v| {
            let start = v.started.as_ref().map_or(0.0, |s| s.start);
            (
                crate::viz::live::rate_chart(v.seconds.iter(), start, &palette),
                crate::viz::live::score_chart(v.scores.iter(), start, &palette),
            )
        });
        let rate_el: web_sys::HtmlElement = rate_el.into();
        let score_el: web_sys::HtmlElement = score_el.into();
        drawing.set_value(true);
        spawn_local(async move {
            let a = chart::render(&rate_el, &rate).await;
            let b = chart::render(&score_el, &score).await;
            drawing.set_value(false);
            if let Err(e) = a.and(b) {
                state.fail_then(
                    "A live chart could not be drawn",
                    crate::ui::error::AppError::Browser(e),
                    "the counters and the feed keep updating.",
                );
            } else {
                drawn.update(|d| *d += 1);
            }
        });
    });
    view! {
        <div class="ns-live-charts">
            <figure class="ns-chart">
                <figcaption class="ns-chart__caption">"Flows and anomalies per second · last 5 min of stream time"</figcaption>
                <div id="ns-live-rate-chart" class="ns-chart__plot ns-live-chart" node_ref=rate_root
                    data-draws=move || drawn.get().to_string()></div>
            </figure>
            <figure class="ns-chart">
                <figcaption class="ns-chart__caption">"Ensemble score of sampled flows · anomalies in red"</figcaption>
                <div id="ns-live-score-chart" class="ns-chart__plot ns-live-chart" node_ref=score_root></div>
            </figure>
        </div>
    }
}
