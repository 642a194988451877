//! SYN flood: SYNs of half-open TCP connections toward one host in a sliding window.

use super::book::{AlertBook, AlertKey, Firing};
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::{sweep_windows, EngineSizes};
use super::window::SumWindow;
use super::{RuleKind, RulesConfig};

/// The SYN-flood rule: one window per destination host.
#[derive(Debug)]
pub(super) struct SynFlood {
    window_s: f64,
    syns: u32,
    windows: FxMap<u32, SumWindow>,
}

impl SynFlood {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            window_s: c.syn_flood_window_s,
            syns: c.syn_flood_syns,
            windows: FxMap::default(),
        }
    }
}

impl Rule for SynFlood {
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        let Some(s) = f.half_open.filter(|&s| s > 0) else {
            return;
        };
        let (t, dst) = (f.t, f.dst);
        let w = self.windows.entry(dst).or_default();
        w.evict(t, self.window_s);
        w.push(t, s, 0, f.row);
        let n = w.sent() as f64;
        let th = f64::from(self.syns);
        if n >= th {
            let start = w.first_time().unwrap_or(t);
            let span = (t - start).max(1e-9);
            book.fire(
                Firing {
                    rule: RuleKind::SynFlood,
                    key: AlertKey::Host(dst),
                    src: None,
                    dst: Some(dst),
                    port: None,
                    start,
                    end: t,
                    evidence: &[("syns", n), ("syns_per_s", n / span.max(1.0))],
                    ratio: n / th,
                },
                &mut w.events(),
            );
        }
    }

    fn sweep(&mut self, now: f64) {
        sweep_windows(&mut self.windows, now, self.window_s);
    }

    fn sizes(&self, s: &mut EngineSizes) {
        s.window_keys += self.windows.len();
        s.window_events += self.windows.values().map(SumWindow::len).sum::<usize>();
    }
}
