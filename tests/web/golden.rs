//! Bit-identity goldens: hashes of engine outputs that must be the same natively and in wasm32.
//!
//! The same functions run in both test runs (`cargo test --test web` natively and
//! `cargo test --target wasm32-unknown-unknown --test web` in headless Chromium) and compare with
//! the same committed constants, so a platform difference in the PRNG, the libm functions, the
//! generator or a detector shows up as a failing test on one side. To refresh after an intended
//! change: run natively with `-- --nocapture`, read the printed hashes, update the constants.

use netsift::engine::data::Values;
use netsift::engine::generate::{sample_traffic, SampleParams};
use netsift::engine::models::{AnyParams, DetectorKind};
use netsift::engine::pipeline::{run, RunConfig};
use netsift::engine::progress::NoProgress;
use netsift::engine::{math, rng};

/// FNV-1a over the bit patterns of a stream of f64.
pub fn hash_f64s(values: impl IntoIterator<Item = f64>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in values {
        for b in v.to_bits().to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// 10 000 draws of each distribution the engine uses, from seed 42.
pub fn rng_stream_hash() -> u64 {
    let mut r = rng::seeded(42);
    let mut out = Vec::with_capacity(40_000);
    for _ in 0..10_000 {
        out.push(rng::uniform(&mut r));
        out.push(rng::standard_normal(&mut r));
        out.push(rng::below(&mut r, 1_000_003) as f64);
        out.push(rng::derive_seed(42, out.len() as u64) as f64);
    }
    hash_f64s(out)
}

/// exp, ln, log2, exp2, pow, sqrt, cos over a grid that spans small, large and awkward inputs.
pub fn math_hash() -> u64 {
    let mut out = Vec::new();
    for i in 1..=5_000u32 {
        let x = f64::from(i) * 0.0137 - 20.0;
        let y = f64::from(i) * 0.731;
        out.push(math::exp(x));
        out.push(math::ln(y));
        out.push(math::log2(y));
        out.push(math::exp2(x * 0.5));
        out.push(math::pow(y, 0.37));
        out.push(math::sqrt(y));
        out.push(math::cos(x * 3.1));
    }
    hash_f64s(out)
}

/// Every cell of the default sample data set (1000 rows, 15 %, seed 42).
pub fn sample_hash() -> u64 {
    let t = sample_traffic(&SampleParams::default()).expect("default params are valid");
    hash_f64s(t.columns.iter().flat_map(|c| match &c.values {
        Values::Numeric(v) => v.clone(),
        Values::Categorical { codes, .. } => codes.iter().map(|&c| f64::from(c)).collect(),
    }))
}

/// One detector run through the pipeline on the default sample: every member score, its
/// threshold and the ensemble score.
pub fn detector_run_hash(kind: DetectorKind) -> u64 {
    let t = sample_traffic(&SampleParams::default()).expect("default params are valid");
    let mut config = RunConfig::default();
    config.detectors = vec![AnyParams::default_for(
        kind,
        config.contamination,
        config.seed,
    )];
    let (_, r) = run(&config, &t, &mut NoProgress).expect("the pipeline runs on sample data");
    let m = &r.members[0];
    hash_f64s(
        m.scores
            .iter()
            .copied()
            .chain([m.threshold])
            .chain(r.ensemble_score.iter().copied()),
    )
}

/// The default four-detector ensemble on the default sample: every member's scores and
/// threshold, the votes, the ensemble score and the confidence.
pub fn ensemble_run_hash() -> u64 {
    let t = sample_traffic(&SampleParams::default()).expect("default params are valid");
    let (_, r) = run(&RunConfig::default(), &t, &mut NoProgress).expect("the pipeline runs");
    hash_f64s(
        r.members
            .iter()
            .flat_map(|m| m.scores.iter().copied().chain([m.threshold]))
            .chain(r.votes.iter().map(|&v| f64::from(v)))
            .chain(r.ensemble_score.iter().copied())
            .chain(r.confidence.iter().copied()),
    )
}

/// Expected [`rng_stream_hash`].
pub const RNG_STREAM: u64 = 0xe52d_5e56_f1a9_7bad;
/// Expected [`math_hash`].
pub const MATH: u64 = 0x54e0_238d_041d_e77a;
/// Expected [`sample_hash`].
pub const SAMPLE: u64 = 0xd629_eea4_7e89_9ced;
/// Expected [`detector_run_hash`] of the Isolation Forest.
pub const ISOLATION_FOREST_RUN: u64 = 0x5beb_2bf9_9fda_64de;
/// Expected [`detector_run_hash`] of the One-Class SVM.
pub const ONE_CLASS_SVM_RUN: u64 = 0x957f_dd10_1411_0870;
/// Expected [`detector_run_hash`] of LOF.
pub const LOF_RUN: u64 = 0x1b69_f05e_856d_48c0;
/// Expected [`detector_run_hash`] of the autoencoder.
pub const AUTOENCODER_RUN: u64 = 0x1c3a_a752_a4d3_fe2b;
/// Expected [`ensemble_run_hash`] (refreshed when the ensemble score became the mean evidence of
/// the top k members, `engine::ensemble::Combine::TopEvidence`: scores moved, votes did not).
pub const ENSEMBLE_RUN: u64 = 0x7f87_cb53_13a9_e30d;
