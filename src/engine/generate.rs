//! Seeded synthetic data: seed 001's traffic generator. (Params only; to be implemented.)

use serde::{Deserialize, Serialize};

/// Parameters of the sample-traffic generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleParams {
    /// Number of rows.
    pub rows: usize,
    /// Share of anomalous rows, in [0, 1).
    pub anomaly_ratio: f64,
    /// PRNG seed.
    pub seed: u64,
    /// First timestamp, seconds since the Unix epoch.
    pub start: f64,
    /// Span of the timestamps in seconds.
    pub duration_s: f64,
}

impl Default for SampleParams {
    fn default() -> Self {
        // 1000 rows, 15 % anomalies, one row every ~10 s from 2025-01-01T00:00:00Z (seed 001's cadence).
        Self {
            rows: 1000,
            anomaly_ratio: 0.15,
            seed: 42,
            start: 1_735_689_600.0,
            duration_s: 10_000.0,
        }
    }
}
