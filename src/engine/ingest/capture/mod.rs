//! Packet captures → bidirectional flows → [`Table`](crate::engine::data::Table), and a seeded
//! capture generator with ground truth.
//!
//! ```text
//! bytes (chunks) ─► PcapReader ─► decode ─► Packet ─► FlowTable ─► Flow ─► flows_to_table ─► Table
//!                    pcap.rs       decode.rs            flows.rs             table.rs
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`pcap`] | push parser for classic pcap and pcapng; one partial record buffered at most |
//! | [`app`] | DNS, TLS SNI and HTTP fields from a flow's first packets ([`AppFields`]) |
//! | [`arp`] | ARP requests and replies kept beside the flows ([`ArpRecord`], bounded) |
//! | [`decode`] | one frame (Ethernet with VLAN/MPLS/PPPoE, raw IP, Linux SLL/SLL2, BSD loopback) → [`Packet`] |
//! | [`flows`] | bidirectional 5-tuple flows with timeouts, TCP close and CICFlowMeter-style features |
//! | [`table`] | flows → `Table` with roles and meanings |
//! | [`generate`] | synthetic pcap bytes (normal traffic + five attacks) with per-flow ground truth |
//!
//! For a whole file at once use [`read_flows`]; the worker, which reads a `Blob` in slices,
//! drives a [`PcapReader`] and a [`FlowTable`] itself.

pub mod app;
pub mod arp;
pub mod decode;
pub mod flows;
pub mod generate;
pub mod pcap;
pub mod table;

pub use app::AppFields;
pub use arp::{ArpLog, ArpRecord};
pub use decode::{Fragment, LinkType, Packet};
pub use flows::{CloseReason, Flow, FlowConfig, FlowTable};
pub use pcap::{CaptureFormat, CaptureStats, PacketSink, PcapReader};
pub use table::flows_to_table;

use crate::engine::error::Error;
use crate::engine::progress::{self, Progress, Stage};

/// Bytes handed to the parser per step by [`read_flows`] (the browser's slice size).
pub const CHUNK: usize = 4 << 20;

/// The flows of a capture and what the reader saw.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureFlows {
    /// Flows sorted by first packet (then creation order).
    pub flows: Vec<Flow>,
    /// Counts and warnings from the reader.
    pub stats: CaptureStats,
    /// Flows ended early because the live table was full.
    pub evicted: u64,
    /// ARP requests and replies, in capture order (bounded).
    pub arp: ArpLog,
}

/// Reads a whole capture from any reader, in [`CHUNK`]-sized pieces, reporting progress in
/// bytes (`total` = `size_hint`, 0 when unknown) and stopping when the sink asks.
///
/// Errors: [`Error::Ingest`] for unreadable input, [`Error::Param`] for a bad `config`,
/// [`Error::Cancelled`].
pub fn read_flows<R: std::io::Read>(
    mut input: R,
    size_hint: u64,
    config: FlowConfig,
    progress: &mut dyn Progress,
) -> Result<CaptureFlows, Error> {
    let mut table = FlowTable::new(config)?;
    let mut reader = PcapReader::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(crate::engine::ingest::IngestError::new(
                    format!("reading the file failed: {e}"),
                    "check that the file is still there and readable",
                )
                .at_byte(reader.bytes_consumed())
                .into())
            }
        };
        reader.push(&buf[..n], &mut table)?;
        progress::report(
            progress,
            Stage::Ingest,
            reader.bytes_consumed(),
            size_hint,
            Error::Cancelled,
        )?;
    }
    let stats = reader.finish()?;
    let evicted = table.evicted();
    let arp = table.take_arp();
    let flows = table.finish();
    Ok(CaptureFlows {
        flows,
        stats,
        evicted,
        arp,
    })
}

/// [`read_flows`] on bytes in memory, without progress.
pub fn read_flows_from_bytes(bytes: &[u8], config: FlowConfig) -> Result<CaptureFlows, Error> {
    read_flows(bytes, bytes.len() as u64, config, &mut progress::NoProgress)
}
