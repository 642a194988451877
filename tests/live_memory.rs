//! Live mode keeps its memory flat: one simulated hour at 1,000 flows/s (3.6 million flows),
//! measured with a counting global allocator (its own test binary, so no other test shares the
//! counter).
//!
//! `cargo test --release --no-default-features --test live_memory -- --nocapture` prints the
//! live heap every ten simulated minutes. `LIVE_MEMORY_MINUTES=20` shortens the run (for debug
//! builds); the default is the full hour.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use netsift::engine::live::{LiveSession, LiveSource, SimParams};
use netsift::engine::models::{AnyParams, DetectorKind};
use netsift::engine::pipeline::RunConfig;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to the system allocator unchanged and only updates a counter.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            CURRENT.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_add(new_size, Ordering::Relaxed);
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn one_hour_at_1000_flows_per_second_stays_bounded() {
    let config = RunConfig {
        detectors: vec![AnyParams::default_for(
            DetectorKind::IsolationForest,
            0.15,
            42,
        )],
        min_votes: 1,
        ..RunConfig::default()
    };
    let params = SimParams {
        rate: 1000.0,
        ..SimParams::default()
    };
    let (mut s, _) = LiveSession::start(LiveSource::Simulator(params), config, None, None).unwrap();
    let mut samples = Vec::new();
    let mut flows = 0;
    let mut rule_alerts = 0;
    // Ticks of 1 s of stream time; a batch is dropped right away, as the worker posts it.
    let minutes: u32 = std::env::var("LIVE_MEMORY_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .filter(|&m| m >= 20)
        .unwrap_or(60);
    for second in 1..=minutes * 60 {
        let b = s.tick(1.0, None);
        flows = b.flows_total;
        rule_alerts += b
            .alerts
            .iter()
            .filter(|a| a.origin == netsift::engine::live::AlertOrigin::Rule)
            .count();
        drop(b);
        if second % 600 == 0 {
            let heap = CURRENT.load(Ordering::Relaxed);
            println!(
                "{:>3} min: {flows} flows, live heap {:.2} MB, rules hold {:?}, bounded parts {:?}",
                second / 60,
                heap as f64 / 1_048_576.0,
                s.rule_sizes(),
                s.bounded_sizes()
            );
            samples.push(heap);
        }
    }
    assert!(
        flows as f64 > 0.97 * f64::from(minutes) * 60_000.0,
        "{flows}"
    );
    // One burst every 40 s; a burst repeating its attacker and target within the 300 s
    // cooldown of the same alert is folded into it (seed 002's de-duplication), so about one
    // alert per minute is reported, not 1.5.
    assert!(
        rule_alerts as f64 >= 0.5 * f64::from(minutes),
        "bursts keep being reported: {rule_alerts}"
    );
    let first = samples[0] as f64;
    let peak = samples.iter().copied().max().unwrap_or(0) as f64;
    println!(
        "heap after 10 min {:.2} MB, peak sample {:.2} MB, at the end {:.2} MB",
        first / 1_048_576.0,
        peak / 1_048_576.0,
        samples.last().copied().unwrap_or(0) as f64 / 1_048_576.0
    );
    // Flat: no sample more than 25 % (or 2 MB) above the 10-minute one.
    assert!(
        peak <= first * 1.25 + 2.0 * 1_048_576.0,
        "memory grew: {samples:?}"
    );
    // One long-lived rule engine: its beaconing history stays within its documented cap and
    // closed alerts are dropped every tick.
    let rules = s.rule_sizes();
    assert!(
        rules.beacon_connections <= netsift::engine::rules::BEACON_MAX_TOTAL,
        "{rules:?}"
    );
    assert_eq!(rules.closed, 0);
    let [warm, recent, groups, queued] = s.bounded_sizes();
    assert_eq!(warm, 0);
    assert!(
        recent < 100 && groups <= 21 && queued <= 400,
        "{recent} {groups} {queued}"
    );
}
