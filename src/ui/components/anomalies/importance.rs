//! Global feature importance: permutation importance on the ensemble score over a seeded sample,
//! computed as a worker job with progress, drawn as a bar chart with the top features listed.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::explain::{format::format_percent, ImportanceParams};
use crate::ui::chart;
use crate::ui::components::anomalies::use_anomalies;
use crate::ui::error::AppError;
use crate::ui::hooks::use_worker::use_worker;
use crate::ui::state::{use_app_state, JobKind};
use crate::worker::protocol::Importance;

/// The importance panel.
#[component]
pub fn ImportancePanel() -> impl IntoView {
    let state = use_app_state();
    let ctx = use_anomalies();
    let worker = use_worker();
    let root = NodeRef::<leptos::html::Div>::new();
    let drawn = RwSignal::new(false);
    // A new result makes the old importance stale.
    Effect::new(move |prev: Option<()>| {
        state.result.track();
        if prev.is_some() {
            ctx.importance.set(None);
        }
    });
    Effect::new(move |_| {
        let imp = ctx.importance.get();
        let palette = state.theme.get().palette();
        let Some(el) = root.get() else { return };
        let el: web_sys::HtmlElement = el.into();
        match imp {
            None => {
                chart::purge(&el);
                drawn.set(false);
            }
            Some(imp) => {
                let plot = crate::viz::importance_bars(&imp, &palette);
                spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    match chart::render(&el, &plot).await {
                        Ok(()) => drawn.set(true),
                        Err(e) => state.fail_then(
                            "The importance chart could not be drawn",
                            AppError::Browser(e),
                            "the list beside it still shows the top features.",
                        ),
                    }
                });
            }
        }
    });
    let compute = move |_| {
        let params = ImportanceParams {
            seed: state.config.with_untracked(|c| c.seed),
            ..ImportanceParams::default()
        };
        let answer = worker.run(
            JobKind::Task("Computing feature importance"),
            Importance(params),
            &[],
        );
        spawn_local(async move {
            match answer.await {
                Ok(imp) => ctx.importance.set(Some(imp)),
                Err(e) => state.fail("Feature importance failed", e),
            }
        });
    };
    view! {
        <section class="ns-panel ns-anom__importance" aria-labelledby="ns-importance-title">
            <div class="ns-panel__head">
                <h2 id="ns-importance-title" class="ns-panel__title">"Which features matter overall"</h2>
                <div class="ns-panel__actions">
                    <button id="ns-importance-run" class="ns-button" type="button"
                        disabled=move || state.result.with(Option::is_none) || state.busy()
                        on:click=compute>"Compute importance"</button>
                </div>
            </div>
            <p class="ns-hint">{format!(
                "Each feature is shuffled among {} sampled rows (seeded) and the mean change of the ensemble score is measured; bigger change, more important.",
                crate::engine::explain::DEFAULT_IMPORTANCE_ROWS
            )}</p>
            <div class="ns-anom__imp-grid">
                <div id="ns-importance-chart" class="ns-chart__plot ns-anom__imp-plot" node_ref=root
                    data-state=move || if drawn.get() { "drawn" } else { "empty" }></div>
                <ol id="ns-importance-top" class="ns-anom__imp-top">
                    {move || ctx.importance.with(|imp| imp.as_ref().map(|imp| imp.features.iter().take(5).map(|f| view! {
                        <li data-feature=f.feature.clone()><span class="ns-mono">{f.feature.clone()}</span>" "<span class="ns-muted">{format_percent(f.importance)}</span></li>
                    }).collect_view()))}
                </ol>
            </div>
        </section>
    }
}
