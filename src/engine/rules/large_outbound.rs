//! Large outbound transfer (possible exfiltration): bytes sent vs received per source → host in
//! a sliding window.

use super::book::{AlertBook, AlertKey, Firing};
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::{sweep_windows, EngineSizes};
use super::window::SumWindow;
use super::{RuleKind, RulesConfig};

/// Large-outbound windows start merging close events at this many events.
pub const OUTBOUND_DENSE: usize = 1024;

/// The large-outbound rule: one window per source → host.
#[derive(Debug)]
pub(super) struct LargeOutbound {
    window_s: f64,
    external_only: bool,
    bytes: u64,
    ratio_floor_bytes: u64,
    ratio: f64,
    windows: FxMap<(u32, u32), SumWindow>,
}

impl LargeOutbound {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            window_s: c.outbound_window_s,
            external_only: c.outbound_external_only,
            bytes: c.outbound_bytes,
            ratio_floor_bytes: c.outbound_ratio_floor_bytes,
            ratio: c.outbound_ratio,
            windows: FxMap::default(),
        }
    }
}

impl Rule for LargeOutbound {
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        let Some(out) = f.rec.bytes_fwd else {
            return;
        };
        if self.external_only && !f.dst_external {
            return;
        }
        let (t, src, dst) = (f.t, f.src, f.dst);
        let back = f.rec.bytes_bwd;
        let w = self.windows.entry((src, dst)).or_default();
        w.evict(t, self.window_s);
        let dense = self.window_s / OUTBOUND_DENSE as f64;
        w.push_coalesced(t, out, back.unwrap_or(0), f.row, OUTBOUND_DENSE, dense);
        let (o, i) = (w.sent(), w.received());
        let big = o >= self.bytes;
        let lopsided =
            back.is_some() && o >= self.ratio_floor_bytes && o as f64 >= self.ratio * i as f64;
        if big || lopsided {
            let start = w.first_time().unwrap_or(t);
            let ratio = (o as f64 / self.bytes as f64)
                .max(o as f64 / self.ratio_floor_bytes.max(1) as f64 / 10.0);
            book.fire(
                Firing {
                    rule: RuleKind::LargeOutbound,
                    key: AlertKey::Pair { src, dst },
                    src: Some(src),
                    dst: Some(dst),
                    port: f.rec.dst_port,
                    start,
                    end: f.end,
                    evidence: &[
                        ("bytes_out", o as f64),
                        ("bytes_in", i as f64),
                        ("out_in_ratio", o as f64 / (i.max(1)) as f64),
                    ],
                    ratio,
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
