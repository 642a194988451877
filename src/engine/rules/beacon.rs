//! Beaconing score: how regular are one pair's connection times and sizes.
//!
//! Malware calling home (command and control) connects at a fixed interval with requests of a
//! fixed size; people and most services do not. Threat-hunting tools (RITA, for example) score
//! the *dispersion* of inter-arrival intervals and of sizes with robust statistics. netsift's
//! score, for one source → destination(:port) with `n ≥ beacon_min_connections` connections:
//!
//! Intervals `d_i = t_{i+1} − t_i` of the sorted start times; `Q1, Q2, Q3` their quartiles
//! (linear interpolation), `IQR = Q3 − Q1`, `tol = beacon_jitter_tolerance` (default 0.2).
//!
//! * Bowley skew `B = (Q1 + Q3 − 2·Q2) / IQR` (0 when `IQR = 0`). Skew is noise when the spread
//!   itself is tiny, so it is weighted by how spread the data is:
//!   `skew_score = 1 − |B| · min(1, IQR / (tol·Q2))`.
//! * MADM = median of `|d_i − Q2|`: `madm_score = max(0, 1 − MADM / (tol·Q2))` — 1 for
//!   clockwork, 0 once the typical deviation reaches `tol` of the interval.
//! * `timing = (skew_score + madm_score) / 2`.
//!
//! Sizes (bytes in both directions, else packets) get the same two scores with the tolerance
//! `max(32, tol·median size)` (RITA uses a fixed 32 bytes): `size = (skew + madm) / 2`.
//!
//! `score = 0.6·timing + 0.4·size` (timing only when sizes are unknown). Timing weighs more
//! because fixed sizes alone are common in normal traffic (DNS lookups, health checks). An alert
//! needs `score ≥ beacon_min_score` (default 0.8). Clockwork with fixed sizes scores ≈ 1; random
//! (exponential or uniform) arrival times score ≤ 0.7 whatever the sizes.

use crate::engine::math;

/// The parts of a beaconing score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeaconScore {
    /// Final score in [0, 1].
    pub score: f64,
    /// Timing part in [0, 1].
    pub timing: f64,
    /// Size part in [0, 1] (`None` without sizes).
    pub size: Option<f64>,
    /// Median interval, seconds.
    pub interval_median: f64,
    /// Median absolute deviation of the intervals from their median, seconds.
    pub interval_madm: f64,
    /// Median size.
    pub size_median: Option<f64>,
}

fn dispersion(values: &[f64], tolerance: f64) -> (f64, f64, f64) {
    let s = math::sorted(values);
    let q1 = math::percentile_sorted(&s, 25.0);
    let q2 = math::percentile_sorted(&s, 50.0);
    let q3 = math::percentile_sorted(&s, 75.0);
    let iqr = q3 - q1;
    let bowley = if iqr > 0.0 {
        (q1 + q3 - 2.0 * q2) / iqr
    } else {
        0.0
    };
    let spread = if tolerance > 0.0 {
        (iqr / tolerance).min(1.0)
    } else {
        1.0
    };
    let skew_score = (1.0 - bowley.abs() * spread).clamp(0.0, 1.0);
    let dev: Vec<f64> = values.iter().map(|v| (v - q2).abs()).collect();
    let madm = math::median(&dev);
    let madm_score = if tolerance > 0.0 {
        (1.0 - madm / tolerance).clamp(0.0, 1.0)
    } else if madm == 0.0 {
        1.0
    } else {
        0.0
    };
    ((skew_score + madm_score) / 2.0, q2, madm)
}

/// Scores connection start times (any order) and optional sizes; `None` for fewer than 4
/// connections.
pub fn beacon_score(times: &[f64], sizes: Option<&[f64]>, tolerance: f64) -> Option<BeaconScore> {
    if times.len() < 4 {
        return None;
    }
    let t = math::sorted(times);
    let intervals: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let q2 = math::median(&intervals);
    let (timing, interval_median, interval_madm) = if q2 > 0.0 {
        dispersion(&intervals, tolerance * q2)
    } else {
        // Most connections start at the same instant: a burst, not a beacon.
        (0.0, q2, math::median(&intervals))
    };
    let size = sizes.filter(|s| s.len() == times.len()).map(|s| {
        let m = math::median(s);
        let (score, median, _) = dispersion(s, (tolerance * m).max(32.0));
        (score, median)
    });
    let score = match size {
        Some((s, _)) => 0.6 * timing + 0.4 * s,
        None => timing,
    };
    Some(BeaconScore {
        score,
        timing,
        size: size.map(|s| s.0),
        interval_median,
        interval_madm,
        size_median: size.map(|s| s.1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng;

    #[test]
    fn clockwork_scores_one() {
        let t: Vec<f64> = (0..20).map(|i| 60.0 * i as f64).collect();
        let s = vec![300.0; 20];
        let b = beacon_score(&t, Some(&s), 0.2).unwrap();
        assert_eq!(b.score, 1.0);
        assert_eq!(b.interval_median, 60.0);
    }

    #[test]
    fn random_arrivals_score_low_even_with_fixed_sizes() {
        let mut r = rng::seeded(3);
        let mut t = 0.0;
        let times: Vec<f64> = (0..40)
            .map(|_| {
                t += rng::uniform_range(&mut r, 1.0, 120.0);
                t
            })
            .collect();
        let b = beacon_score(&times, Some(&vec![80.0; 40]), 0.2).unwrap();
        assert!(b.score < 0.75, "{b:?}");
    }

    #[test]
    fn too_few_connections_give_no_score() {
        assert!(beacon_score(&[0.0, 1.0, 2.0], None, 0.2).is_none());
    }
}
