//! The analyst's threshold on the ensemble score: a histogram of the score with a draggable
//! threshold line, a keyboard-usable range input bound to the same signal, and "Reset to vote
//! decision". Moving either relabels rows everywhere at once (cards, table, export); the heavy
//! charts follow [`AppState::threshold_settled`](crate::ui::state::AppState::threshold_settled).
//!
//! The line is a DOM handle over the plot, not a plotly shape: it follows the pointer at once with
//! no chart redraw, and its position comes from the chart's fixed x range and margins
//! ([`score_histogram::MARGIN`]).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::summary::vote_equivalent;
use crate::ui::chart;
use crate::ui::state::use_app_state;
use crate::viz::score_histogram::{self, MARGIN};

/// Slider resolution.
const STEP: f64 = 0.001;

/// Rounds a threshold to the slider's resolution (thousandths).
fn snap(t: f64) -> f64 {
    (t.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}

/// The score histogram, the threshold handle, slider and reset button.
#[component]
pub fn ScoreThreshold() -> impl IntoView {
    let state = use_app_state();
    let root = NodeRef::<leptos::html::Div>::new();
    let area = NodeRef::<leptos::html::Div>::new();
    let drawn = RwSignal::new(false);
    let vote_t = Memo::new(move |_| {
        state
            .result
            .with(|r| r.as_deref().and_then(vote_equivalent))
    });
    // Where the line and the slider stand: the threshold, or the vote decision's equivalent.
    let position = Memo::new(move |_| state.threshold.get().or_else(|| vote_t.get()));
    let has_result = move || state.result.with(Option::is_some);

    // The histogram follows the settled threshold (bins are recoloured, ~50 bars: cheap).
    Effect::new(move |_| {
        let result = state.result.get();
        let threshold = state.threshold_settled.get();
        let palette = state.theme.get().palette();
        let Some(el) = root.get() else { return };
        let el: web_sys::HtmlElement = el.into();
        match result {
            None => {
                chart::purge(&el);
                drawn.set(false);
            }
            Some(r) => {
                let plot = score_histogram::score_histogram(&r, threshold, &palette);
                spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    match chart::render(&el, &plot).await {
                        Ok(()) => drawn.set(true),
                        Err(e) => state.fail_then(
                            "The score histogram could not be drawn",
                            crate::ui::error::AppError::Browser(e),
                            "the slider below still sets the threshold; reload the page to retry the chart.",
                        ),
                    }
                });
            }
        }
    });

    // Dragging: the pointer's horizontal travel over the plot width moves the threshold.
    let drag = StoredValue::new(None::<(f64, f64, f64)>); // (start x, start threshold, plot px)
    let on_down = move |ev: leptos::ev::PointerEvent| {
        let Some(el) = area.get_untracked() else {
            return;
        };
        let width = f64::from(el.offset_width()) - (MARGIN.0 + MARGIN.1) as f64;
        let Some(start) = position.get_untracked() else {
            return;
        };
        if width <= 0.0 {
            return;
        }
        ev.prevent_default();
        if let Some(target) = ev
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drag.set_value(Some((f64::from(ev.client_x()), start, width)));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if let Some((x0, t0, width)) = drag.get_value() {
            let t = snap(t0 + (f64::from(ev.client_x()) - x0) / width);
            if state.threshold.get_untracked() != Some(t) {
                state.threshold.set(Some(t));
            }
        }
    };
    let on_up = move |_: leptos::ev::PointerEvent| drag.set_value(None);

    let flagged_text = move || {
        let t = state.threshold.get();
        match (t, vote_t.get(), state.result.with(Option::is_some)) {
            (_, _, false) => "Train to set a threshold.".to_owned(),
            (Some(t), _, true) => format!("Rows scoring ≥ {t:.3} are flagged."),
            (None, Some(v), true) => format!(
                "Vote decision (lowest flagged score {v:.3}). Drag the line or use the slider to set your own threshold."
            ),
            (None, None, true) => "Vote decision (nothing flagged).".to_owned(),
        }
    };

    view! {
        <figure class="ns-chart ns-threshold">
            <figcaption class="ns-chart__caption">
                "Ensemble score distribution · "
                <span class="ns-threshold__key ns-threshold__key--normal">"normal"</span>
                " / "
                <span class="ns-threshold__key ns-threshold__key--flagged">"flagged"</span>
                " at the threshold"
            </figcaption>
            <div class="ns-threshold__area" node_ref=area>
                <div
                    id="ns-score-hist"
                    class="ns-chart__plot ns-chart__plot--short"
                    node_ref=root
                    data-state=move || if drawn.get() { "drawn" } else { "empty" }
                ></div>
                <div
                    id="ns-threshold-handle"
                    class="ns-threshold__handle"
                    class:ns-threshold__handle--custom=move || state.threshold.with(Option::is_some)
                    hidden=move || position.get().is_none()
                    style=move || format!("--ns-t: {}", position.get().unwrap_or(0.0))
                    title="Drag to move the threshold"
                    aria-hidden="true"
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=on_up
                >
                    <span class="ns-threshold__label">
                        {move || position.get().map(|t| format!("{t:.3}")).unwrap_or_default()}
                    </span>
                </div>
                <Show when=move || !has_result()>
                    <p class="ns-chart__empty">"Train to see the score distribution."</p>
                </Show>
            </div>
            <div class="ns-threshold__controls">
                <label for="ns-threshold" class="ns-threshold__name">"Threshold"</label>
                <input
                    id="ns-threshold"
                    class="ns-threshold__range"
                    type="range"
                    min="0"
                    max="1"
                    step=STEP.to_string()
                    disabled=move || !has_result()
                    prop:value=move || format!("{:.3}", position.get().unwrap_or(0.5))
                    aria-valuetext=move || position.get().map(|t| format!("{t:.3}")).unwrap_or_default()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            state.threshold.set(Some(snap(v)));
                        }
                    }
                />
                <output for="ns-threshold" class="ns-threshold__value ns-mono">
                    {move || position.get().map(|t| format!("{t:.3}")).unwrap_or_else(|| "–".into())}
                </output>
                <button
                    id="ns-threshold-reset"
                    class="ns-button ns-button--ghost"
                    type="button"
                    disabled=move || state.threshold.with(Option::is_none)
                    on:click=move |_| state.threshold.set(None)
                >
                    "Reset to vote decision"
                </button>
            </div>
            <p id="ns-threshold-note" class="ns-threshold__note">{flagged_text}</p>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snap_rounds_to_the_step_and_clamps() {
        assert_eq!(snap(0.12345), 0.123);
        assert_eq!(snap(-3.0), 0.0);
        assert_eq!(snap(7.0), 1.0);
    }
}
