//! Long connection: one conversation per 5-tuple (flows less than the gap apart) lasting hours.

use super::book::{AlertBook, AlertKey, Firing, FiveTuple};
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::EngineSizes;
use super::{RuleKind, RulesConfig};

/// Flows kept per conversation (the first and at most this many minus one more).
const MAX_ROWS: usize = 64;

/// One conversation.
#[derive(Debug)]
struct Conversation {
    start: f64,
    end: f64,
    /// The conversation's first flow (most never get a second: no allocation for those).
    first: u32,
    /// Its next flows, at most `MAX_ROWS − 1`.
    more: Vec<u32>,
}

/// The long-connection rule: open conversations per 5-tuple.
#[derive(Debug)]
pub(super) struct LongConnection {
    min_s: f64,
    gap_s: f64,
    conversations: FxMap<FiveTuple, Conversation>,
}

impl LongConnection {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            min_s: c.long_connection_s,
            gap_s: c.long_connection_gap_s,
            conversations: FxMap::default(),
        }
    }
}

/// The record's 5-tuple (missing ports 0, a missing protocol 255).
fn five_tuple(f: &Flow) -> FiveTuple {
    FiveTuple {
        src: f.src,
        dst: f.dst,
        src_port: f.rec.src_port.unwrap_or(0),
        dst_port: f.rec.dst_port.unwrap_or(0),
        protocol: f.rec.protocol.map_or(255, u16::from),
    }
}

impl Rule for LongConnection {
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        let r = f.rec;
        let key = five_tuple(f);
        if !(r.end > r.ts || self.conversations.contains_key(&key)) {
            return;
        }
        let (t, end, row) = (f.t, f.end, f.row);
        let fresh = || Conversation {
            start: t,
            end,
            first: row,
            more: Vec::new(),
        };
        let mut new = false;
        let run = self.conversations.entry(key).or_insert_with(|| {
            new = true;
            fresh()
        });
        if !new {
            if t > run.end + self.gap_s {
                *run = fresh();
            } else if run.more.len() < MAX_ROWS - 1 {
                run.more.push(row);
            }
        }
        run.end = run.end.max(end);
        let d = run.end - run.start;
        if d >= self.min_s {
            book.fire(
                Firing {
                    rule: RuleKind::LongConnection,
                    key: AlertKey::Conversation(key),
                    src: Some(f.src),
                    dst: Some(f.dst),
                    port: r.dst_port,
                    start: run.start,
                    end: run.end,
                    evidence: &[("duration_s", d)],
                    ratio: d / self.min_s,
                },
                &mut std::iter::once(run.first)
                    .chain(run.more.iter().copied())
                    .map(|r| (f64::INFINITY, r)),
            );
        }
    }

    fn sweep(&mut self, now: f64) {
        let gap = self.gap_s;
        self.conversations.retain(|_, r| now <= r.end + gap);
    }

    fn sizes(&self, s: &mut EngineSizes) {
        s.conversations += self.conversations.len();
    }
}
