//! The contract every rule implements, and the flow it sees.
//!
//! A new rule is one new file with a type implementing [`Rule`], plus one line in
//! [`rules`](super::run::rules) (the list the engine runs, in order).

use std::fmt::Debug;

use super::book::AlertBook;
use super::run::EngineSizes;
use super::FlowRecord;

/// One record as the rules see it: its addresses interned and its times settled.
pub(super) struct Flow<'a> {
    /// The record.
    pub rec: &'a FlowRecord,
    /// Stream time of the record (its start, never before an earlier record's).
    pub t: f64,
    /// Its end (at least `t`).
    pub end: f64,
    /// Interned source address.
    pub src: u32,
    /// Interned destination address.
    pub dst: u32,
    /// The record's row.
    pub row: u32,
    /// Whether the destination is outside the private ranges.
    pub dst_external: bool,
    /// [`FlowRecord::half_open_syns`].
    pub half_open: Option<u64>,
    /// Interned registered domain of the record's DNS question (DNS tunnelling), when it has
    /// one.
    pub domain: Option<u32>,
}

/// One rule (or family of rules sharing their state): records in, firings into the book.
///
/// Every decision must be taken at a record's time or on a fixed time grid (see "Batch = stream"
/// in [`run`](super::run)), never when the caller polls.
pub(super) trait Rule: Debug + Send + Sync {
    /// Takes one record, in time order.
    fn push(&mut self, flow: &Flow, book: &mut AlertBook);
    /// Stream time reached second `upto`: decides what waited for earlier seconds to end.
    fn settle(&mut self, _upto: i64, _book: &mut AlertBook) {}
    /// The stream has ended: decides what waited for more records (after every rule settled).
    fn flush(&mut self, _book: &mut AlertBook) {}
    /// Drops what can no longer matter at `now` (a sweep-grid boundary).
    fn sweep(&mut self, now: f64);
    /// Adds what the rule holds to `sizes`.
    fn sizes(&self, sizes: &mut EngineSizes);
}
