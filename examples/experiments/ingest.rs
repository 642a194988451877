//! Ingestion throughput (CPU MB/s) and the memory a table holds per 100k rows, through the
//! streaming reader in 4 MiB chunks as the worker feeds it.

use netsift::engine::data::Values;
use netsift::engine::ingest::{IngestOptions, StreamingReader};

use crate::data::cpu_s;

/// Heap bytes held by a table's columns (values plus categorical levels).
fn table_bytes(t: &netsift::engine::data::Table) -> usize {
    t.columns
        .iter()
        .map(|c| match &c.values {
            Values::Numeric(v) => v.capacity() * 8,
            Values::Categorical { levels, codes } => {
                codes.capacity() * 4 + levels.iter().map(|l| l.capacity() + 24).sum::<usize>()
            }
        })
        .sum()
}

fn run(name: &str, bytes: &[u8]) {
    let cpu0 = cpu_s();
    let start = std::time::Instant::now();
    let mut r = StreamingReader::new(name, IngestOptions::default());
    for c in bytes.chunks(4 << 20) {
        r.push(c).unwrap();
    }
    let got = r.finish().unwrap();
    let wall = start.elapsed().as_secs_f64();
    let secs = match cpu_s() - cpu0 {
        s if s.is_finite() => s,
        _ => wall,
    };
    let rows = got.table.n_rows();
    let mem = table_bytes(&got.table);
    println!(
        "{name}: {:.1} MB in {secs:.2} s CPU ({wall:.2} s wall) = {:.0} MB/s; {rows} rows x {} columns; table {:.1} MB = {:.1} MB per 100k rows ({})",
        bytes.len() as f64 / 1e6,
        bytes.len() as f64 / 1e6 / secs,
        got.table.columns.len(),
        mem as f64 / 1e6,
        mem as f64 / 1e6 / rows as f64 * 1e5,
        got.format
    );
}

/// A ~100 MB synthetic CSV in the connection-features schema (label and timestamp included),
/// then KDDTrain+ and KDDTest+ when present.
pub fn throughput() {
    let mut csv = String::from(
        "packet_size,duration,src_bytes,dst_bytes,protocol_type,flag,src_port,dst_port,packet_rate,error_rate,label,timestamp\n",
    );
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while csv.len() < 100_000_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        csv.push_str(&format!(
            "{},{:.4},{},{},{},{},{},{},{:.3},{:.4},{},{}\n",
            x % 1500,
            (x % 10_000) as f64 / 997.0,
            x % 100_000,
            (x >> 8) % 100_000,
            x % 3,
            x % 6,
            1024 + x % 60_000,
            [80, 443, 22, 53][(x % 4) as usize],
            (x % 5000) as f64 / 7.0,
            (x % 100) as f64 / 1000.0,
            u8::from(x.is_multiple_of(7)),
            1_700_000_000 + (x % 1_000_000),
        ));
    }
    run("synthetic-connection-features.csv", csv.as_bytes());
    for f in ["KDDTrain+.txt", "KDDTest+.txt"] {
        let path = crate::data::kdd_dir().join(f);
        match std::fs::read(&path) {
            Ok(b) => run(f, &b),
            Err(_) => println!("skipped: {} is absent", path.display()),
        }
    }
}
