//! Demo links: `?demo` (or `#demo`) opens the app on generated data and trains it once.
//!
//! | link | data |
//! |---|---|
//! | `?demo`, `?demo=flows` | the sample flow table; `rows=` (1 ..= 1,000,000, default 1,000), `seed=` (default 42), `anomalies=` (share in [0, 0.5], e.g. `0.1`, or a percentage, e.g. `10`; default 0.15) |
//! | `?demo=capture` | a packet capture from the capture generator (`seed=`), so the Network page, the rules and Live have addresses and flows |
//!
//! A demo runs in its own workspace that is never saved ([`is_demo`] makes the storage use
//! memory only): the analyst's saved workspace, history and feedback stay as they were, and the
//! [`DemoBanner`] says so, with a link back to the saved workspace.

use leptos::prelude::*;

use crate::engine::generate::SampleParams;
use crate::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
use crate::ui::hooks::UseWorkerReturn;
use crate::ui::state::AppState;

/// Largest `rows=` a demo link may ask for.
pub const MAX_DEMO_ROWS: usize = 1_000_000;
/// Largest anomaly share a demo link may ask for.
pub const MAX_DEMO_SHARE: f64 = 0.5;

/// What a demo link asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Demo {
    /// The sample flow table with these parameters.
    Flows(SampleParams),
    /// A generated packet capture with this seed.
    Capture {
        /// The generator's seed.
        seed: u64,
    },
}

impl Demo {
    /// Reads a query string (`?demo=flows&rows=…`) and a fragment (`#demo`). `None`: no demo.
    /// Values that do not parse or are out of range keep their defaults.
    pub fn parse(search: &str, hash: &str) -> Option<Self> {
        let pairs: Vec<(&str, &str)> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
            .collect();
        let get = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let kind = match get("demo") {
            Some(kind) => kind,
            None if hash == "#demo" => "",
            None => return None,
        };
        let seed = get("seed").and_then(|s| s.parse::<u64>().ok());
        if kind == "capture" {
            return Some(Self::Capture {
                seed: seed.unwrap_or(CaptureGenParams::default().seed),
            });
        }
        let mut p = SampleParams::default();
        if let Some(rows) = get("rows").and_then(|s| s.parse::<usize>().ok()) {
            if (1..=MAX_DEMO_ROWS).contains(&rows) {
                p.rows = rows;
            }
        }
        if let Some(seed) = seed {
            p.seed = seed;
        }
        if let Some(share) =
            get("anomalies").and_then(|s| s.trim_end_matches('%').parse::<f64>().ok())
        {
            let share = if share > 1.0 { share / 100.0 } else { share };
            if (0.0..=MAX_DEMO_SHARE).contains(&share) {
                p.anomaly_ratio = share;
            }
        }
        Some(Self::Flows(p))
    }

    /// The demo named by the page's address, if any.
    pub fn from_location() -> Option<Self> {
        let location = window().location();
        Self::parse(
            &location.search().unwrap_or_default(),
            &location.hash().unwrap_or_default(),
        )
    }

    /// One line describing the data, for the banner.
    pub fn describe(&self) -> String {
        match self {
            Self::Flows(p) => format!(
                "{} generated flows, {:.0} % anomalous, seed {}",
                crate::ui::format::count(p.rows),
                p.anomaly_ratio * 100.0,
                p.seed
            ),
            Self::Capture { seed } => format!("a generated packet capture (seed {seed})"),
        }
    }
}

/// True when the page was opened as a demo: nothing of it is saved.
pub fn is_demo() -> bool {
    Demo::from_location().is_some()
}

/// Loads the demo's data, then trains once with the default settings.
pub fn start(state: AppState, worker: UseWorkerReturn, demo: Demo) {
    match demo {
        Demo::Flows(params) => {
            state.sample.set(params.clone());
            worker.load_sample(params);
        }
        Demo::Capture { seed } => match capture_file(seed) {
            Ok(file) => worker.load_file(file),
            Err(e) => {
                leptos::logging::warn!("netsift: the demo capture could not be made: {e}");
                return;
            }
        },
    }
    let pending_train = RwSignal::new(true);
    Effect::new(move |_| {
        let loaded = state.dataset.with(Option::is_some);
        let idle = state.job.with(Option::is_none);
        if pending_train.get_untracked() && loaded && idle {
            pending_train.set(false);
            worker.train(state.config.get_untracked());
        }
    });
}

/// The generated capture as a file, read by the worker like a dropped one.
fn capture_file(seed: u64) -> Result<web_sys::File, String> {
    let cap = generate_capture(&CaptureGenParams {
        seed,
        ..CaptureGenParams::default()
    })
    .map_err(|e| e.to_string())?;
    let bytes = js_sys::Uint8Array::from(cap.bytes.as_slice());
    let parts = js_sys::Array::of1(&bytes);
    web_sys::File::new_with_u8_array_sequence(&parts, &format!("demo-capture-seed{seed}.pcap"))
        .map_err(|e| format!("{e:?}"))
}

/// "Demo data — not saved; your workspace is untouched", with a link back to it.
#[component]
pub fn DemoBanner() -> impl IntoView {
    let demo = Demo::from_location();
    let back = window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "./".into());
    demo.map(|demo| {
        view! {
            <div id="ns-demo-banner" class="ns-banner ns-banner--notice ns-demo-banner" role="status">
                <div class="ns-banner__text">
                    <strong>"Demo data — not saved; your workspace is untouched."</strong>
                    <span>{format!("This page shows {}. Nothing you do here is stored.", demo.describe())}</span>
                </div>
                <a id="ns-demo-leave" class="ns-button" href=back>
                    "Back to my workspace"
                </a>
            </div>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_demo_links() {
        assert_eq!(Demo::parse("", ""), None);
        assert_eq!(Demo::parse("?bench", ""), None);
        assert_eq!(Demo::parse("?demonstration=1", ""), None);
        assert_eq!(
            Demo::parse("?demo", ""),
            Some(Demo::Flows(SampleParams::default()))
        );
        assert_eq!(
            Demo::parse("", "#demo"),
            Some(Demo::Flows(SampleParams::default()))
        );
        let Some(Demo::Flows(p)) = Demo::parse("?demo=flows&rows=5000&seed=7&anomalies=10", "")
        else {
            panic!("flows demo");
        };
        assert_eq!((p.rows, p.seed), (5000, 7));
        assert!((p.anomaly_ratio - 0.10).abs() < 1e-12);
        let Some(Demo::Flows(p)) = Demo::parse("?demo=flows&anomalies=0.05", "") else {
            panic!("flows demo");
        };
        assert!((p.anomaly_ratio - 0.05).abs() < 1e-12);
        // Out of range or unreadable: the defaults stay.
        let Some(Demo::Flows(p)) = Demo::parse("?demo&rows=0&anomalies=90&seed=x", "") else {
            panic!("flows demo");
        };
        assert_eq!(p, SampleParams::default());
        assert_eq!(
            Demo::parse("?demo=capture&seed=9", ""),
            Some(Demo::Capture { seed: 9 })
        );
    }
}
