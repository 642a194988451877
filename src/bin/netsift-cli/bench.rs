//! `netsift-cli bench nsl-kdd DIR`: the engine's NSL-KDD protocols (`engine::bench`) with a native
//! clock and the counting allocator as memory probe.

use std::path::Path;
use std::time::Instant;

use netsift::engine::bench::{self, MemoryProbe};
use netsift::engine::data::Table;
use netsift::engine::pipeline::RunResult;
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

/// Runs every protocol (`engine::bench`), NSL-KDD then the generators; writes the verdicts of
/// `c_feedback_1pct` as `row,verdict` CSV to `verdicts_out` when given. Exits 0 with a notice when the data folder is absent.
pub fn nsl_kdd(
    dir: &Path,
    seed: u64,
    contamination: f64,
    verdicts_out: Option<&Path>,
) -> Result<(), String> {
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
    let test21_path = dir.join("KDDTest-21.txt");
    let test21 = if test21_path.exists() {
        Some(load(&test21_path, &LimitArgs::default())?)
    } else {
        eprintln!(
            "netsift-cli: no KDDTest-21.txt in {}; skipping its protocols",
            dir.display()
        );
        None
    };
    let clock = move || t0.elapsed().as_secs_f64();
    let (mut memory, mut progress) = (HeapProbe, NoProgress);
    let mut env = bench::BenchEnv {
        clock: &clock,
        memory: &mut memory,
        progress: &mut progress,
    };
    let data = bench::NslKdd {
        train: &train.table,
        test: &test.table,
        test21: test21.as_ref().map(|t| &t.table),
    };
    let dump = std::env::var_os("NETSIFT_BENCH_DUMP").map(std::path::PathBuf::from);
    let mut emit = |line: &bench::BenchLine| out!("{}", bench::to_json_line(line));
    let mut observe = |protocol: &str,
                       train: &Table,
                       trained: &RunResult,
                       scored: &[(&str, &Table, &RunResult)]| {
        if let Some(dir) = &dump {
            if let Err(e) = dump_scores(dir, protocol, train, trained, scored) {
                eprintln!("netsift-cli: dump: {e}");
            }
        }
    };
    let started = clock();
    let verdicts = bench::run_nsl_kdd_suite(
        &data,
        (seed, contamination),
        &mut env,
        &mut emit,
        &mut observe,
    )
    .map_err(|e| e.to_string())?;
    if let Some(path) = verdicts_out {
        let mut csv = String::from("row,verdict\n");
        for (row, attack) in &verdicts {
            csv.push_str(&format!("{row},{}\n", if *attack { "tp" } else { "fp" }));
        }
        std::fs::write(path, csv).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!(
        "netsift-cli: NSL-KDD: {:.2}s wall in all",
        clock() - started
    );
    let started = clock();
    bench::run_generator_suite((seed, contamination), &mut env, &mut emit, &mut observe)
        .map_err(|e| e.to_string())?;
    eprintln!(
        "netsift-cli: generators: {:.2}s wall in all",
        clock() - started
    );
    Ok(())
}

/// Writes one protocol's member scores as JSON for offline study (`NETSIFT_BENCH_DUMP=DIR`):
/// training rows' scores, labels, and each scored table's scores and labels.
fn dump_scores(
    dir: &Path,
    protocol: &str,
    train: &Table,
    trained: &RunResult,
    scored: &[(&str, &Table, &RunResult)],
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut value = serde_json::json!({
        "train_labels": train.labels(),
        "train_scores": trained.members.iter().map(|m| &m.scores).collect::<Vec<_>>(),
        "thresholds": trained.members.iter().map(|m| m.threshold).collect::<Vec<_>>(),
    });
    for (name, table, s) in scored {
        value[format!("{name}_labels")] = serde_json::json!(table.labels());
        value[format!("{name}_scores")] =
            serde_json::json!(s.members.iter().map(|m| &m.scores).collect::<Vec<_>>());
        value[format!("{name}_ensemble")] = serde_json::json!(s.ensemble_score);
    }
    let path = dir.join(format!("{protocol}.json"));
    std::fs::write(&path, value.to_string()).map_err(|e| e.to_string())
}
