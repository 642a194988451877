//! The alert book: alerts under construction, cooldown de-duplication and correlation (see the
//! [module docs](super) for both).
//!
//! A rule reports a [`Firing`] (rule, who, when, evidence); the book either extends the open alert
//! of that rule and [`AlertKey`] (within the cooldown) or opens a new [`PendingAlert`]. Alerts of
//! the rules correlation may fold (DDoS, traffic spike) wait for their slack, then are folded into
//! a fitting alert or raised on their own.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use super::fxmap::{FxHasher, FxMap};
use super::RuleKind;

/// The rows (flows) of an alert.
pub(super) type RowSet = HashSet<u32, BuildHasherDefault<FxHasher>>;

/// A flow's 5-tuple, with addresses interned (missing ports 0, a missing protocol 255).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FiveTuple {
    pub src: u32,
    pub dst: u32,
    pub src_port: u16,
    pub dst_port: u16,
    pub protocol: u16,
}

impl Hash for FiveTuple {
    /// Hashed as four `u32`s (both ports in one), as the engine always did: the conversation
    /// map then grows and rehashes exactly as before (the live memory test measures it).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.src.hash(state);
        self.dst.hash(state);
        ((u32::from(self.src_port) << 16) | u32::from(self.dst_port)).hash(state);
        u32::from(self.protocol).hash(state);
    }
}

/// Who an alert is about: the cooldown keeps one open alert per rule and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum AlertKey {
    /// One source (IP scan).
    Source(u32),
    /// One destination host, or all traffic (DDoS, SYN flood, traffic spike).
    Host(u32),
    /// Source → host (port scan, large outbound).
    Pair { src: u32, dst: u32 },
    /// Source → host:port (beaconing).
    Service { src: u32, dst: u32, port: u32 },
    /// One 5-tuple (long connection).
    Conversation(FiveTuple),
    /// One host:port, whatever the source (distributed password guessing).
    Port { dst: u32, port: u32 },
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Status {
    /// A rule that correlation may fold (DDoS, traffic spike), waiting until this stream time for
    /// the alert it belongs to.
    Pending(f64),
    /// Raised: reported by [`RuleEngine::take_raised`](super::RuleEngine::take_raised) (or
    /// queued to be).
    Raised,
    /// Folded into the alert with this id.
    Folded(u64),
}

/// An alert under construction: extended while its rule keeps firing within the cooldown.
#[derive(Debug)]
pub(super) struct PendingAlert {
    pub rule: RuleKind,
    pub src: Option<u32>,
    pub dst: Option<u32>,
    pub port: Option<u16>,
    pub start: f64,
    pub end: f64,
    pub evidence: BTreeMap<String, f64>,
    pub rows: RowSet,
    /// Time of the newest event whose row is in `rows`.
    pub last_t: f64,
    /// Highest measured value ÷ threshold (for escalation).
    pub ratio: f64,
    pub status: Status,
    /// Alerts folded into this one, in the order they were folded.
    pub folded: Vec<u64>,
}

/// One firing of a rule.
pub(super) struct Firing<'a> {
    pub rule: RuleKind,
    pub key: AlertKey,
    pub src: Option<u32>,
    pub dst: Option<u32>,
    pub port: Option<u16>,
    pub start: f64,
    pub end: f64,
    pub evidence: &'a [(&'static str, f64)],
    /// Measured value ÷ threshold (for escalation).
    pub ratio: f64,
}

/// Alerts under construction (by id, in the order they were opened), the open (still
/// extendable) one per rule and key, and the correlation queue.
#[derive(Debug, Default)]
pub(super) struct AlertBook {
    pub alerts: BTreeMap<u64, PendingAlert>,
    next_id: u64,
    open: FxMap<(RuleKind, AlertKey), u64>,
    cooldown: f64,
    correlate: bool,
    ddos_slack: f64,
    /// Alerts waiting for their correlation slack, oldest first.
    pending: Vec<u64>,
    /// Raised since the last [`RuleEngine::take_raised`](super::RuleEngine::take_raised).
    pub raised: Vec<u64>,
}

/// Can correlation fold `v` into `h`? (See the [module docs](super).) "Overlapping" allows the
/// folded rule's window as slack.
fn fits(v: &PendingAlert, h: &PendingAlert, slack: f64) -> bool {
    let host_rule = match (v.rule, v.dst) {
        (RuleKind::Ddos, _) => h.rule == RuleKind::SynFlood && h.dst == v.dst,
        (RuleKind::TrafficSpike, Some(_)) => {
            matches!(h.rule, RuleKind::SynFlood | RuleKind::Ddos) && h.dst == v.dst
        }
        (RuleKind::TrafficSpike, None) => {
            matches!(h.rule, RuleKind::SynFlood | RuleKind::Ddos)
                || (h.rule == RuleKind::TrafficSpike && h.dst.is_some())
        }
        _ => false,
    };
    host_rule && h.start <= v.end + slack && v.start - slack <= h.end
}

impl AlertBook {
    /// An empty book: `cooldown` seconds of de-duplication, correlation on or off, and the DDoS
    /// window as the DDoS alerts' correlation slack.
    pub fn new(cooldown: f64, correlate: bool, ddos_slack: f64) -> Self {
        Self {
            cooldown,
            correlate,
            ddos_slack,
            ..Self::default()
        }
    }

    fn slack(&self, rule: RuleKind) -> f64 {
        match rule {
            RuleKind::Ddos => self.ddos_slack,
            _ => 1.0,
        }
    }

    /// Whether alerts of `rule` wait to be folded into another.
    fn may_fold(&self, rule: RuleKind) -> bool {
        self.correlate && matches!(rule, RuleKind::Ddos | RuleKind::TrafficSpike)
    }

    /// Opens an alert with the rows of the window's events `(time, row)` (oldest first), or
    /// extends the open one with the events not yet included (walking back from the newest, so
    /// each event is visited about once).
    pub fn fire(&mut self, f: Firing, window: &mut dyn DoubleEndedIterator<Item = (f64, u32)>) {
        if let Some(a) = self
            .open
            .get(&(f.rule, f.key))
            .and_then(|i| self.alerts.get_mut(i))
        {
            if f.start - a.end <= self.cooldown {
                a.end = a.end.max(f.end);
                for &(k, v) in f.evidence {
                    // Look up before inserting: an extended alert fires once per record, and
                    // `entry` would allocate the key every time.
                    match a.evidence.get_mut(k) {
                        Some(e) => *e = e.max(v),
                        None => {
                            a.evidence.insert(k.to_owned(), v);
                        }
                    }
                }
                let last = a.last_t;
                let mut newest = last;
                for (t, row) in window.rev().take_while(|e| e.0 >= last) {
                    newest = newest.max(t);
                    a.rows.insert(row);
                }
                a.last_t = newest;
                a.ratio = a.ratio.max(f.ratio);
                return;
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        let mut a = PendingAlert {
            rule: f.rule,
            src: f.src,
            dst: f.dst,
            port: f.port,
            start: f.start,
            end: f.end,
            evidence: f.evidence.iter().map(|&(k, v)| (k.to_owned(), v)).collect(),
            rows: RowSet::default(),
            last_t: f64::NEG_INFINITY,
            ratio: f.ratio,
            status: Status::Raised,
            folded: Vec::new(),
        };
        for (t, row) in window {
            a.last_t = a.last_t.max(t);
            a.rows.insert(row);
        }
        let waits = self.may_fold(a.rule);
        if waits {
            a.status = Status::Pending(a.end + self.slack(a.rule));
        }
        self.alerts.insert(id, a);
        self.open.insert((f.rule, f.key), id);
        if self.correlate {
            // Waiting alerts that belong to this one are folded now.
            let fold: Vec<u64> = self
                .pending
                .iter()
                .copied()
                .filter(|v| match (self.alerts.get(v), self.alerts.get(&id)) {
                    (Some(va), Some(h)) => fits(va, h, self.slack(va.rule)),
                    _ => false,
                })
                .collect();
            for v in fold {
                self.fold(v, id);
            }
        }
        if waits {
            match self.host_for(id) {
                Some(h) => self.fold(id, h),
                None => self.pending.push(id),
            }
        } else {
            self.raised.push(id);
        }
    }

    /// The alert `v` folds into: the earliest-opened fitting one (any status).
    fn host_for(&self, v: u64) -> Option<u64> {
        let va = self.alerts.get(&v)?;
        let slack = self.slack(va.rule);
        self.alerts
            .iter()
            .filter(|(&h, ha)| h != v && fits(va, ha, slack))
            .min_by(|a, b| a.1.start.total_cmp(&b.1.start).then(a.0.cmp(b.0)))
            .map(|(&h, _)| h)
    }

    fn fold(&mut self, v: u64, h: u64) {
        if let Some(a) = self.alerts.get_mut(&v) {
            a.status = Status::Folded(h);
        }
        if let Some(a) = self.alerts.get_mut(&h) {
            a.folded.push(v);
        }
        self.pending.retain(|&p| p != v);
    }

    /// Raises or folds the waiting alerts whose slack ended before `now`.
    pub fn release(&mut self, now: f64) {
        let due: Vec<u64> = self
            .pending
            .iter()
            .copied()
            .filter(|p| {
                matches!(self.alerts.get(p).map(|a| a.status), Some(Status::Pending(d)) if d < now)
            })
            .collect();
        for v in due {
            self.pending.retain(|&p| p != v);
            match self.host_for(v) {
                Some(h) => self.fold(v, h),
                None => {
                    if let Some(a) = self.alerts.get_mut(&v) {
                        a.status = Status::Raised;
                    }
                    self.raised.push(v);
                }
            }
        }
    }

    /// Raised alerts that can no longer change nor gain folded alerts at `now`: they and every
    /// alert folded into them ended more than `after` ago.
    pub fn closable(&self, now: f64, after: f64) -> Vec<u64> {
        let done = |id: &u64| {
            let mut stack = vec![*id];
            while let Some(i) = stack.pop() {
                match self.alerts.get(&i) {
                    Some(a) if now - a.end > after => stack.extend(&a.folded),
                    Some(_) => return false,
                    None => {}
                }
            }
            true
        };
        self.alerts
            .iter()
            .filter(|(id, a)| a.status == Status::Raised && done(id))
            .map(|(&id, _)| id)
            .collect()
    }

    /// Forgets the open alerts that the cooldown can no longer extend at `now`.
    pub fn sweep(&mut self, now: f64) {
        let (alerts, cooldown) = (&self.alerts, self.cooldown);
        self.open
            .retain(|_, i| alerts.get(i).is_some_and(|a| now - a.end <= cooldown));
    }
}
