//! `netsift-cli bench nsl-kdd DIR`: the engine's NSL-KDD protocols (`engine::bench`) with a native
//! clock and the counting allocator as memory probe.

use std::path::Path;
use std::time::Instant;

use netsift::engine::bench::{self, MemoryProbe};
use netsift::engine::progress::NoProgress;

use crate::alloc;
use crate::commands::{load, LimitArgs};

struct HeapProbe;

impl MemoryProbe for HeapProbe {
    fn reset(&mut self) {
        alloc::reset_peak();
    }
    fn peak_mb(&self) -> Option<f64> {
        Some(alloc::peak_mb())
    }
}

/// Runs both protocols; exits 0 with a notice when the data folder is absent.
pub fn nsl_kdd(dir: &Path, seed: u64, contamination: f64) -> Result<(), String> {
    let train_path = dir.join("KDDTrain+.txt");
    let test_path = dir.join("KDDTest+.txt");
    if !train_path.exists() || !test_path.exists() {
        eprintln!(
            "netsift-cli: NSL-KDD not found in {} (need KDDTrain+.txt and KDDTest+.txt); nothing to benchmark",
            dir.display()
        );
        return Ok(());
    }
    let t0 = Instant::now();
    let train = load(&train_path, &LimitArgs::default())?;
    let test = load(&test_path, &LimitArgs::default())?;
    eprintln!(
        "netsift-cli: loaded {} + {} rows ({}) in {:.2}s",
        train.table.n_rows(),
        test.table.n_rows(),
        train.format,
        t0.elapsed().as_secs_f64()
    );
    let clock = move || t0.elapsed().as_secs_f64();
    let (mut memory, mut progress) = (HeapProbe, NoProgress);
    let mut env = bench::BenchEnv {
        clock: &clock,
        memory: &mut memory,
        progress: &mut progress,
    };
    for protocol in bench::PROTOCOLS {
        let started = clock();
        let lines = bench::run_protocol(
            protocol,
            &train.table,
            &test.table,
            (seed, contamination),
            &mut env,
        )
        .map_err(|e| e.to_string())?;
        for line in &lines {
            out!("{}", bench::to_json_line(line));
        }
        eprintln!(
            "netsift-cli: {}: {:.2}s wall in all",
            protocol.0,
            clock() - started
        );
    }
    Ok(())
}
