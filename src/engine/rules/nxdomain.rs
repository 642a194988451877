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

use super::book::{AlertBook, AlertKey, Firing};
use super::dns_tunnel::name_hash;
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::{sweep_windows, EngineSizes};
use super::window::DistinctWindow;
use super::{RuleAlert, RuleKind, RulesConfig};

/// DNS response code NXDOMAIN.
pub const NXDOMAIN: u8 = 3;

/// The NXDOMAIN-burst rule: failed names per source host.
#[derive(Debug)]
pub(super) struct NxdomainBurst {
    window_s: f64,
    names: u32,
    hosts: FxMap<u32, DistinctWindow>,
}

impl NxdomainBurst {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            window_s: c.nxdomain_window_s,
            names: c.nxdomain_names,
            hosts: FxMap::default(),
        }
    }
}

impl Rule for NxdomainBurst {
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        let Some(dns) = f.rec.dns.as_ref().filter(|d| d.rcode == Some(NXDOMAIN)) else {
            return;
        };
        let (t, src) = (f.t, f.src);
        let w = self.hosts.entry(src).or_default();
        w.evict(t, self.window_s);
        w.push(t, name_hash(dns.query.trim_end_matches('.')), f.row);
        let n = w.distinct() as f64;
        let th = f64::from(self.names);
        if n < th {
            return;
        }
        book.fire(
            Firing {
                rule: RuleKind::NxdomainBurst,
                key: AlertKey::Source(src),
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

    fn sweep(&mut self, now: f64) {
        sweep_windows(&mut self.hosts, now, self.window_s);
    }

    fn sizes(&self, s: &mut EngineSizes) {
        s.window_keys += self.hosts.len();
        s.window_events += self.hosts.values().map(DistinctWindow::len).sum::<usize>();
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
