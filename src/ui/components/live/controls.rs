//! Live controls: source and simulator settings, start / pause / resume / stop, speed; and the
//! tick driver that advances the worker's session about four times a second while running.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::live::{LiveSource, SimParams};
use crate::ui::components::live::{LiveRun, LiveView};
use crate::ui::error::AppError;
use crate::ui::hooks::use_worker;
use crate::ui::state::{use_app_state, AppState};
use crate::worker::protocol::{LiveStart, LiveStop, LiveTick};

/// Milliseconds between two ticks.
pub const TICK_MS: u64 = 250;

/// Rates offered, flows per stream second (one per 2 s … 1,000/s).
const RATES: [f64; 7] = [0.5, 1.0, 10.0, 50.0, 200.0, 500.0, 1000.0];
/// Speeds offered (stream seconds per second).
const SPEEDS: [f64; 6] = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0];

/// Live-session settings held by the controls.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSettings {
    /// Replay the current data set instead of simulating.
    pub replay: bool,
    /// Simulator params.
    pub sim: SimParams,
    /// Stream speed.
    pub speed: f64,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            replay: false,
            sim: SimParams::default(),
            speed: 1.0,
        }
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Stops the session on the page and says why (a cancel elsewhere that replaced the worker
/// says nothing; the next tick finds no session and says so).
fn fail(state: AppState, title: &str, error: AppError) {
    if error.is_silent() {
        return;
    }
    state.fail(title, error);
    state.live_run.set(LiveRun::Idle);
}

/// The controls and the tick driver.
#[component]
pub fn LiveControls(
    /// Settings (kept by the page across restarts).
    settings: RwSignal<LiveSettings>,
) -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    // Tick bookkeeping: wall time of the last tick, and whether one is in flight.
    let last_tick = StoredValue::new(0.0f64);
    let in_flight = StoredValue::new(false);

    let tick = move || {
        if state.live_run.get_untracked() != LiveRun::Running || in_flight.get_value() {
            return;
        }
        let now = now_ms();
        let elapsed = (now - last_tick.get_value()).clamp(0.0, 2000.0);
        last_tick.set_value(now);
        let speed = settings.with_untracked(|s| s.speed);
        in_flight.set_value(true);
        let answer = worker.request(LiveTick {
            elapsed_ms: elapsed,
            speed,
        });
        spawn_local(async move {
            let answer = answer.await;
            in_flight.try_set_value(false);
            match answer {
                Ok(b) => {
                    let ended = b.ended;
                    state.live.update(|v| v.apply(*b));
                    if ended {
                        state.live_run.set(LiveRun::Ended);
                    }
                }
                Err(e) => fail(state, "Live mode stopped", e),
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_millis(TICK_MS)) {
        on_cleanup(move || handle.clear());
    }

    let start = move |_| {
        let s = settings.get_untracked();
        let source = if s.replay {
            LiveSource::Replay
        } else {
            LiveSource::Simulator(s.sim)
        };
        state.live_run.set(LiveRun::Starting);
        let answer = worker.request(LiveStart {
            source,
            config: state.config.get_untracked(),
        });
        spawn_local(async move {
            match answer.await {
                Ok(started) => {
                    state.live.set(LiveView::started(started));
                    last_tick.try_set_value(now_ms());
                    state.live_run.set(LiveRun::Running);
                }
                Err(e) => {
                    state.live_run.set(LiveRun::Idle);
                    fail(state, "Live mode could not start", e);
                }
            }
        });
    };
    let pause = move |_| state.live_run.set(LiveRun::Paused);
    let resume = move |_| {
        last_tick.set_value(now_ms());
        state.live_run.set(LiveRun::Running);
    };
    let stop = move |_| {
        state.live_run.set(LiveRun::Idle);
        // Nothing to wait for: the page has already stopped showing the session.
        let _ = worker.request(LiveStop);
    };

    let run = move || state.live_run.get();
    let editable = move || matches!(run(), LiveRun::Idle | LiveRun::Ended);
    let replay_possible = move || state.dataset.with(Option::is_some);

    view! {
        <section class="ns-panel ns-live-controls" aria-label="Live stream controls" data-run=move || run().id()>
            <fieldset class="ns-live-controls__source" disabled=move || !editable()>
                <legend>"Source"</legend>
                <label>
                    <input type="radio" name="ns-live-source" id="ns-live-source-sim"
                        prop:checked=move || !settings.with(|s| s.replay)
                        on:change=move |_| settings.update(|s| s.replay = false) />
                    " Simulator"
                </label>
                <label title=move || if replay_possible() { "" } else { "Load a capture or flow CSV on the Analyze page first" }>
                    <input type="radio" name="ns-live-source" id="ns-live-source-replay"
                        disabled=move || !replay_possible()
                        prop:checked=move || settings.with(|s| s.replay)
                        on:change=move |_| settings.update(|s| s.replay = true) />
                    " Replay the loaded data"
                </label>
            </fieldset>
            <fieldset class="ns-live-controls__sim" disabled=move || !editable() || settings.with(|s| s.replay)>
                <legend>"Simulator"</legend>
                <label for="ns-live-seed">"Seed"</label>
                <input id="ns-live-seed" type="number" min="0" step="1"
                    prop:value=move || settings.with(|s| s.sim.seed.to_string())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() {
                            settings.update(|s| s.sim.seed = v);
                        }
                    } />
                <label for="ns-live-rate">"Rate"</label>
                <select id="ns-live-rate"
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            settings.update(|s| s.sim.rate = v);
                        }
                    }>
                    {RATES.iter().map(|&r| {
                        let label = if r < 1.0 { "1 every 2 s".to_string() } else { format!("{r:.0} flows/s") };
                        view! { <option value=r.to_string() selected=move || settings.with(|s| s.sim.rate == r)>{label}</option> }
                    }).collect_view()}
                </select>
                <label for="ns-live-anomaly">"Record anomalies %"</label>
                <input id="ns-live-anomaly" type="number" min="0" max="50" step="1"
                    prop:value=move || settings.with(|s| format!("{:.0}", s.sim.anomaly_ratio * 100.0))
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                            settings.update(|s| s.sim.anomaly_ratio = (v / 100.0).clamp(0.0, 0.5));
                        }
                    } />
                <label class="ns-live-controls__check">
                    <input id="ns-live-attacks" type="checkbox"
                        prop:checked=move || settings.with(|s| s.sim.attacks)
                        on:change=move |ev| { let on = event_target_checked(&ev); settings.update(|s| s.sim.attacks = on) } />
                    " Attack bursts"
                </label>
            </fieldset>
            <div class="ns-live-controls__run">
                <Show when=editable fallback=move || view! {
                    <Show when=move || run() == LiveRun::Running fallback=move || view! {
                        <button id="ns-live-resume" class="ns-button ns-button--primary" on:click=resume
                            disabled=move || run() != LiveRun::Paused>"Resume"</button>
                    }>
                        <button id="ns-live-pause" class="ns-button" on:click=pause>"Pause"</button>
                    </Show>
                    <button id="ns-live-stop" class="ns-button" on:click=stop>"Stop"</button>
                }>
                    <button id="ns-live-start" class="ns-button ns-button--primary" on:click=start>"Start"</button>
                </Show>
                <label for="ns-live-speed">"Speed"</label>
                <select id="ns-live-speed"
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            settings.update(|s| s.speed = v);
                        }
                    }>
                    {SPEEDS.iter().map(|&v| view! {
                        <option value=v.to_string() selected=move || settings.with(|s| s.speed == v)>{format!("×{v:.0}")}</option>
                    }).collect_view()}
                </select>
            </div>
        </section>
    }
}
