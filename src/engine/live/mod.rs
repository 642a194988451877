//! Live mode: a seeded traffic simulator and capture replay, scored flow by flow as the stream
//! advances, with state that stays bounded however long it runs.
//!
//! | module | job |
//! |---|---|
//! | [`sim`] | [`Simulator`]: a record stream with per-record anomalies and attack bursts |
//! | [`session`] | [`LiveSession`]: source → rules + ensemble → [`LiveBatch`] per tick |

pub mod session;
pub mod sim;

pub use session::{
    live_table, AlertOrigin, LiveAlert, LiveAnomaly, LiveBatch, LiveSession, LiveSource,
    LiveStarted, ModelStatus, SecondAgg,
};
pub use sim::{SimFlow, SimParams, Simulator, Truth};
