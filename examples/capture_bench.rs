//! Times the capture path of a browser load natively (or under WASI): the pcap push parser with
//! the flow table, then the flow → table step, then the page summary, on a file read into memory
//! first (so disk reads are not timed).
//!
//!   cargo run --release --no-default-features --example capture_bench -- FILE [CHUNK_MIB] [REPEATS]

use std::time::Instant;

use netsift::engine::ingest::capture::FlowConfig;
use netsift::engine::ingest::{AutoReader, IngestOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: capture_bench FILE [CHUNK_MIB] [REPEATS]");
        std::process::exit(2);
    };
    let chunk_mib: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let repeats: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    for _ in 0..repeats {
        let t0 = Instant::now();
        let mut r = AutoReader::new(path, IngestOptions::default(), FlowConfig::default());
        for c in bytes.chunks(chunk_mib << 20) {
            if let Err(e) = r.push(c) {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        let t1 = Instant::now();
        let ing = match r.finish() {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let t2 = Instant::now();
        let cols = netsift::engine::data::summarize(&ing.table);
        let t3 = Instant::now();
        let packets = ing.capture.as_ref().map_or(0, |c| c.packets);
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        println!(
            "push {:.1} ms ({:.0} ns/packet) · finish {:.1} ms · summarize {:.1} ms ({} columns) · {} packets, {} flows",
            ms(t0, t1),
            ms(t0, t1) * 1e6 / packets.max(1) as f64,
            ms(t1, t2),
            ms(t2, t3),
            cols.len(),
            packets,
            ing.table.n_rows()
        );
    }
}
