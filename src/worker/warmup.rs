//! Warms the file-loading code up while the page is idle.
//!
//! V8 compiles a WebAssembly function the first time it is called, with its baseline compiler
//! (Liftoff), and recompiles the functions that turn out hot with its optimising compiler
//! (TurboFan) in the background. A call that is already running keeps the code it started with.
//! So the first file an analyst dropped used to pay for compiling the whole load path and then
//! ran its first slices (1 MiB, 2 MiB, …) through baseline code: on a 22.6 MB NSL-KDD file the
//! first 1 MiB slice took 150–200 ms instead of ≈ 20 ms on a second load of the same file.
//!
//! Once the worker has started, it reads three small inputs made here (a seed-001 CSV, a
//! headerless NSL-KDD-shaped text and a pcap from the capture generator) through the same
//! [`AutoReader`] and [`DatasetSummary::of`](crate::worker::protocol::DatasetSummary::of) a real load uses, in
//! small chunks, and throws the results away. That compiles those functions and uses up
//! their tier-up budget, so the optimised code is ready before a real file arrives. The worker's
//! state (the loaded data set, the last run) is never touched. It also passes one harmless
//! message (a `Cancel` for no job) through the message handler, whose answer is dropped. A
//! request that arrives meanwhile waits for the warm-up to finish (≈ 0.3 s of one core in all,
//! the longest task ≈ 0.16 s, once per page load).

use crate::engine::generate::{sample_traffic, SampleParams};
use crate::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
use crate::engine::report::table_csv;
use crate::engine::rng::{self, below, EngineRng};

/// Bytes per push: several calls per input, as the slices of a real file are.
pub const CHUNK: usize = 32 * 1024;

/// The inputs read by the warm-up: (file name, bytes).
pub fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let sample = SampleParams {
        rows: 2_000,
        ..SampleParams::default()
    };
    let csv = sample_traffic(&sample)
        .map(|t| table_csv(&t))
        .unwrap_or_default();
    let capture = CaptureGenParams {
        duration_s: 60.0,
        web_sessions: 40,
        dns_queries: 60,
        scan_ports: 100,
        syn_flood_pkts: 300,
        ddos_bots: 10,
        exfil_bytes: 200_000,
        ..CaptureGenParams::default()
    };
    let pcap = generate_capture(&capture)
        .map(|c| c.bytes)
        .unwrap_or_default();
    vec![
        ("warm-up.csv", csv),
        ("warm-up-kdd.txt", kdd_like(2_000)),
        ("warm-up.pcap", pcap),
    ]
}

/// `rows` headerless lines shaped like NSL-KDD's (41 features, a label, a difficulty):
/// short integers and two-decimal rates, with text in the protocol, service, flag and label
/// columns. Values are drawn from a seeded generator; they mean nothing.
pub fn kdd_like(rows: usize) -> Vec<u8> {
    const PROTOCOLS: [&str; 3] = ["tcp", "udp", "icmp"];
    const SERVICES: [&str; 6] = ["http", "private", "domain_u", "smtp", "ftp_data", "ecr_i"];
    const FLAGS: [&str; 4] = ["SF", "S0", "REJ", "RSTR"];
    const LABELS: [&str; 4] = ["normal", "neptune", "smurf", "portsweep"];
    let mut rng = rng::seeded(7);
    let mut out = String::with_capacity(rows * 130);
    let pick = |rng: &mut EngineRng, n: usize| below(rng, n as u64) as usize;
    for _ in 0..rows {
        let features: Vec<String> = (0..41)
            .map(|c| match c {
                1 => PROTOCOLS[pick(&mut rng, 3)].to_owned(),
                2 => SERVICES[pick(&mut rng, 6)].to_owned(),
                3 => FLAGS[pick(&mut rng, 4)].to_owned(),
                4 | 5 => below(&mut rng, 5_000).to_string(),
                22 | 23 | 31 | 32 => below(&mut rng, 256).to_string(),
                24..=30 | 33..=40 => format!("{:.2}", below(&mut rng, 101) as f64 / 100.0),
                _ => below(&mut rng, 3).to_string(),
            })
            .collect();
        out.push_str(&features.join(","));
        out.push(',');
        out.push_str(LABELS[pick(&mut rng, 4)]);
        out.push(',');
        out.push_str(&below(&mut rng, 22).to_string());
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub(crate) use browser::start;

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
mod browser {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::DedicatedWorkerGlobalScope;

    use crate::engine::ingest::capture::FlowConfig;
    use crate::engine::ingest::{AutoReader, IngestOptions};
    use crate::worker::protocol::{
        encode, Cancel, DatasetSummary, LoadSample, Request, RequestMsg, ResponseMsg,
    };
    use crate::worker::runtime::handle;

    /// Queues the warm-up behind whatever the worker has to do first.
    pub(crate) fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let run = Closure::once_into_js(run);
        // If the timer cannot be set the warm-up is skipped: loads still work, only slower.
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 0);
    }

    fn run() {
        // The message handler is one large function (every request's code is inlined into it):
        // compiling it on the first real message cost the first load ≈ 50 ms. A `Cancel` for no
        // job is served without touching the worker's state; its answer is dropped.
        if let Ok(msg) = encode(&RequestMsg {
            job: 0,
            body: Cancel { target: 0 }.into(),
        }) {
            let data = js_sys::Object::new();
            let msg = js_sys::Uint8Array::from(msg.as_slice());
            if js_sys::Reflect::set(&data, &"msg".into(), &msg).is_ok() {
                let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
                handle(&scope, &data, &|_, _, _| {});
            }
        }
        for (name, bytes) in super::inputs() {
            let opts = IngestOptions {
                size_hint: Some(bytes.len() as u64),
                ..IngestOptions::default()
            };
            let mut reader = AutoReader::new(name, opts, FlowConfig::default());
            if bytes.chunks(super::CHUNK).any(|c| reader.push(c).is_err()) {
                continue;
            }
            let Ok(ingested) = reader.finish() else {
                continue;
            };
            let summary =
                DatasetSummary::of(&ingested.table, name.into(), ingested.format, Vec::new());
            let _ = encode(&ResponseMsg {
                job: 0,
                body: LoadSample::answer(summary),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::capture::FlowConfig;
    use crate::engine::ingest::{AutoReader, IngestOptions};

    /// Each warm-up input takes the path a real file of its kind takes, with no bad row.
    #[test]
    fn warm_up_inputs_load_as_their_formats() {
        let expected = [
            ("warm-up.csv", "seed 001", 2_000),
            ("warm-up-kdd.txt", "NSL-KDD", 2_000),
            ("warm-up.pcap", "pcap", 0),
        ];
        for ((name, bytes), (want_name, want_format, want_rows)) in
            inputs().into_iter().zip(expected)
        {
            assert_eq!(name, want_name);
            assert!(
                bytes.len() > 4 * CHUNK,
                "{name}: only {} bytes",
                bytes.len()
            );
            let mut reader = AutoReader::new(name, IngestOptions::default(), FlowConfig::default());
            for chunk in bytes.chunks(CHUNK) {
                reader.push(chunk).unwrap();
            }
            let ingested = reader.finish().unwrap();
            assert!(
                ingested.format.contains(want_format),
                "{name}: {}",
                ingested.format
            );
            assert_eq!(ingested.skipped_rows, 0, "{name}");
            if want_rows > 0 {
                assert_eq!(ingested.table.n_rows(), want_rows, "{name}");
            } else {
                let capture = ingested.capture.expect("a capture summary");
                assert!(capture.packets > 2_000, "{name}: {capture:?}");
                assert!(ingested.table.n_rows() > 100, "{name}");
            }
        }
    }

    #[test]
    fn kdd_like_lines_have_43_fields() {
        let text = String::from_utf8(kdd_like(5)).unwrap();
        assert_eq!(text.lines().count(), 5);
        assert!(text.lines().all(|l| l.split(',').count() == 43));
    }
}
