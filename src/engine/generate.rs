//! Seeded synthetic data: sample traffic in the connection-features schema.
//!
//! [`sample_traffic`] draws `rows` rows of which `floor(rows · anomaly_ratio)` are anomalous,
//! with the columns of the connection-features preset, in its order, all numeric:
//!
//! | column | normal | anomalous |
//! |---|---|---|
//! | `packet_size` | N(512, 100) → [64, 1500] | thirds: N(1400, 50) → [1200, 1500]; N(100, 20) → [64, 200]; N(512, 100) → [64, 1500] |
//! | `duration` | Exp(2) → [0.1, 30] | halves: Exp(15) → [10, 100]; Exp(0.1) → [0.01, 0.5] |
//! | `src_bytes`, `dst_bytes` | N(5000, 1500) → [100, 50000] | halves: N(40000, 10000) → [30000, 100000]; N(200, 100) → [10, 500] |
//! | `protocol_type` (0 TCP, 1 UDP, 2 ICMP) | p = .70 .25 .05 | p = .3 .3 .4 |
//! | `flag` (0–5) | p = .6 .2 .1 .05 .03 .02 | p = .1 .1 .2 .3 .2 .1 |
//! | `src_port` | uniform 1024–65534 | uniform 1–1023 |
//! | `dst_port` | 80 443 22 21 25 53, p = .4 .3 .15 .05 .05 .05 | uniform 8000–65534 |
//! | `packet_rate` | N(50, 15) → [1, 200] | halves: N(500, 100) → [300, 1000]; N(2, 1) → [0.1, 5] |
//! | `error_rate` | N(0.5, 0.3) → [0, 5] | N(15, 5) → [10, 50] |
//!
//! "→ [a, b]" is clipping. As in the original generator, an anomaly's sub-pattern follows its
//! position among the anomalies (first third / first half …), so the thirds of `packet_size` and
//! the halves of the other columns mix within one row.
//!
//! Then come `timestamp` ([`Role::Timestamp`], epoch seconds rounded to the millisecond) and
//! `label` (0 normal / 1 anomaly, [`Role::Label`]).
//!
//! **Time order (unlike the original generator, which put every anomaly first):** `rows`
//! instants are drawn uniformly in `[start, start + duration_s]` and sorted, the rows are
//! shuffled, and the i-th row of the shuffled order gets the i-th instant. The result is sorted by time, arrivals are
//! Poisson-like, and the anomalies are spread uniformly at random through the whole span,
//! interleaved with normal traffic — so time-based views and any split by time see both classes.
//!
//! The connection-features CSV round-trips: `protocol_type` and `flag` stay numeric codes.

use serde::{Deserialize, Serialize};

use crate::engine::data::{Column, Meaning, Role, Table};
use crate::engine::error::ParamError;
use crate::engine::rng::{self, EngineRng};

/// Largest number of rows [`sample_traffic`] makes.
pub const MAX_SAMPLE_ROWS: usize = 5_000_000;

/// Parameters of the sample-traffic generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleParams {
    /// Number of rows, 1 ..= 5,000,000 (default 1000).
    pub rows: usize,
    /// Share of anomalous rows, in [0, 1) (default 0.15).
    pub anomaly_ratio: f64,
    /// PRNG seed (default 42).
    pub seed: u64,
    /// First timestamp, seconds since the Unix epoch (default 2025-01-01T00:00:00Z).
    pub start: f64,
    /// Span of the timestamps in seconds, ≥ 0 (default 10,000).
    pub duration_s: f64,
}

impl Default for SampleParams {
    fn default() -> Self {
        // 1000 rows, 15 % anomalies, one row every ~10 s from 2025-01-01T00:00:00Z (the original cadence).
        Self {
            rows: 1000,
            anomaly_ratio: 0.15,
            seed: 42,
            start: 1_735_689_600.0,
            duration_s: 10_000.0,
        }
    }
}

impl SampleParams {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.rows == 0 || self.rows > MAX_SAMPLE_ROWS {
            return Err(ParamError::new(
                "rows",
                format!("must be in 1 ..= {MAX_SAMPLE_ROWS}, got {}", self.rows),
            ));
        }
        if !(self.anomaly_ratio >= 0.0 && self.anomaly_ratio < 1.0) {
            return Err(ParamError::new(
                "anomaly_ratio",
                format!("must be in [0, 1), got {}", self.anomaly_ratio),
            ));
        }
        if !self.start.is_finite() {
            return Err(ParamError::new(
                "start",
                "must be a finite number of seconds",
            ));
        }
        if !(self.duration_s.is_finite() && self.duration_s >= 0.0) {
            return Err(ParamError::new(
                "duration_s",
                format!("must be a finite number ≥ 0, got {}", self.duration_s),
            ));
        }
        Ok(())
    }

    /// Number of anomalous rows: `floor(rows · anomaly_ratio)` (as the original's `int(n · ratio)`).
    pub fn n_anomalies(&self) -> usize {
        ((self.rows as f64) * self.anomaly_ratio).floor() as usize
    }
}

/// The column names, in order.
pub const COLUMNS: [&str; 12] = [
    "packet_size",
    "duration",
    "src_bytes",
    "dst_bytes",
    "protocol_type",
    "flag",
    "src_port",
    "dst_port",
    "packet_rate",
    "error_rate",
    "timestamp",
    "label",
];

fn clipped_normal(r: &mut EngineRng, mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    rng::normal(r, mean, sd).clamp(lo, hi)
}

fn clipped_exp(r: &mut EngineRng, scale: f64, lo: f64, hi: f64) -> f64 {
    rng::exponential(r, scale).clamp(lo, hi)
}

/// Uniform integer in `lo ..= hi`.
fn int_between(r: &mut EngineRng, lo: u64, hi: u64) -> f64 {
    (lo + rng::below(r, hi - lo + 1)) as f64
}

/// One generated row (the ten features).
fn draw_row(r: &mut EngineRng, anomaly: Option<(usize, usize)>) -> [f64; 10] {
    const DST_PORTS: [f64; 6] = [80.0, 443.0, 22.0, 21.0, 25.0, 53.0];
    match anomaly {
        None => {
            let packet_size = clipped_normal(r, 512.0, 100.0, 64.0, 1500.0);
            let duration = clipped_exp(r, 2.0, 0.1, 30.0);
            let src_bytes = clipped_normal(r, 5000.0, 1500.0, 100.0, 50000.0);
            let dst_bytes = clipped_normal(r, 5000.0, 1500.0, 100.0, 50000.0);
            let protocol = rng::weighted_index(r, &[0.7, 0.25, 0.05]) as f64;
            let flag = rng::weighted_index(r, &[0.6, 0.2, 0.1, 0.05, 0.03, 0.02]) as f64;
            let src_port = int_between(r, 1024, 65534);
            let dst_port = DST_PORTS[rng::weighted_index(r, &[0.4, 0.3, 0.15, 0.05, 0.05, 0.05])];
            let packet_rate = clipped_normal(r, 50.0, 15.0, 1.0, 200.0);
            let error_rate = clipped_normal(r, 0.5, 0.3, 0.0, 5.0);
            [
                packet_size,
                duration,
                src_bytes,
                dst_bytes,
                protocol,
                flag,
                src_port,
                dst_port,
                packet_rate,
                error_rate,
            ]
        }
        Some((j, n)) => {
            let third = n / 3;
            let half = n / 2;
            let packet_size = if j < third {
                clipped_normal(r, 1400.0, 50.0, 1200.0, 1500.0)
            } else if j < 2 * third {
                clipped_normal(r, 100.0, 20.0, 64.0, 200.0)
            } else {
                clipped_normal(r, 512.0, 100.0, 64.0, 1500.0)
            };
            let first_half = j < half;
            let duration = if first_half {
                clipped_exp(r, 15.0, 10.0, 100.0)
            } else {
                clipped_exp(r, 0.1, 0.01, 0.5)
            };
            let mut bytes = || {
                if first_half {
                    clipped_normal(r, 40000.0, 10000.0, 30000.0, 100000.0)
                } else {
                    clipped_normal(r, 200.0, 100.0, 10.0, 500.0)
                }
            };
            let src_bytes = bytes();
            let dst_bytes = bytes();
            let protocol = rng::weighted_index(r, &[0.3, 0.3, 0.4]) as f64;
            let flag = rng::weighted_index(r, &[0.1, 0.1, 0.2, 0.3, 0.2, 0.1]) as f64;
            let src_port = int_between(r, 1, 1023);
            let dst_port = int_between(r, 8000, 65534);
            let packet_rate = if first_half {
                clipped_normal(r, 500.0, 100.0, 300.0, 1000.0)
            } else {
                clipped_normal(r, 2.0, 1.0, 0.1, 5.0)
            };
            let error_rate = clipped_normal(r, 15.0, 5.0, 10.0, 50.0);
            [
                packet_size,
                duration,
                src_bytes,
                dst_bytes,
                protocol,
                flag,
                src_port,
                dst_port,
                packet_rate,
                error_rate,
            ]
        }
    }
}

/// Generates the sample traffic (see the module docs for the distributions and the time
/// order). Same params → the same table on every platform.
///
/// ```
/// use netsift::engine::generate::{sample_traffic, SampleParams};
/// let t = sample_traffic(&SampleParams::default()).unwrap();
/// assert_eq!(t.n_rows(), 1000);
/// let anomalies = t.labels().unwrap().iter().filter(|l| **l == Some(true)).count();
/// assert_eq!(anomalies, 150);
/// ```
pub fn sample_traffic(params: &SampleParams) -> Result<Table, ParamError> {
    params.validate()?;
    let n = params.rows;
    let n_anom = params.n_anomalies();
    let n_normal = n - n_anom;
    let mut r = rng::seeded(params.seed);

    // Rows in generation order: normal rows, then anomalies (j-th of n_anom).
    let mut rows: Vec<([f64; 10], bool)> = Vec::with_capacity(n);
    for _ in 0..n_normal {
        rows.push((draw_row(&mut r, None), false));
    }
    for j in 0..n_anom {
        rows.push((draw_row(&mut r, Some((j, n_anom))), true));
    }

    // Interleave: shuffled rows get sorted uniform instants.
    rng::shuffle(&mut r, &mut rows);
    let mut times: Vec<f64> = (0..n)
        .map(|_| {
            let t = params.start + params.duration_s * rng::uniform(&mut r);
            (t * 1000.0).round() / 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);

    let mut cols: Vec<Vec<f64>> = (0..10).map(|_| Vec::with_capacity(n)).collect();
    let mut labels = Vec::with_capacity(n);
    for (values, anomaly) in &rows {
        for (c, v) in cols.iter_mut().zip(values) {
            c.push(*v);
        }
        labels.push(if *anomaly { 1.0 } else { 0.0 });
    }
    let mut columns: Vec<Column> = cols
        .into_iter()
        .zip(COLUMNS)
        .map(|(v, name)| Column::numeric(name, v))
        .collect();
    for c in &mut columns {
        c.meaning = match c.name.as_str() {
            "duration" => Some(Meaning::Duration),
            "protocol_type" => Some(Meaning::Protocol),
            "src_port" => Some(Meaning::SrcPort),
            "dst_port" => Some(Meaning::DstPort),
            _ => None,
        };
    }
    columns.push(Column::numeric("timestamp", times).with_role(Role::Timestamp));
    columns.push(Column::numeric("label", labels).with_role(Role::Label));
    Ok(Table { columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_must_be_positive() {
        let p = SampleParams {
            rows: 0,
            ..SampleParams::default()
        };
        assert_eq!(sample_traffic(&p).unwrap_err().field, "rows");
    }

    #[test]
    fn ratio_must_be_below_one() {
        for bad in [1.0, -0.1, f64::NAN] {
            let p = SampleParams {
                anomaly_ratio: bad,
                ..SampleParams::default()
            };
            assert_eq!(sample_traffic(&p).unwrap_err().field, "anomaly_ratio");
        }
    }

    #[test]
    fn duration_cannot_be_negative() {
        let p = SampleParams {
            duration_s: -1.0,
            ..SampleParams::default()
        };
        assert_eq!(sample_traffic(&p).unwrap_err().field, "duration_s");
    }

    #[test]
    fn anomalies_are_interleaved_in_time() {
        let t = sample_traffic(&SampleParams::default()).unwrap();
        let labels = t.labels().unwrap();
        let first_half = labels[..500].iter().filter(|l| **l == Some(true)).count();
        let second_half = labels[500..].iter().filter(|l| **l == Some(true)).count();
        assert!(
            first_half > 40 && second_half > 40,
            "{first_half} / {second_half}"
        );
        let ts = t.timestamps().unwrap();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]));
        assert!(ts[0] >= 1_735_689_600.0 && ts[999] <= 1_735_689_600.0 + 10_000.0);
    }
}
