//! Times a load the way the browser worker does it (slices of 16 MiB through `AutoReader`, then
//! the column summary) and prints a digest of the table and summary, so a change to the reader
//! can be checked for identical output:
//!
//!   cargo run --release --no-default-features --example ingest_time -- FILE [REPEATS]
use std::hash::{Hash, Hasher};
use std::time::Instant;

use netsift::engine::data::{summarize, Values};
use netsift::engine::ingest::{AutoReader, IngestOptions};

/// CPU time of this thread in ms (the machine is shared: wall time says little), from the
/// scheduler's nanosecond count.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: ingest_time FILE [REPEATS]");
        return;
    };
    let repeats: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return;
        }
    };
    for _ in 0..repeats {
        let t0 = Instant::now();
        let c0 = cpu_ms();
        let opts = IngestOptions {
            size_hint: Some(bytes.len() as u64),
            ..IngestOptions::default()
        };
        let mut r = AutoReader::new(&path, opts, Default::default());
        for piece in bytes.chunks(16 << 20) {
            if let Err(e) = r.push(piece) {
                eprintln!("{e}");
                return;
            }
        }
        let got = match r.finish() {
            Ok(g) => g,
            Err(e) => {
                eprintln!("{e}");
                return;
            }
        };
        let parse = t0.elapsed().as_secs_f64() * 1e3;
        let c1 = cpu_ms();
        let t1 = Instant::now();
        let s = summarize(&got.table);
        let summary = t1.elapsed().as_secs_f64() * 1e3;
        let c2 = cpu_ms();
        if std::env::var_os("PER_COLUMN").is_some() {
            for c in &got.table.columns {
                let t = cpu_ms();
                let one = netsift::engine::data::Table {
                    columns: vec![c.clone()],
                };
                let t1 = cpu_ms();
                let s = summarize(&one);
                println!(
                    "  {}: {:.1} ms (distinct {} exact {})",
                    c.name,
                    cpu_ms() - t1,
                    s[0].distinct,
                    s[0].distinct_exact
                );
                let _ = t;
            }
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in &got.table.columns {
            c.name.hash(&mut h);
            format!("{:?}{:?}", c.role, c.meaning).hash(&mut h);
            match &c.values {
                Values::Numeric(v) => v.iter().for_each(|x| x.to_bits().hash(&mut h)),
                Values::Categorical { levels, codes } => {
                    levels.hash(&mut h);
                    codes.hash(&mut h);
                }
            }
        }
        format!("{:?}{:?}{:?}", got.format, got.warnings, got.mapping).hash(&mut h);
        for c in &s {
            format!("{c:?}").hash(&mut h);
            c.min.map(f64::to_bits).hash(&mut h);
            c.median.map(f64::to_bits).hash(&mut h);
            c.max.map(f64::to_bits).hash(&mut h);
        }
        println!(
            "{path}: {} rows, wall parse {parse:.1} ms, summary {summary:.1} ms; cpu parse {:.1} ms ({:.1} MB/s), summary {:.1} ms; digest {:016x}",
            got.table.n_rows(),
            c1 - c0,
            bytes.len() as f64 / (c1 - c0) / 1e3,
            c2 - c1,
            h.finish()
        );
    }
}
