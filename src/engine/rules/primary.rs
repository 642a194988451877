//! Which rule leads a correlated alert: the one the evidence supports best.
//!
//! Correlation folds a DDoS alert on a host into an overlapping SYN flood on that host (see the
//! [module docs](super)). Both are right about a flood of half-open connections from many
//! addresses, but they describe different attacks:
//!
//! - a **spoofed SYN flood** sends each SYN from a fresh forged address, so almost every source
//!   appears once: SYN flood leads (the sources are not real hosts to block);
//! - a **DDoS** comes from real machines that each keep connecting, each below the SYN-flood
//!   threshold on its own: DDoS leads ("SYN flood" follows as the technique).
//!
//! The split is the mean number of half-open SYNs per source: at least
//! [`DDOS_SYNS_PER_SOURCE`] (sources repeat) makes the DDoS primary. A forged address is
//! reused only by chance, so a spoofed flood stays near 1 per source.

use super::{RuleAlert, RuleKind};

/// Mean SYNs per distinct source from which a correlated SYN flood + DDoS is labelled DDoS.
pub const DDOS_SYNS_PER_SOURCE: f64 = 2.0;

/// Re-labels a finalised SYN-flood alert with a folded DDoS as a DDoS when its sources are real
/// repeat senders (see the module docs). Evidence keeps every value under the same meaning: the
/// former primary's values move under the `syn_flood.` prefix, the DDoS values lose theirs.
pub fn lead_by_evidence(alert: &mut RuleAlert) {
    if alert.rule != RuleKind::SynFlood || !alert.related.contains(&RuleKind::Ddos) {
        return;
    }
    let sources = alert.count("ddos.distinct_sources");
    if sources <= 0.0 || alert.count("syns") / sources < DDOS_SYNS_PER_SOURCE {
        return;
    }
    let evidence = std::mem::take(&mut alert.evidence);
    for (k, v) in evidence {
        let name = match k.strip_prefix("ddos.") {
            Some(own) => own.to_owned(),
            None if !k.contains('.') => format!("syn_flood.{k}"),
            None => k,
        };
        alert.evidence.insert(name, v);
    }
    alert.rule = RuleKind::Ddos;
    alert.related.retain(|&r| r != RuleKind::Ddos);
    alert.related.push(RuleKind::SynFlood);
    alert.related.sort();
}
