//! One network chart, drawn by plotly.js in an effect from the page's views.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ui::chart;
use crate::ui::error::AppError;
use crate::ui::state::use_app_state;
use crate::viz::network::{network_chart, NetChart};

/// A titled network chart; says why when the data cannot feed it.
#[component]
pub fn NetChartView(
    /// Which chart.
    which: NetChart,
    /// Element id of the plot.
    id: &'static str,
    /// Caption.
    caption: &'static str,
    /// What to say when the data has nothing for this chart.
    empty: &'static str,
) -> impl IntoView {
    let state = use_app_state();
    let root = NodeRef::<leptos::html::Div>::new();
    let drawn = RwSignal::new(false);
    let has_data = move || {
        state
            .network
            .with(|n| n.as_ref().is_some_and(|n| which.has_data(&n.views)))
    };
    Effect::new(move |_| {
        let views = state.network.with(|n| n.as_ref().map(|n| n.views.clone()));
        let palette = state.theme.get().palette();
        let Some(el) = root.get() else { return };
        let el: web_sys::HtmlElement = el.into();
        match views.filter(|v| which.has_data(v)) {
            None => {
                chart::purge(&el);
                drawn.set(false);
            }
            Some(v) => {
                let plot = network_chart(which, &v, &palette);
                spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    match chart::render(&el, &plot).await {
                        Ok(()) => drawn.set(true),
                        Err(e) => state.fail_then(
                            format!("The chart “{caption}” could not be drawn"),
                            AppError::Browser(e),
                            "the tables below still hold the numbers; reload the page to retry.",
                        ),
                    }
                });
            }
        }
    });
    view! {
        <figure class="ns-chart ns-net-chart">
            <figcaption class="ns-chart__caption">{caption}</figcaption>
            <div
                id=id
                class="ns-chart__plot ns-net-chart__plot"
                node_ref=root
                data-state=move || if drawn.get() { "drawn" } else { "empty" }
            ></div>
            <Show when=move || !has_data()>
                <p class="ns-chart__empty">{empty}</p>
            </Show>
        </figure>
    }
}
