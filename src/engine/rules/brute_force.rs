//! Password guessing (brute force): many short login attempts against one authentication
//! service.
//!
//! A flow is a **login attempt** when it goes to one of `brute_force_ports` over TCP, the TCP
//! handshake completed (or the data does not say: a refused or half-open connection cannot
//! guess a password — that is a scan or a flood, which other rules report), it carried some
//! payload (when the byte count is known), and it was short: under `brute_force_max_attempt_s`
//! seconds and `brute_force_max_attempt_bytes` payload bytes. A failed login is exactly that:
//! banner, user name, password, rejection, close.
//!
//! | form | key | fires when (defaults) |
//! |---|---|---|
//! | one source | source → host:port | ≥ 20 attempts in 900 s |
//! | distributed | host:port | ≥ 10 distinct sources and ≥ 20 attempts in 900 s |
//!
//! The defaults are Zeek's FTP brute-forcing policy (`detect-bruteforcing.zeek`: 20 failed
//! logins per 15 minutes); Zeek's SSH guesser policy (`SSH::password_guesses_limit` 30 over
//! `SSH::guessing_timeout` 30 min) sits close. Severity is high, critical at five times the
//! threshold (100 attempts). A mail client polling IMAP once a minute makes 15 short
//! connections in 15 minutes and stays below; one polling every 30 s would not.

use super::book::{AlertBook, AlertKey, Firing};
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::{sweep_windows, EngineSizes};
use super::window::{DistinctWindow, SumWindow};
use super::{FlowRecord, RuleAlert, RuleKind, RulesConfig};

/// Whether a flow is a login attempt (see the module docs).
pub fn is_attempt(r: &FlowRecord, cfg: &RulesConfig) -> bool {
    let Some(port) = r.dst_port else {
        return false;
    };
    if r.protocol.is_some_and(|p| p != 6) || !cfg.brute_force_ports.contains(&port) {
        return false;
    }
    if r.handshake_complete == Some(false) {
        return false;
    }
    let bytes = r.bytes();
    if bytes == Some(0) {
        return false;
    }
    r.duration() < cfg.brute_force_max_attempt_s
        && bytes.is_none_or(|b| b < cfg.brute_force_max_attempt_bytes)
}

/// The well-known service on a login port.
pub fn service_name(port: u16) -> Option<&'static str> {
    Some(match port {
        21 => "FTP",
        22 => "SSH",
        23 => "Telnet",
        25 | 587 => "SMTP",
        110 => "POP3",
        139 => "NetBIOS",
        143 => "IMAP",
        445 => "SMB",
        993 => "IMAPS",
        995 => "POP3S",
        1433 => "MS SQL",
        3306 => "MySQL",
        3389 => "RDP",
        5432 => "PostgreSQL",
        5900 => "VNC",
        _ => return None,
    })
}

/// The password-guessing rule: attempts per source → host:port, sources per host:port.
#[derive(Debug)]
pub(super) struct BruteForce {
    /// The thresholds (the login ports and attempt limits among them).
    cfg: RulesConfig,
    single: FxMap<(u32, u32, u16), SumWindow>,
    distributed: FxMap<(u32, u16), DistinctWindow>,
}

impl BruteForce {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            cfg: c.clone(),
            single: FxMap::default(),
            distributed: FxMap::default(),
        }
    }
}

impl Rule for BruteForce {
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        if !is_attempt(f.rec, &self.cfg) {
            return;
        }
        let Some(port) = f.rec.dst_port else {
            return;
        };
        let (t, src, dst, row) = (f.t, f.src, f.dst, f.row);
        let window = self.cfg.brute_force_window_s;
        let th = f64::from(self.cfg.brute_force_attempts);
        let w = self.single.entry((src, dst, port)).or_default();
        w.evict(t, window);
        w.push(t, 1, 0, row);
        let n = w.sent() as f64;
        if n >= th {
            let start = w.first_time().unwrap_or(t);
            book.fire(
                Firing {
                    rule: RuleKind::BruteForce,
                    key: AlertKey::Service {
                        src,
                        dst,
                        port: u32::from(port),
                    },
                    src: Some(src),
                    dst: Some(dst),
                    port: Some(port),
                    start,
                    end: t,
                    evidence: &[
                        ("attempts", n),
                        ("attempts_per_min", n * 60.0 / (t - start).max(60.0)),
                    ],
                    ratio: n / th,
                },
                &mut w.events(),
            );
        }
        let w = self.distributed.entry((dst, port)).or_default();
        w.evict(t, window);
        w.push(t, src, row);
        let (k, n) = (w.distinct() as f64, w.len() as f64);
        let th_k = f64::from(self.cfg.brute_force_sources);
        if k >= th_k && n >= th {
            book.fire(
                Firing {
                    rule: RuleKind::BruteForce,
                    key: AlertKey::Port {
                        dst,
                        port: u32::from(port),
                    },
                    src: None,
                    dst: Some(dst),
                    port: Some(port),
                    start: w.first_time().unwrap_or(t),
                    end: t,
                    evidence: &[("attempts", n), ("distinct_sources", k)],
                    ratio: (n / th).min(k / th_k),
                },
                &mut w.events(),
            );
        }
    }

    fn sweep(&mut self, now: f64) {
        sweep_windows(&mut self.single, now, self.cfg.brute_force_window_s);
        sweep_windows(&mut self.distributed, now, self.cfg.brute_force_window_s);
    }

    fn sizes(&self, s: &mut EngineSizes) {
        s.window_keys += self.single.len() + self.distributed.len();
        s.window_events += self.single.values().map(SumWindow::len).sum::<usize>()
            + self
                .distributed
                .values()
                .map(DistinctWindow::len)
                .sum::<usize>();
    }
}

/// One sentence for a password-guessing alert.
pub fn describe(a: &RuleAlert, span: &str) -> String {
    let dst = a.target.as_deref().unwrap_or("?");
    let port = a.port.unwrap_or(0);
    let service = service_name(port)
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let attempts = a.count("attempts");
    match &a.source {
        Some(src) => format!(
            "Password guessing: {src} made {attempts:.0} short logins to {dst}:{port}{service} within {span}"
        ),
        None => format!(
            "Distributed password guessing: {:.0} sources made {attempts:.0} short logins to {dst}:{port}{service} within {span}",
            a.count("distinct_sources")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(dur: f64, bytes: u64, port: u16) -> FlowRecord {
        FlowRecord {
            ts: 0.0,
            end: dur,
            src: "a".into(),
            dst: "b".into(),
            src_port: Some(50000),
            dst_port: Some(port),
            protocol: Some(6),
            packets_fwd: Some(8),
            packets_bwd: Some(8),
            bytes_fwd: Some(bytes / 2),
            bytes_bwd: Some(bytes - bytes / 2),
            syn: Some(2),
            ack: Some(15),
            fin: Some(2),
            rst: Some(0),
            handshake_complete: Some(true),
            dns: None,
            row: 0,
        }
    }

    #[test]
    fn an_attempt_is_a_short_small_completed_connection_to_a_login_port() {
        let c = RulesConfig::default();
        assert!(is_attempt(&login(0.4, 300, 21), &c));
        assert!(!is_attempt(&login(0.4, 300, 80), &c), "not a login port");
        assert!(!is_attempt(&login(600.0, 300, 22), &c), "a session");
        assert!(!is_attempt(&login(2.0, 5_000_000, 22), &c), "a transfer");
        assert!(!is_attempt(&login(0.1, 0, 22), &c), "connect and close");
        let mut refused = login(0.1, 100, 22);
        refused.handshake_complete = Some(false);
        assert!(!is_attempt(&refused, &c), "refused: a scan, not a guess");
    }
}
