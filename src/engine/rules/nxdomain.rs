//! NXDOMAIN bursts: one host whose lookups fail with "no such domain" for many distinct names
//! in a short time — the signature of domain-generation-algorithm (DGA) malware looking for its
//! controller, and of some misconfigurations worth fixing.
//!
//! Per source host, a sliding window of `nxdomain_window_s` (300 s) holds the names whose
//! response code was NXDOMAIN (3); the rule fires at `nxdomain_names` (50) distinct names.
//! A mistyped address or a search-domain miss fails a handful of names; DGA families try tens
//! to hundreds per run (published DGA studies, e.g. Plohmann et al., USENIX Security 2016,
//! report batches of 10–1,000 candidate domains). Severity medium, high at five times the
//! threshold.

use super::dns_tunnel::name_hash;
use super::engine::{sweep_windows, Book, Fire};
use super::fxmap::FxMap;
use super::window::DistinctWindow;
use super::{FlowRecord, RuleAlert, RuleKind, RulesConfig};

/// DNS response code NXDOMAIN.
pub const NXDOMAIN: u8 = 3;

/// The rule's state: failed names per source host.
#[derive(Debug, Default)]
pub(super) struct NxdomainBurst {
    hosts: FxMap<u32, DistinctWindow>,
}

impl NxdomainBurst {
    /// Counts a flow's DNS answer when it is NXDOMAIN.
    pub(super) fn push(
        &mut self,
        book: &mut Book,
        cfg: &RulesConfig,
        src: u32,
        t: f64,
        r: &FlowRecord,
        row: u32,
    ) {
        let Some(dns) = r.dns.as_ref().filter(|d| d.rcode == Some(NXDOMAIN)) else {
            return;
        };
        let w = self.hosts.entry(src).or_default();
        w.evict(t, cfg.nxdomain_window_s);
        w.push(t, name_hash(dns.query.trim_end_matches('.')), row);
        let n = w.distinct() as f64;
        let th = f64::from(cfg.nxdomain_names);
        if n < th {
            return;
        }
        book.fire(
            Fire {
                rule: RuleKind::NxdomainBurst,
                key: (src, 0, 0, 0),
                src: Some(src),
                dst: None,
                port: None,
                start: w.first_time().unwrap_or(t),
                end: t,
                evidence: &[("distinct_names", n), ("failed_lookups", w.len() as f64)],
                ratio: n / th,
            },
            &mut w.events(),
        );
    }

    /// Drops windows that emptied by `now`.
    pub(super) fn sweep(&mut self, now: f64, cfg: &RulesConfig) {
        sweep_windows(&mut self.hosts, now, cfg.nxdomain_window_s);
    }

    /// Window keys and events held.
    pub(super) fn sizes(&self) -> (usize, usize) {
        (
            self.hosts.len(),
            self.hosts.values().map(DistinctWindow::len).sum(),
        )
    }
}

/// One sentence for an NXDOMAIN-burst alert.
pub fn describe(a: &RuleAlert, span: &str) -> String {
    format!(
        "NXDOMAIN burst: lookups of {:.0} distinct names by {} failed (no such domain) within {span} — possible domain-generation malware",
        a.count("distinct_names"),
        a.source.as_deref().unwrap_or("?"),
    )
}
