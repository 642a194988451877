//! Streaming reader for classic pcap and pcapng: bytes arrive in chunks of any size, packets leave
//! through a [`PacketSink`].
//!
//! ```text
//! push(chunk) ─► [pending partial record] + chunk ─► whole records/blocks ─► decode ─► sink.packet()
//! finish()    ─► warnings for a cut-off tail, the CaptureStats
//! ```
//!
//! Only one partial record (or pcapng block) is ever buffered across chunk boundaries, so a
//! 1 GB capture read as 16 MiB `Blob.slice`s needs about one chunk of memory here. Records longer
//! than [`MAX_RECORD`] are refused as corrupt so that a damaged length field cannot make the
//! reader buffer the rest of the file.
//!
//! The block parsing is hand-written rather than `pcap-parser`'s: a push API needs "how many
//! bytes does the next unit need" before parsing it, and exact byte offsets in errors, both of
//! which are a few lines here; `pcap-parser` is used by the tests as an independent oracle.
//!
//! Formats (byte order is always taken from the file; draft-ietf-opsawg-pcap and -pcapng):
//! - classic pcap, little- or big-endian, microsecond (`a1b2c3d4`) or nanosecond (`a1b23c4d`)
//!   magic, and the "modified" pcap of old Red Hat tcpdumps (`a1b2cd34`, 24-byte record headers
//!   whose extra interface index, protocol and packet type are ignored);
//! - a record's captured length may be below its original length (snaplen): lengths come from
//!   the IP header, so byte counts are those on the wire. A captured length above the file's
//!   snaplen is accepted (libpcap and Wireshark accept it too) up to [`MAX_CAPLEN`]; more is a
//!   damaged length field and an error naming its byte offset;
//! - pcapng: section header blocks in either byte order (several sections may follow each other,
//!   each with its own interfaces), interface description blocks with their own link type,
//!   `if_tsresol` (powers of 10 or 2) and `if_tsoffset`; enhanced, simple and obsolete packet
//!   blocks; every other block (statistics, name resolution, custom, unknown) is skipped. A block
//!   whose length is below 12, not a multiple of 4, or not repeated at its end is an error at its
//!   offset; a packet block whose captured length overruns the block is skipped with a warning.
//!   Simple packet blocks carry no timestamp: they get the previous packet's timestamp, so they
//!   sort after it and add no gap to inter-arrival times (their flow's times are only as right
//!   as that guess; the reader cannot do better).
//! - IP fragments: the first fragment carries the ports; later fragments (no transport header)
//!   are matched to it by addresses, protocol and IP identification and counted as packets of
//!   its flow with their whole IP payload, so a flow's packets and bytes are those on the wire. A
//!   later fragment whose first fragment was not seen (lost, or out of order) is counted in
//!   [`CaptureStats::fragments`], named in a warning, and in no flow.

use crate::engine::ingest::capture::arp::{parse_arp, ArpRecord};
use crate::engine::ingest::capture::decode::{
    decode_with_payload, link_type_name, Fragment, LinkType, Packet, Skip,
};
use crate::engine::ingest::IngestError;

/// Where decoded packets go (the [`FlowTable`](super::flows::FlowTable), or a `Vec<Packet>`).
pub trait PacketSink {
    /// Receives one decoded packet, in capture order.
    fn packet(&mut self, packet: &Packet);

    /// Receives one decoded packet with its captured transport payload (see
    /// [`decode_with_payload`]); the reader calls this one. By default the payload is ignored.
    fn packet_with_payload(&mut self, packet: &Packet, payload: &[u8]) {
        let _ = payload;
        self.packet(packet);
    }

    /// Receives one ARP packet (a frame that is not IP); ignored by default.
    fn arp(&mut self, record: &ArpRecord) {
        let _ = record;
    }
}

impl PacketSink for Vec<Packet> {
    fn packet(&mut self, packet: &Packet) {
        self.push(*packet);
    }
}

/// Largest record or block accepted (64 MiB): more is a corrupt length field, not a packet.
pub const MAX_RECORD: usize = 64 << 20;

/// Largest captured length of a classic pcap record (libpcap's and Wireshark's 262,144-byte
/// maximum snapshot length for the link types read here): more is a damaged length field.
pub const MAX_CAPLEN: u32 = 262_144;

/// First fragments remembered for matching later ones; when full the memory starts over (a
/// datagram's fragments arrive within milliseconds of each other).
const MAX_OPEN_DATAGRAMS: usize = 4096;

/// Addresses, protocol, IP version and identification of a fragmented datagram.
type DatagramKey = ([u8; 16], [u8; 16], u8, bool, u32);

/// The container format found in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CaptureFormat {
    /// Classic pcap.
    Pcap {
        /// Big-endian file.
        big_endian: bool,
        /// Nanosecond timestamps (magic `a1b23c4d`) rather than microseconds.
        nanosecond: bool,
        /// The file's LINKTYPE_ number.
        link_type: u32,
    },
    /// pcapng (byte order of the first section).
    PcapNg {
        /// Big-endian first section.
        big_endian: bool,
    },
}

impl std::fmt::Display for CaptureFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let order = |big: bool| if big { "big-endian" } else { "little-endian" };
        match *self {
            CaptureFormat::Pcap {
                big_endian,
                nanosecond,
                link_type,
            } => write!(
                f,
                "pcap ({}, {} timestamps, link type {link_type})",
                order(big_endian),
                if nanosecond {
                    "nanosecond"
                } else {
                    "microsecond"
                }
            ),
            CaptureFormat::PcapNg { big_endian } => write!(f, "pcapng ({})", order(big_endian)),
        }
    }
}

/// What the reader saw: counts of every kind of frame, and non-fatal problems.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaptureStats {
    /// The container format, once the header has been read.
    pub format: Option<CaptureFormat>,
    /// Bytes consumed (whole records only).
    pub bytes: u64,
    /// Frames (packet records/blocks) read.
    pub frames: u64,
    /// IP packets decoded and handed to the sink; each frame counts at most once.
    pub packets: u64,
    /// Frames that are not IP (ARP, LLDP, …).
    pub not_ip: u64,
    /// Later IP fragments whose first fragment was not seen (no ports: in no flow).
    pub fragments: u64,
    /// Frames whose IP header was missing or damaged.
    pub undecodable: u64,
    /// Frames cut short by the capture's snaplen (still used when the IP header survived).
    pub snap_truncated: u64,
    /// Frames on a pcapng interface whose link type is not supported.
    pub unsupported_link: u64,
    /// pcapng blocks skipped because they carry no packets (statistics, name resolution, custom …).
    pub blocks_skipped: u64,
    /// Earliest and latest packet timestamps (ns since the epoch).
    pub first_ts_ns: Option<i64>,
    /// Latest packet timestamp (ns since the epoch).
    pub last_ts_ns: Option<i64>,
    /// Non-fatal problems (a truncated tail, an unsupported interface, …), each with its offset.
    pub warnings: Vec<IngestError>,
    /// Later IP fragments matched to their first fragment's flow (counted in `packets`).
    pub fragments_joined: u64,
}

#[derive(Debug, Clone, Copy)]
enum TsResol {
    Pow10(u8),
    Pow2(u8),
}

#[derive(Debug, Clone)]
struct Interface {
    link: Option<LinkType>,
    link_number: u32,
    resol: TsResol,
    offset_s: i64,
    snaplen: u32,
    /// Byte offset of the interface description block.
    at: u64,
    warned: bool,
}

#[derive(Debug, Clone)]
enum Format {
    Unknown,
    Pcap {
        be: bool,
        nanos: bool,
        link: LinkType,
        /// Record header length: 16, or 24 in the modified format.
        header: usize,
    },
    PcapNg {
        be: bool,
        ifaces: Vec<Interface>,
    },
}

/// How much of the next unit is known.
enum Need {
    /// At least this many bytes are needed before the unit's length is known.
    Header(usize),
    /// The whole unit is this long.
    Unit(usize),
}

const PCAPNG_SHB: u32 = 0x0A0D_0D0A;
const BOM: u32 = 0x1A2B_3C4D;
/// Classic pcap magics as read little-endian: µs and ns, both byte orders, and the modified format.
const PCAP_MAGICS: [u32; 6] = [
    0xA1B2_C3D4,
    0xD4C3_B2A1,
    0xA1B2_3C4D,
    0x4D3C_B2A1,
    0xA1B2_CD34,
    0x34CD_B2A1,
];

/// The push parser. Feed it chunks with [`push`](Self::push), then call [`finish`](Self::finish).
///
/// ```
/// use netsift::engine::ingest::capture::{PcapReader, FlowTable, FlowConfig};
/// use netsift::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
///
/// let cap = generate_capture(&CaptureGenParams::default()).unwrap();
/// let mut reader = PcapReader::new();
/// let mut flows = FlowTable::new(FlowConfig::default()).unwrap();
/// for chunk in cap.bytes.chunks(4096) {
///     reader.push(chunk, &mut flows).unwrap();
/// }
/// let stats = reader.finish().unwrap();
/// assert_eq!(stats.packets, cap.packets);
/// assert_eq!(flows.finish().len(), cap.truth.len());
/// ```
#[derive(Debug, Clone)]
pub struct PcapReader {
    format: Format,
    pending: Vec<u8>,
    /// Absolute offset of the first unconsumed byte (the start of `pending` when it is not empty).
    offset: u64,
    stats: CaptureStats,
    last_ts_ns: i64,
    failed: Option<IngestError>,
    /// Ports of the first fragments of datagrams whose later fragments may still come.
    datagrams: std::collections::HashMap<DatagramKey, (u16, u16)>,
}

impl Default for PcapReader {
    fn default() -> Self {
        Self::new()
    }
}

fn u32_at(d: &[u8], at: usize, be: bool) -> u32 {
    let b = [d[at], d[at + 1], d[at + 2], d[at + 3]];
    if be {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}

fn u16_at(d: &[u8], at: usize, be: bool) -> u16 {
    let b = [d[at], d[at + 1]];
    if be {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    }
}

fn unsupported_link(n: u32, at: u64) -> IngestError {
    IngestError::new(
        format!("link type {n} ({}) is not supported", link_type_name(n)),
        "netsift reads Ethernet (1), raw IP (101, 12, 14, 228, 229), Linux cooked SLL (113) and \
         SLL2 (276) and BSD/OpenBSD loopback (0, 108) captures: capture on an Ethernet interface \
         or with `tcpdump -i any`, or export the flows from Wireshark/CICFlowMeter as CSV",
    )
    .at_byte(at)
}

fn not_a_capture(head: &[u8]) -> IngestError {
    let hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
    let hint = if head.starts_with(&[0x1f, 0x8b]) {
        "this looks gzip-compressed: decompress it (gunzip) and open the .pcap/.pcapng inside"
    } else if head.starts_with(b"PK") {
        "this looks like a zip archive: extract the capture and open the .pcap/.pcapng inside"
    } else if head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "this looks like text: open CSV, JSON or Zeek logs with the flow-file importer instead"
    } else {
        "save the capture as pcap or pcapng (Wireshark: File → Save As; tcpdump -w)"
    };
    IngestError::new(
        format!("not a pcap/pcapng file (magic number 0x{hex})"),
        hint,
    )
    .at_byte(0)
}

impl PcapReader {
    /// A reader waiting for the file's first bytes.
    pub fn new() -> Self {
        Self {
            format: Format::Unknown,
            pending: Vec::new(),
            offset: 0,
            stats: CaptureStats::default(),
            last_ts_ns: 0,
            failed: None,
            datagrams: std::collections::HashMap::new(),
        }
    }

    /// Bytes consumed so far (for progress: compare with the file size).
    pub fn bytes_consumed(&self) -> u64 {
        self.offset
    }

    /// Counts so far.
    pub fn stats(&self) -> &CaptureStats {
        &self.stats
    }

    /// Parses `chunk`, the next bytes of the file, handing every decoded packet to `sink`.
    ///
    /// A record split across chunks is buffered until its end arrives. After an error the reader
    /// stays failed (every later call returns the same error); what reached the sink before it
    /// is still valid.
    pub fn push<S: PacketSink + ?Sized>(
        &mut self,
        chunk: &[u8],
        sink: &mut S,
    ) -> Result<(), IngestError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = self.push_inner(chunk, sink);
        if let Err(e) = &r {
            self.failed = Some(e.clone());
        }
        r
    }

    fn push_inner<S: PacketSink + ?Sized>(
        &mut self,
        chunk: &[u8],
        sink: &mut S,
    ) -> Result<(), IngestError> {
        let mut input = chunk;
        // First complete a unit begun in an earlier chunk, copying only the bytes it needs.
        while !self.pending.is_empty() {
            let need = match self.need(&self.pending)? {
                Need::Header(n) | Need::Unit(n) => n,
            };
            if self.pending.len() < need {
                let take = (need - self.pending.len()).min(input.len());
                self.pending.extend_from_slice(&input[..take]);
                input = &input[take..];
                if self.pending.len() < need {
                    return Ok(());
                }
            }
            if let Need::Unit(n) = self.need(&self.pending)? {
                if self.pending.len() >= n {
                    let unit = std::mem::take(&mut self.pending);
                    self.unit(&unit[..n], sink)?;
                    self.offset += n as u64;
                    self.pending = unit;
                    self.pending.clear();
                }
            }
        }
        let mut pos = 0;
        loop {
            pos += self.pcap_records(&input[pos..], sink);
            let Need::Unit(n) = self.need(&input[pos..])? else {
                break;
            };
            if input.len() - pos < n {
                break;
            }
            self.unit(&input[pos..pos + n], sink)?;
            pos += n;
            self.offset += n as u64;
        }
        self.pending.extend_from_slice(&input[pos..]);
        self.stats.bytes = self.offset;
        Ok(())
    }

    /// The fast path for classic pcap: hands every whole record at the start of `input` to
    /// [`frame`](Self::frame) and returns the bytes consumed. It stops at a partial record or a
    /// damaged length, which the general path ([`need`](Self::need)) then buffers or reports, so
    /// both paths accept and refuse exactly the same records.
    fn pcap_records<S: PacketSink + ?Sized>(&mut self, input: &[u8], sink: &mut S) -> usize {
        let Format::Pcap {
            be,
            nanos,
            link,
            header,
        } = self.format
        else {
            return 0;
        };
        let mut pos = 0;
        while let Some(h) = input.get(pos..pos + header) {
            let caplen = u32_at(h, 8, be);
            if caplen > MAX_CAPLEN {
                break;
            }
            let end = pos + header + caplen as usize;
            let Some(frame) = input.get(pos + header..end) else {
                break;
            };
            let sec = i64::from(u32_at(h, 0, be));
            let frac = i64::from(u32_at(h, 4, be));
            let ts = sec * 1_000_000_000 + if nanos { frac } else { frac * 1000 };
            self.frame(link, frame, u32_at(h, 12, be), ts, sink);
            pos = end;
        }
        self.offset += pos as u64;
        pos
    }

    /// Ends the input: a partial record left over becomes a warning (the file was cut short), a
    /// file with no header at all becomes an error.
    pub fn finish(mut self) -> Result<CaptureStats, IngestError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        self.stats.bytes = self.offset;
        if let Format::Unknown = self.format {
            return Err(if self.offset == 0 && self.pending.is_empty() {
                IngestError::new("the file is empty", "choose a pcap or pcapng capture file")
                    .at_byte(0)
            } else {
                IngestError::new(
                    format!("the file is too short to be a capture ({} bytes)", self.pending.len()),
                    "a pcap file starts with a 24-byte header and a pcapng file with a 28-byte block",
                )
                .at_byte(0)
            });
        }
        if !self.pending.is_empty() {
            let expected = match self.need(&self.pending) {
                Ok(Need::Unit(n)) => format!(" of {n}"),
                _ => String::new(),
            };
            self.stats.warnings.push(
                IngestError::new(
                    format!(
                        "the capture ends in the middle of a record ({}{expected} bytes present)",
                        self.pending.len()
                    ),
                    "the file was probably cut off while being copied or captured; the packets \
                     before this point were read",
                )
                .at_byte(self.offset),
            );
        }
        if self.stats.fragments > 0 {
            self.stats.warnings.push(IngestError::new(
                format!(
                    "{} later IP fragment(s) came without their first fragment and are in no flow",
                    self.stats.fragments
                ),
                "the capture missed those datagrams' first fragments (or they came later); the \
                 flows' packet and byte counts leave these fragments out",
            ));
        }
        if self.stats.frames > 0 && self.stats.unsupported_link == self.stats.frames {
            if let Format::PcapNg { ifaces, .. } = &self.format {
                if let Some(i) = ifaces.iter().find(|i| i.link.is_none()) {
                    return Err(unsupported_link(i.link_number, i.at));
                }
            }
        }
        Ok(self.stats)
    }

    /// How long the unit starting at `d[0]` is, or how many bytes are needed to know.
    fn need(&self, d: &[u8]) -> Result<Need, IngestError> {
        let check = |n: u64, what: &str| -> Result<Need, IngestError> {
            if n > MAX_RECORD as u64 {
                Err(IngestError::new(
                    format!("{what} claims {n} bytes, more than the {MAX_RECORD}-byte limit"),
                    "the file is damaged at this point; the packets before it were read",
                )
                .at_byte(self.offset))
            } else {
                Ok(Need::Unit(n as usize))
            }
        };
        match &self.format {
            Format::Unknown => {
                if d.len() < 4 {
                    return Ok(Need::Header(4));
                }
                match u32::from_le_bytes([d[0], d[1], d[2], d[3]]) {
                    PCAPNG_SHB => self.need_pcapng(d, false),
                    m if PCAP_MAGICS.contains(&m) => Ok(Need::Unit(24)),
                    _ => Err(not_a_capture(&d[..4])),
                }
            }
            Format::Pcap { be, header, .. } => {
                if d.len() < *header {
                    return Ok(Need::Header(*header));
                }
                let caplen = u32_at(d, 8, *be);
                if caplen > MAX_CAPLEN {
                    return Err(IngestError::new(
                        format!(
                            "packet record claims {caplen} captured bytes, more than the \
                             {MAX_CAPLEN}-byte maximum of pcap files"
                        ),
                        "the file is damaged at this point (a broken length field); the packets \
                         before it were read",
                    )
                    .at_byte(self.offset + 8));
                }
                check(*header as u64 + u64::from(caplen), "packet record")
            }
            Format::PcapNg { be, .. } => self.need_pcapng(d, *be),
        }
    }

    fn need_pcapng(&self, d: &[u8], be: bool) -> Result<Need, IngestError> {
        if d.len() < 8 {
            return Ok(Need::Header(8));
        }
        let mut be = be;
        if u32::from_le_bytes([d[0], d[1], d[2], d[3]]) == PCAPNG_SHB {
            // A section header's own byte-order magic says how to read its length.
            if d.len() < 12 {
                return Ok(Need::Header(12));
            }
            be = match u32::from_le_bytes([d[8], d[9], d[10], d[11]]) {
                BOM => false,
                x if x.swap_bytes() == BOM => true,
                x => {
                    return Err(IngestError::new(
                        format!("pcapng section header has a bad byte-order magic 0x{x:08x}"),
                        "the file is damaged or not pcapng",
                    )
                    .at_byte(self.offset + 8))
                }
            };
        }
        let len = u32_at(d, 4, be);
        if len < 12 || !len.is_multiple_of(4) {
            let why = if len < 12 {
                "is smaller than the 12-byte minimum"
            } else {
                "is not a multiple of 4"
            };
            return Err(IngestError::new(
                format!("pcapng block length {len} {why}"),
                "the file is damaged at this point; the packets before it were read",
            )
            .at_byte(self.offset + 4));
        }
        let n = u64::from(len);
        if n > MAX_RECORD as u64 {
            return Err(IngestError::new(
                format!("pcapng block claims {n} bytes, more than the {MAX_RECORD}-byte limit"),
                "the file is damaged at this point; the packets before it were read",
            )
            .at_byte(self.offset + 4));
        }
        Ok(Need::Unit(len as usize))
    }

    /// Handles one complete unit (file header, record or block) at `self.offset`.
    fn unit<S: PacketSink + ?Sized>(&mut self, d: &[u8], sink: &mut S) -> Result<(), IngestError> {
        match &self.format {
            Format::Unknown => {
                let m = u32::from_le_bytes([d[0], d[1], d[2], d[3]]);
                if m == PCAPNG_SHB {
                    self.pcapng_block(d, sink)
                } else {
                    self.pcap_header(d)
                }
            }
            Format::Pcap {
                be,
                nanos,
                link,
                header,
            } => {
                let (be, nanos, link, header) = (*be, *nanos, *link, *header);
                let sec = i64::from(u32_at(d, 0, be));
                let frac = i64::from(u32_at(d, 4, be));
                let ts = sec * 1_000_000_000 + if nanos { frac } else { frac * 1000 };
                let orig = u32_at(d, 12, be);
                self.frame(link, &d[header..], orig, ts, sink);
                Ok(())
            }
            Format::PcapNg { .. } => self.pcapng_block(d, sink),
        }
    }

    fn pcap_header(&mut self, d: &[u8]) -> Result<(), IngestError> {
        let (be, nanos, header) = match u32::from_le_bytes([d[0], d[1], d[2], d[3]]) {
            0xA1B2_C3D4 => (false, false, 16),
            0xD4C3_B2A1 => (true, false, 16),
            0xA1B2_3C4D => (false, true, 16),
            0x4D3C_B2A1 => (true, true, 16),
            0xA1B2_CD34 => (false, false, 24),
            0x34CD_B2A1 => (true, false, 24),
            _ => return Err(not_a_capture(&d[..4])),
        };
        let network = u32_at(d, 20, be);
        // The upper bits can carry FCS information; the link type is the low 16 bits.
        let link_number = network & 0xFFFF;
        let link =
            LinkType::from_number(link_number).ok_or_else(|| unsupported_link(link_number, 20))?;
        self.format = Format::Pcap {
            be,
            nanos,
            link,
            header,
        };
        self.stats.format = Some(CaptureFormat::Pcap {
            big_endian: be,
            nanosecond: nanos,
            link_type: link_number,
        });
        Ok(())
    }

    // Over 120 lines on purpose: one arm per pcapng block type (section header, interface
    // description, enhanced/simple/obsolete packet), in the order of the format's layout.
    fn pcapng_block<S: PacketSink + ?Sized>(
        &mut self,
        d: &[u8],
        sink: &mut S,
    ) -> Result<(), IngestError> {
        let raw_type = u32::from_le_bytes([d[0], d[1], d[2], d[3]]);
        let be_now = if raw_type == PCAPNG_SHB {
            u32::from_le_bytes([d[8], d[9], d[10], d[11]]) != BOM
        } else {
            matches!(self.format, Format::PcapNg { be: true, .. })
        };
        if raw_type == PCAPNG_SHB && d.len() < 28 {
            return Err(self.short_block("section header"));
        }
        let (head, tail) = (u32_at(d, 4, be_now), u32_at(d, d.len() - 4, be_now));
        if head != tail {
            return Err(IngestError::new(
                format!(
                    "pcapng block length {head} is not repeated at the block's end (found {tail})"
                ),
                "the file is damaged at this point; the packets before it were read",
            )
            .at_byte(self.offset + d.len() as u64 - 4));
        }
        if raw_type == PCAPNG_SHB {
            let be = be_now;
            if self.stats.format.is_none() {
                self.stats.format = Some(CaptureFormat::PcapNg { big_endian: be });
            }
            self.format = Format::PcapNg {
                be,
                ifaces: Vec::new(),
            };
            return Ok(());
        }
        let Format::PcapNg { be, ifaces } = &mut self.format else {
            return Ok(());
        };
        let be = *be;
        let body_end = d.len() - 4; // before the trailing length
        match u32_at(d, 0, be) {
            1 => {
                // Interface description block.
                if d.len() < 20 {
                    return Err(self.short_block("interface description"));
                }
                let link_number = u32::from(u16_at(d, 8, be));
                let mut iface = Interface {
                    link: LinkType::from_number(link_number),
                    link_number,
                    resol: TsResol::Pow10(6),
                    offset_s: 0,
                    snaplen: u32_at(d, 12, be),
                    at: self.offset,
                    warned: false,
                };
                let mut at = 16;
                while at + 4 <= body_end {
                    let code = u16_at(d, at, be);
                    let len = usize::from(u16_at(d, at + 2, be));
                    let v = at + 4;
                    if code == 0 || v + len > body_end {
                        break;
                    }
                    match (code, len) {
                        (9, 1) => {
                            let r = d[v];
                            iface.resol = if r & 0x80 != 0 {
                                TsResol::Pow2(r & 0x7F)
                            } else {
                                TsResol::Pow10(r)
                            };
                        }
                        (14, 8) => {
                            let lo = u64::from(u32_at(d, v, be));
                            let hi = u64::from(u32_at(d, v + 4, be));
                            iface.offset_s =
                                (if be { (lo << 32) | hi } else { (hi << 32) | lo }) as i64;
                        }
                        _ => {}
                    }
                    at = v + len.div_ceil(4) * 4;
                }
                ifaces.push(iface);
            }
            6 | 2 => {
                // Enhanced packet block, or the obsolete packet block (16-bit interface id).
                if d.len() < 32 {
                    return Err(self.short_block("packet"));
                }
                let obsolete = u32_at(d, 0, be) == 2;
                let id = if obsolete {
                    u32::from(u16_at(d, 8, be))
                } else {
                    u32_at(d, 8, be)
                } as usize;
                let units = (u64::from(u32_at(d, 12, be)) << 32) | u64::from(u32_at(d, 16, be));
                let caplen = u32_at(d, 20, be) as usize;
                let orig = u32_at(d, 24, be);
                if caplen > body_end - 28 {
                    self.stats.frames += 1;
                    self.stats.undecodable += 1;
                    self.warn_once(
                        IngestError::new(
                            format!(
                                "packet block claims {caplen} captured bytes but holds only {}",
                                body_end - 28
                            ),
                            "the block is damaged; such packets are skipped",
                        )
                        .at_byte(self.offset + 20),
                    );
                    return Ok(());
                }
                let frame = &d[28..28 + caplen];
                self.iface_frame(id, Some(units), frame, orig, sink);
            }
            3 => {
                // Simple packet block: interface 0, no timestamp, captured length implied.
                if d.len() < 16 {
                    return Err(self.short_block("simple packet"));
                }
                let orig = u32_at(d, 8, be);
                let mut cap = (orig as usize).min(body_end - 12);
                if let Some(i) = ifaces.first() {
                    if i.snaplen != 0 {
                        cap = cap.min(i.snaplen as usize);
                    }
                }
                let frame = &d[12..12 + cap];
                self.iface_frame(0, None, frame, orig, sink);
            }
            _ => self.stats.blocks_skipped += 1,
        }
        Ok(())
    }

    /// Adds `w` unless a warning with the same message is already there.
    fn warn_once(&mut self, w: IngestError) {
        if !self.stats.warnings.iter().any(|x| x.message == w.message) {
            self.stats.warnings.push(w);
        }
    }

    fn short_block(&self, what: &str) -> IngestError {
        IngestError::new(
            format!("pcapng {what} block is too short"),
            "the file is damaged at this point; the packets before it were read",
        )
        .at_byte(self.offset)
    }

    fn iface_frame<S: PacketSink + ?Sized>(
        &mut self,
        id: usize,
        units: Option<u64>,
        frame: &[u8],
        orig: u32,
        sink: &mut S,
    ) {
        let Format::PcapNg { ifaces, .. } = &mut self.format else {
            return;
        };
        let Some(iface) = ifaces.get_mut(id) else {
            self.stats.frames += 1;
            self.stats.undecodable += 1;
            let w = IngestError::new(
                format!("packet block refers to interface {id}, which was not described"),
                "the file is damaged or was assembled from pieces; such packets are skipped",
            )
            .at_byte(self.offset);
            self.warn_once(w);
            return;
        };
        let ts = match units {
            Some(u) => ts_to_ns(u, iface.resol)
                .saturating_add(iface.offset_s.saturating_mul(1_000_000_000)),
            None => self.last_ts_ns,
        };
        match iface.link {
            Some(link) => self.frame(link, frame, orig, ts, sink),
            None => {
                self.stats.frames += 1;
                self.stats.unsupported_link += 1;
                if !iface.warned {
                    iface.warned = true;
                    let mut w = unsupported_link(iface.link_number, iface.at);
                    w.message = format!("interface {id}: {}; its packets are skipped", w.message);
                    self.stats.warnings.push(w);
                }
            }
        }
    }

    #[inline]
    fn frame<S: PacketSink + ?Sized>(
        &mut self,
        link: LinkType,
        frame: &[u8],
        orig: u32,
        ts: i64,
        sink: &mut S,
    ) {
        let s = &mut self.stats;
        s.frames += 1;
        self.last_ts_ns = ts;
        if (frame.len() as u64) < u64::from(orig) {
            s.snap_truncated += 1;
        }
        match decode_with_payload(link, frame, orig.max(frame.len() as u32), ts) {
            Ok((mut p, payload)) => {
                match p.fragment {
                    Fragment::Whole => {}
                    Fragment::First(id) => {
                        if self.datagrams.len() >= MAX_OPEN_DATAGRAMS {
                            self.datagrams.clear();
                        }
                        let key = (p.src, p.dst, p.protocol, p.is_v6, id);
                        self.datagrams.insert(key, (p.src_port, p.dst_port));
                    }
                    Fragment::Later(id) => {
                        let key = (p.src, p.dst, p.protocol, p.is_v6, id);
                        let Some(&(sp, dp)) = self.datagrams.get(&key) else {
                            s.fragments += 1;
                            return;
                        };
                        (p.src_port, p.dst_port) = (sp, dp);
                        s.fragments_joined += 1;
                    }
                }
                s.packets += 1;
                s.first_ts_ns = Some(s.first_ts_ns.map_or(ts, |f| f.min(ts)));
                s.last_ts_ns = Some(s.last_ts_ns.map_or(ts, |l| l.max(ts)));
                sink.packet_with_payload(&p, payload);
            }
            Err(Skip::NotIp) => {
                s.not_ip += 1;
                if let Some(r) = parse_arp(link, frame, ts) {
                    sink.arp(&r);
                }
            }
            Err(Skip::Truncated | Skip::Malformed) => s.undecodable += 1,
        }
    }
}

/// pcapng timestamp units → nanoseconds, saturating instead of overflowing.
fn ts_to_ns(units: u64, resol: TsResol) -> i64 {
    let u = u128::from(units);
    let ns = match resol {
        TsResol::Pow10(k) if k <= 9 => u * 10u128.pow(u32::from(9 - k)),
        TsResol::Pow10(k) => 10u128.checked_pow(u32::from(k - 9)).map_or(0, |d| u / d),
        TsResol::Pow2(k) => (u * 1_000_000_000) >> k.min(127),
    };
    i64::try_from(ns).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcapng_resolutions_convert_to_nanoseconds() {
        assert_eq!(ts_to_ns(1_500_000, TsResol::Pow10(6)), 1_500_000_000);
        assert_eq!(ts_to_ns(7, TsResol::Pow10(9)), 7);
        assert_eq!(ts_to_ns(1000, TsResol::Pow10(12)), 1);
        assert_eq!(ts_to_ns(3, TsResol::Pow2(1)), 1_500_000_000);
        assert_eq!(ts_to_ns(u64::MAX, TsResol::Pow10(0)), i64::MAX);
        assert_eq!(ts_to_ns(5, TsResol::Pow10(127)), 0);
    }

    #[test]
    fn empty_input_is_an_empty_file_error() {
        let e = PcapReader::new().finish().unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
    }

    #[test]
    fn garbage_names_the_magic_found() {
        let mut r = PcapReader::new();
        let e = r
            .push(b"hello, world, this is not a capture", &mut Vec::new())
            .unwrap_err();
        assert!(e.message.contains("not a pcap/pcapng file"), "{e}");
        assert!(e.message.contains("0x68656c6c"), "{e}");
        assert!(e.hint.contains("text"), "{e}");
    }
}
