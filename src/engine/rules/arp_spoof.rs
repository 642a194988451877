//! ARP spoofing (poisoning): layer-2 evidence of a man in the middle, from the ARP records a
//! capture keeps beside its flows ([`ArpRecord`]).
//!
//! Every ARP packet's sender fields claim "IP is at MAC". Three findings, each keyed as below
//! and de-duplicated with the cooldown like the flow rules:
//!
//! | finding | key | fires when (defaults) | source / target of the alert |
//! |---|---|---|---|
//! | changed MAC | IP | the IP is claimed by a MAC other than the one that last claimed it within `arp_window_s` (3600 s) | the first MAC that contradicted the binding / the IP |
//! | many IPs | MAC | one MAC claims ≥ `arp_ips_per_mac` (10) distinct IPs within `arp_window_s` | the MAC / — |
//! | gratuitous storm | MAC | ≥ `arp_gratuitous` (30) gratuitous ARPs (sender IP = target IP) within `arp_storm_window_s` (60 s) | the MAC / — |
//!
//! These are arpwatch's "changed ethernet address" and "flip flop" reports and the checks of
//! Zeek's and Suricata's ARP-spoofing policies (one IP, two MACs; one MAC, many IPs). A host
//! whose network card is replaced, or a DHCP lease reassigned, also changes a binding once; an
//! attacker keeps re-claiming it (the evidence counts the changes: severity high, critical at 5
//! changes). Claims of 0.0.0.0 (address probes, RFC 5227) are ignored.
//!
//! ARP records are not flows: the alerts list no flow rows (`flow_count` 0) and carry the ARP
//! packet counts in their evidence.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::Ipv4Addr;

use super::{RuleAlert, RuleKind, RulesConfig};
use crate::engine::ingest::capture::arp::{mac_string, ArpRecord};

/// Severity rises one level at this multiple of the threshold (as for the flow rules).
const ESCALATE_AT: f64 = 5.0;

#[derive(Debug)]
struct Open {
    alert: RuleAlert,
    ratio: f64,
}

/// Alerts being built, by finding key, in the order they opened.
#[derive(Default)]
struct Alerts {
    open: HashMap<String, usize>,
    list: Vec<Open>,
}

impl Alerts {
    #[allow(clippy::too_many_arguments)]
    fn fire(
        &mut self,
        cooldown: f64,
        key: String,
        source: String,
        target: Option<String>,
        start: f64,
        t: f64,
        evidence: &[(&str, f64)],
        ratio: f64,
    ) {
        if let Some(o) = self.open.get(&key).and_then(|&i| self.list.get_mut(i)) {
            if t - o.alert.window_end <= cooldown {
                // The source stays the MAC that first contradicted the binding.
                o.alert.window_end = t;
                for &(k, v) in evidence {
                    let e = o.alert.evidence.entry(k.to_owned()).or_insert(v);
                    *e = e.max(v);
                }
                o.ratio = o.ratio.max(ratio);
                return;
            }
        }
        self.open.insert(key, self.list.len());
        self.list.push(Open {
            alert: RuleAlert {
                rule: RuleKind::ArpSpoof,
                severity: RuleKind::ArpSpoof.base_severity(),
                source: Some(source),
                target,
                port: None,
                window_start: start,
                window_end: t,
                evidence: evidence.iter().map(|&(k, v)| (k.to_owned(), v)).collect(),
                flows: Vec::new(),
                flow_count: 0,
                related: Vec::new(),
                description: String::new(),
            },
            ratio,
        });
    }
}

/// An IP's current MAC, when it was last claimed, how often it changed, the MACs seen.
type Binding = ([u8; 6], f64, u32, Vec<[u8; 6]>);

/// The ARP-spoofing alerts of a capture's ARP records (in capture order; a record earlier than
/// the one before it counts at that one's time). The config is assumed valid.
pub fn arp_alerts(records: &[ArpRecord], cfg: &RulesConfig) -> Vec<RuleAlert> {
    let mut out = Alerts::default();
    // IP → (MAC, last claimed, changes so far, distinct MACs seen).
    let mut binding: HashMap<Ipv4Addr, Binding> = HashMap::new();
    // MAC → IP → last claimed.
    let mut claims: HashMap<[u8; 6], BTreeMap<Ipv4Addr, f64>> = HashMap::new();
    // MAC → times of its gratuitous ARPs in the storm window.
    let mut storms: HashMap<[u8; 6], VecDeque<f64>> = HashMap::new();
    let mut now = f64::NEG_INFINITY;
    for r in records {
        now = now.max(r.ts());
        let t = now;
        if r.sender_ip.is_unspecified() {
            continue;
        }
        let (ip, mac) = (r.sender_ip, r.sender_mac);
        match binding.get_mut(&ip) {
            Some((old, last, changes, macs)) if *old != mac && t - *last <= cfg.arp_window_s => {
                *changes += 1;
                if !macs.contains(&mac) {
                    macs.push(mac);
                }
                let ev = [
                    ("mac_changes", f64::from(*changes)),
                    ("distinct_macs", macs.len() as f64),
                ];
                out.fire(
                    cfg.cooldown_s,
                    format!("ip {ip}"),
                    mac_string(&mac),
                    Some(ip.to_string()),
                    t,
                    t,
                    &ev,
                    f64::from(*changes),
                );
                *old = mac;
                *last = t;
            }
            Some((old, last, _, macs)) => {
                if *old != mac {
                    // The old binding expired: a fresh one.
                    *old = mac;
                    macs.clear();
                    macs.push(mac);
                }
                *last = t;
            }
            None => {
                binding.insert(ip, (mac, t, 0, vec![mac]));
            }
        }
        let ips = claims.entry(mac).or_default();
        ips.insert(ip, t);
        ips.retain(|_, &mut seen| t - seen <= cfg.arp_window_s);
        let n = ips.len() as f64;
        let th = f64::from(cfg.arp_ips_per_mac);
        if n >= th {
            let start = ips.values().copied().fold(t, f64::min);
            out.fire(
                cfg.cooldown_s,
                format!("claims {}", mac_string(&mac)),
                mac_string(&mac),
                None,
                start,
                t,
                &[("claimed_ips", n)],
                n / th,
            );
        }
        if r.is_gratuitous() {
            let q = storms.entry(mac).or_default();
            q.push_back(t);
            while q.front().is_some_and(|&f| t - f > cfg.arp_storm_window_s) {
                q.pop_front();
            }
            let n = q.len() as f64;
            let th = f64::from(cfg.arp_gratuitous);
            if n >= th {
                let start = q.front().copied().unwrap_or(t);
                out.fire(
                    cfg.cooldown_s,
                    format!("storm {}", mac_string(&mac)),
                    mac_string(&mac),
                    None,
                    start,
                    t,
                    &[("gratuitous_arps", n)],
                    n / th,
                );
            }
        }
    }
    out.list
        .into_iter()
        .map(|o| {
            let mut a = o.alert;
            a.severity = a.severity.raised(u32::from(o.ratio >= ESCALATE_AT));
            a.description = describe(&a);
            a
        })
        .collect()
}

/// One sentence for an ARP-spoofing alert.
pub fn describe(a: &RuleAlert) -> String {
    let mac = a.source.as_deref().unwrap_or("?");
    if let Some(ip) = &a.target {
        format!(
            "ARP spoofing: {ip} was claimed by {mac}; its MAC changed {:.0} times ({:.0} distinct MACs)",
            a.count("mac_changes"),
            a.count("distinct_macs")
        )
    } else if a.evidence.contains_key("claimed_ips") {
        format!(
            "ARP spoofing: {mac} claimed {:.0} IP addresses",
            a.count("claimed_ips")
        )
    } else {
        format!(
            "Gratuitous-ARP storm: {mac} sent {:.0} gratuitous ARPs",
            a.count("gratuitous_arps")
        )
    }
}
