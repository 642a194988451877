//! pcap/pcapng parsing, frame decoding and flow building: a PcapReader fed in fuzzer-chosen
//! chunks must never panic and must agree with `read_flows_from_bytes` on the whole buffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netsift::engine::ingest::capture::{
    read_flows_from_bytes, CaptureFlows, FlowConfig, FlowTable, PcapReader,
};
use netsift_fuzz::{chunks, split_control};

/// The default flow settings, or tiny timeouts and the smallest live table (eviction paths).
fn config(c: u8) -> FlowConfig {
    if c & 1 == 0 {
        FlowConfig::default()
    } else {
        FlowConfig {
            idle_timeout_s: 1.0,
            active_timeout_s: 5.0,
            fin_timeout_s: 0.5,
            max_live_flows: 16,
        }
    }
}

fn chunked(payload: &[u8], ctl: [u8; 4], cfg: FlowConfig) -> Result<CaptureFlows, String> {
    let mut table = FlowTable::new(cfg).map_err(|e| e.to_string())?;
    let mut reader = PcapReader::new();
    for c in chunks(payload, ctl) {
        reader.push(c, &mut table).map_err(|e| e.to_string())?;
    }
    let stats = reader.finish().map_err(|e| e.to_string())?;
    let evicted = table.evicted();
    let arp = table.take_arp();
    Ok(CaptureFlows {
        flows: table.finish(),
        stats,
        evicted,
        arp,
    })
}

fuzz_target!(|data: &[u8]| {
    let (ctl, payload) = split_control(data);
    let cfg = config(ctl[0]);
    let whole = read_flows_from_bytes(payload, cfg).map_err(|e| e.to_string());
    let parts = chunked(payload, ctl, cfg);
    match (&whole, &parts) {
        (Ok(w), Ok(p)) => {
            assert_eq!(w.flows.len(), p.flows.len(), "flow counts differ");
            assert_eq!(w.stats, p.stats, "reader stats differ");
            assert_eq!(w.evicted, p.evicted, "evictions differ");
            // Every flow feature too (Debug, so NaN compares equal).
            assert_eq!(
                format!("{:?}", w.flows),
                format!("{:?}", p.flows),
                "flows differ"
            );
        }
        (Err(w), Err(p)) => assert_eq!(w, p, "errors differ"),
        _ => panic!("whole read {whole:?} but chunked read {parts:?}"),
    }
});
