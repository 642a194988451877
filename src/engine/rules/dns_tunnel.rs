//! DNS tunnelling: a host that sends data out in DNS queries — many distinct, long or
//! random-looking subdomains of one domain, or many TXT/NULL lookups (the record types tunnels
//! such as iodine and dnscat2 use to get data back).
//!
//! Per source host → registered domain (the last two labels, three under a two-letter country
//! code with a generic second level such as `co.uk`; `arpa` and `local` names are skipped), in a
//! sliding window of `dns_tunnel_window_s` (300 s):
//!
//! | fires when (defaults) | why |
//! |---|---|
//! | ≥ 40 distinct subdomains, at least half of the queries encoded-looking | a tunnel never repeats a name (each query carries new data); browsing a site asks for a handful of names |
//! | ≥ 50 TXT or NULL queries, ≥ 25 distinct subdomains | the answer channel of most tunnels |
//!
//! A query is **encoded-looking** when one of its labels has at least `dns_tunnel_label_len`
//! (30) characters, or its subdomain part has at least 20 characters and a Shannon entropy of at
//! least `dns_tunnel_entropy` (3.5 bits per character). These are the usual heuristics of
//! published tunnel detections (long labels, high entropy, many unique names per domain; e.g.
//! the SANS and Unit 42 write-ups on DNS tunnelling); the thresholds sit above ordinary host
//! names, which rarely have labels over 20 characters. Known false positives: DNS-based
//! reputation services (anti-virus, spam block lists) that encode hashes in names.
//!
//! Severity high, critical at five times the threshold.

use super::book::{AlertBook, AlertKey, Firing};
use super::fxmap::{FxHasher, FxMap};
use super::rule::{Flow, Rule};
use super::run::EngineSizes;
use super::window::{DistinctWindow, SumWindow};
use super::{RuleAlert, RuleKind, RulesConfig};
use std::hash::Hasher;

/// The registered domain of a name (see the module docs), or `None` for names that cannot be
/// tunnelled through (no subdomain, reverse lookups, mDNS).
pub fn registered_domain(name: &str) -> Option<&str> {
    let name = name.trim_end_matches('.');
    let labels: Vec<&str> = name.rsplitn(4, '.').collect();
    let tld = labels.first()?;
    if tld.eq_ignore_ascii_case("arpa") || tld.eq_ignore_ascii_case("local") {
        return None;
    }
    let sld = labels.get(1)?;
    let generic = [
        "co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go",
    ];
    let n = if tld.len() == 2 && generic.iter().any(|g| sld.eq_ignore_ascii_case(g)) {
        3
    } else {
        2
    };
    if labels.len() <= n {
        return None;
    }
    // Byte length of the last `n` labels and their dots.
    let len = labels[..n].iter().map(|l| l.len()).sum::<usize>() + n - 1;
    Some(&name[name.len() - len..])
}

/// Shannon entropy of a string's bytes, bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for &b in s.as_bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * crate::engine::math::log2(p)
        })
        .sum()
}

/// Whether the subdomain part of a name looks like encoded data (see the module docs).
pub fn encoded_looking(subdomain: &str, cfg: &RulesConfig) -> bool {
    let long_label = subdomain
        .split('.')
        .any(|l| l.len() >= cfg.dns_tunnel_label_len as usize);
    let letters: String = subdomain.chars().filter(|&c| c != '.').collect();
    long_label || (letters.len() >= 20 && entropy(&letters) >= cfg.dns_tunnel_entropy)
}

pub(super) fn name_hash(s: &str) -> u32 {
    let mut h = FxHasher::default();
    for b in s.bytes() {
        h.write_u8(b.to_ascii_lowercase());
    }
    let x = h.finish();
    (x ^ (x >> 32)) as u32
}

#[derive(Debug, Default)]
struct Pair {
    names: DistinctWindow,
    /// Per query: "sent" 1 when encoded-looking, "received" 1 when TXT or NULL.
    kinds: SumWindow,
}

/// The DNS-tunnelling rule: per source → registered domain, its names and their kinds.
#[derive(Debug)]
pub(super) struct DnsTunnel {
    /// The thresholds (label length and entropy among them).
    cfg: RulesConfig,
    pairs: FxMap<(u32, u32), Pair>,
}

impl DnsTunnel {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            cfg: c.clone(),
            pairs: FxMap::default(),
        }
    }
}

impl Rule for DnsTunnel {
    /// Counts the DNS query of a flow; the engine interned its [`registered_domain`] as
    /// `f.domain`.
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        let (Some(dns), Some(domain)) = (&f.rec.dns, f.domain) else {
            return;
        };
        let Some(reg) = registered_domain(&dns.query) else {
            return;
        };
        let cfg = &self.cfg;
        let (t, src) = (f.t, f.src);
        let q = dns.query.trim_end_matches('.');
        let sub = q[..q.len() - reg.len()].trim_end_matches('.');
        let encoded = encoded_looking(sub, cfg);
        let txt = matches!(dns.qtype, Some(16 | 10));
        let window = cfg.dns_tunnel_window_s;
        let p = self.pairs.entry((src, domain)).or_default();
        p.names.evict(t, window);
        p.kinds.evict(t, window);
        p.names.push(t, name_hash(sub), f.row);
        p.kinds.push(t, u64::from(encoded), u64::from(txt), f.row);
        let (u, n) = (p.names.distinct() as f64, p.kinds.len() as f64);
        let (enc, txts) = (p.kinds.sent() as f64, p.kinds.received() as f64);
        let th_u = f64::from(cfg.dns_tunnel_subdomains);
        let th_t = f64::from(cfg.dns_tunnel_txt_queries);
        let by_names = u >= th_u && 2.0 * enc >= n;
        let by_txt = txts >= th_t && 2.0 * u >= th_t;
        if !(by_names || by_txt) {
            return;
        }
        let ratio =
            if by_names { u / th_u } else { 0.0 }.max(if by_txt { txts / th_t } else { 0.0 });
        book.fire(
            Firing {
                rule: RuleKind::DnsTunnel,
                key: AlertKey::Pair { src, dst: domain },
                src: Some(src),
                dst: Some(domain),
                port: None,
                start: p.names.first_time().unwrap_or(t),
                end: t,
                evidence: &[
                    ("queries", n),
                    ("distinct_subdomains", u),
                    ("encoded_queries", enc),
                    ("txt_null_queries", txts),
                ],
                ratio,
            },
            &mut p.names.events(),
        );
    }

    fn sweep(&mut self, now: f64) {
        let w = self.cfg.dns_tunnel_window_s;
        self.pairs.retain(|_, p| {
            p.names.evict(now, w);
            p.kinds.evict(now, w);
            !p.names.is_empty()
        });
    }

    fn sizes(&self, s: &mut EngineSizes) {
        s.window_keys += self.pairs.len();
        s.window_events += self.pairs.values().map(|p| p.names.len()).sum::<usize>();
    }
}

/// One sentence for a DNS-tunnelling alert.
pub fn describe(a: &RuleAlert, span: &str) -> String {
    format!(
        "Possible DNS tunnelling: {} queried {:.0} distinct subdomains of {} ({:.0} encoded-looking, {:.0} TXT/NULL of {:.0} queries) within {span}",
        a.source.as_deref().unwrap_or("?"),
        a.count("distinct_subdomains"),
        a.target.as_deref().unwrap_or("?"),
        a.count("encoded_queries"),
        a.count("txt_null_queries"),
        a.count("queries"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_domains_keep_two_labels_or_three_under_country_seconds() {
        assert_eq!(registered_domain("a.b.example.com"), Some("example.com"));
        assert_eq!(registered_domain("x.bbc.co.uk."), Some("bbc.co.uk"));
        assert_eq!(registered_domain("example.com"), None, "no subdomain");
        assert_eq!(registered_domain("4.3.2.1.in-addr.arpa"), None);
        assert_eq!(registered_domain("printer.local"), None);
        assert_eq!(registered_domain(""), None);
    }

    #[test]
    fn hex_payload_labels_look_encoded_and_host_names_do_not() {
        let c = RulesConfig::default();
        assert!(encoded_looking("6a2f9c0e41b7d8335fe1a09c4b2d7e6f.a81c", &c));
        assert!(encoded_looking(&"a".repeat(40), &c), "a long label");
        for host in [
            "www",
            "mail",
            "r3---sn-4g5e6nsz",
            "login.microsoftonline",
            "cdn-assets-01",
        ] {
            assert!(!encoded_looking(host, &c), "{host}");
        }
        assert!((entropy("abcd") - 2.0).abs() < 1e-12);
        assert_eq!(entropy(""), 0.0);
    }
}
