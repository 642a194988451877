//! The generic flow view the rules read: [`FlowRecord`], built from capture [`Flow`]s or from any
//! [`Table`] whose columns carry network meanings.
//!
//! What each rule needs, and which inputs have it:
//!
//! | rule | needs | capture flows | CIC | Zeek conn.log | UNSW-NB15 | packet log / aggregates / stream CSV |
//! |---|---|---|---|---|---|---|
//! | port scan | dst port | ✓ | ✓ | ✓ | ✓ | ✓ (with IPs) |
//! | IP scan, DDoS, beaconing | addresses + time | ✓ | ✓ | ✓ | ✓ | ✓ (with IPs) |
//! | SYN flood | TCP flag counts or handshake state | ✓ | ✓ (flag counts) | ✓ (`conn_state`) | — | — |
//! | traffic spike | packet counts | ✓ | ✓ | ✓ (orig + resp) | ✓ | 003 only |
//! | long connection | duration | ✓ | ✓ (µs → s) | ✓ | ✓ | 003 |
//! | large outbound | bytes sent (+ received for the ratio) | ✓ | ✓ | ✓ | ✓ | bytes only |
//! | brute force | dst port + duration, bytes or handshake state | ✓ | ✓ | ✓ | ✓ | — |
//! | DNS tunnelling, NXDOMAIN burst | DNS query name (+ type, response code) | ✓ (`dns_*` columns) | — | `dns.log` | — | — |
//!
//! Every table needs source and destination address columns ([`Meaning::SrcIp`],
//! [`Meaning::DstIp`]) and a numeric timestamp column ([`Role::Timestamp`]); rows missing any of
//! the three are skipped and counted.

use serde::{Deserialize, Serialize};

use crate::engine::data::{Column, Meaning, Role, Table, Values, MISSING_CODE};
use crate::engine::error::Error;
use crate::engine::ingest::capture::app::{dns_rcode_name, dns_type_name};
use crate::engine::ingest::capture::Flow;
use crate::engine::ingest::header_key;

/// One flow as the rules see it. Counts the data does not carry are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowRecord {
    /// First packet, seconds since the epoch.
    pub ts: f64,
    /// Last packet, seconds since the epoch (`ts` when the duration is unknown).
    pub end: f64,
    /// Source address (the initiator), as written.
    pub src: String,
    /// Destination address, as written.
    pub dst: String,
    /// Source port.
    pub src_port: Option<u16>,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// IP protocol number (names such as `tcp` are mapped; unknown names are `None`).
    pub protocol: Option<u8>,
    /// Packets from the source (or in total when the data has no direction).
    pub packets_fwd: Option<u64>,
    /// Packets back to the source.
    pub packets_bwd: Option<u64>,
    /// Bytes from the source (or in total when the data has no direction).
    pub bytes_fwd: Option<u64>,
    /// Bytes back to the source.
    pub bytes_bwd: Option<u64>,
    /// Packets with SYN set.
    pub syn: Option<u64>,
    /// Packets with ACK set.
    pub ack: Option<u64>,
    /// Packets with FIN set.
    pub fin: Option<u64>,
    /// Packets with RST set.
    pub rst: Option<u64>,
    /// Whether the TCP three-way handshake completed.
    pub handshake_complete: Option<bool>,
    /// The DNS question and answer code, when the flow is a DNS exchange.
    #[serde(default)]
    pub dns: Option<DnsFacts>,
    /// Row in the table (or the flow's position in the capture's flow list).
    pub row: usize,
}

/// What a DNS exchange asked and how it was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsFacts {
    /// Question name, as written (`www.example.com`).
    pub query: String,
    /// Question type (1 A, 16 TXT, 10 NULL, …), when known.
    pub qtype: Option<u16>,
    /// Response code (0 NOERROR, 3 NXDOMAIN, …), when a response was seen.
    pub rcode: Option<u8>,
}

/// DNS type name (Zeek's `qtype_name`, netsift's `dns_qtype`) or number → number.
pub fn dns_type_number(cell: &str) -> Option<u16> {
    let c = cell.trim();
    if let Ok(n) = c.parse::<u16>() {
        return Some(n);
    }
    const KNOWN: [u16; 14] = [1, 2, 5, 6, 10, 12, 15, 16, 28, 33, 35, 64, 65, 255];
    KNOWN
        .into_iter()
        .find(|&t| dns_type_name(t).eq_ignore_ascii_case(c))
}

/// DNS response code name (Zeek's `rcode_name`, netsift's `dns_rcode`) or number → number.
pub fn dns_rcode_number(cell: &str) -> Option<u8> {
    let c = cell.trim();
    if let Ok(n) = c.parse::<u8>() {
        return Some(n);
    }
    (0..=5).find(|&r| dns_rcode_name(r).eq_ignore_ascii_case(c))
}

impl FlowRecord {
    /// Packets in both directions, when any count is known.
    pub fn packets(&self) -> Option<u64> {
        match (self.packets_fwd, self.packets_bwd) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        }
    }

    /// Bytes in both directions, when any count is known.
    pub fn bytes(&self) -> Option<u64> {
        match (self.bytes_fwd, self.bytes_bwd) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        }
    }

    /// Seconds from first to last packet (0 when unknown).
    pub fn duration(&self) -> f64 {
        (self.end - self.ts).max(0.0)
    }

    /// SYNs of a half-open TCP connection (one that never completed its handshake and was not
    /// reset — the state a SYN flood exhausts), 0 for any other flow, `None` when the data has
    /// neither flag counts nor handshake state.
    ///
    /// With flag counts the SYNs are the SYN-flagged packets minus the server's SYN+ACK when one
    /// came back (`syn ≥ 2` and `ack ≥ 1`); without them a half-open flow counts 1.
    pub fn half_open_syns(&self) -> Option<u64> {
        if self.protocol.is_some_and(|p| p != 6) {
            return Some(0);
        }
        if self.rst.is_some_and(|r| r > 0) {
            return Some(0);
        }
        let half_open = match (self.handshake_complete, self.syn, self.ack) {
            (Some(done), _, _) => !done,
            (None, Some(s), Some(a)) => s >= 1 && a <= 1,
            _ => return None,
        };
        if !half_open {
            return Some(0);
        }
        Some(match (self.syn, self.ack) {
            (Some(s), Some(a)) if s >= 2 && a >= 1 => s - 1,
            (Some(s), _) => s,
            (None, _) => 1,
        })
    }
}

/// A capture's flows as records (`row` = position in `flows`).
pub fn records_from_flows(flows: &[Flow]) -> Vec<FlowRecord> {
    flows
        .iter()
        .enumerate()
        .map(|(row, f)| FlowRecord {
            ts: f.timestamp,
            end: f.timestamp + f.flow_duration.max(0.0),
            src: f.src_ip.to_string(),
            dst: f.dst_ip.to_string(),
            src_port: has_ports(f.protocol).then_some(f.src_port),
            dst_port: has_ports(f.protocol).then_some(f.dst_port),
            protocol: Some(f.protocol),
            packets_fwd: Some(f.tot_fwd_pkts),
            packets_bwd: Some(f.tot_bwd_pkts),
            bytes_fwd: Some(f.totlen_fwd_pkts),
            bytes_bwd: Some(f.totlen_bwd_pkts),
            syn: Some(f.syn_flag_cnt),
            ack: Some(f.ack_flag_cnt),
            fin: Some(f.fin_flag_cnt),
            rst: Some(f.rst_flag_cnt),
            handshake_complete: (f.protocol == 6).then_some(f.handshake_complete == 1),
            dns: f.app.as_deref().and_then(|a| {
                Some(DnsFacts {
                    query: a.dns_query.clone()?,
                    qtype: a.dns_qtype,
                    rcode: a.dns_rcode,
                })
            }),
            row,
        })
        .collect()
}

fn has_ports(protocol: u8) -> bool {
    matches!(protocol, 6 | 17 | 132)
}

/// Protocol name or number → IP protocol number.
pub fn protocol_number(cell: &str) -> Option<u8> {
    let c = cell.trim();
    if let Ok(n) = c.parse::<u8>() {
        return Some(n);
    }
    if let Ok(x) = c.parse::<f64>() {
        return (x.fract() == 0.0 && (0.0..=255.0).contains(&x)).then_some(x as u8);
    }
    Some(match c.to_ascii_lowercase().as_str() {
        "icmp" => 1,
        "igmp" => 2,
        "tcp" | "http" | "https" | "ssh" | "ftp" | "smtp" => 6,
        "udp" | "dns" => 17,
        "gre" => 47,
        "esp" => 50,
        "icmpv6" | "ipv6-icmp" => 58,
        "sctp" => 132,
        _ => return None,
    })
}

/// Columns found by header name (compared as [`header_key`]s), in order of preference.
const FWD_PKTS: &[&str] = &[
    "totfwdpkts",
    "totalfwdpackets",
    "origpkts",
    "spkts",
    "fwdpkts",
];
const BWD_PKTS: &[&str] = &[
    "totbwdpkts",
    "totalbackwardpackets",
    "resppkts",
    "dpkts",
    "bwdpkts",
];
const FWD_BYTES: &[&str] = &[
    "totlenfwdpkts",
    "totallengthoffwdpackets",
    "origbytes",
    "sbytes",
    "srcbytes",
    "fwdbytes",
];
const BWD_BYTES: &[&str] = &[
    "totlenbwdpkts",
    "totallengthofbwdpackets",
    "respbytes",
    "dbytes",
    "dstbytes",
    "bwdbytes",
];
const SYN: &[&str] = &["synflagcnt", "synflagcount"];
const ACK: &[&str] = &["ackflagcnt", "ackflagcount"];
const FIN: &[&str] = &["finflagcnt", "finflagcount"];
const RST: &[&str] = &["rstflagcnt", "rstflagcount"];

fn by_key<'a>(table: &'a Table, keys: &[&str]) -> Option<&'a Column> {
    keys.iter().find_map(|k| {
        table
            .columns
            .iter()
            .find(|c| header_key(&c.name) == *k && c.role != Role::Label)
    })
}

fn text(c: &Column, row: usize) -> Option<String> {
    match &c.values {
        Values::Categorical { levels, codes } => {
            let code = codes[row];
            (code != MISSING_CODE)
                .then(|| levels.get(code as usize).cloned())
                .flatten()
        }
        Values::Numeric(v) => {
            let x = v[row];
            x.is_finite().then(|| crate::engine::text::number(x))
        }
    }
}

fn number(c: Option<&Column>, row: usize) -> Option<f64> {
    match &c?.values {
        Values::Numeric(v) => Some(v[row]).filter(|x| x.is_finite()),
        Values::Categorical { .. } => text(c?, row)?.trim().parse::<f64>().ok(),
    }
}

fn count(c: Option<&Column>, row: usize) -> Option<u64> {
    number(c, row)
        .filter(|x| *x >= 0.0)
        .map(|x| x.min(1.8e19) as u64)
}

fn port(c: Option<&Column>, row: usize) -> Option<u16> {
    number(c, row)
        .filter(|x| (0.0..=65535.0).contains(x) && x.fract() == 0.0)
        .map(|x| x as u16)
}

/// What the rules can read from a table, and the records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRecords {
    /// One record per usable row, in row order.
    pub records: Vec<FlowRecord>,
    /// Rows skipped because the address or the timestamp was missing.
    pub skipped_rows: usize,
}

/// The rule records of a table, or a clear error when it has no address or time columns.
///
/// Columns used: [`Meaning::SrcIp`], [`Meaning::DstIp`], the [`Role::Timestamp`] column
/// (numeric epoch seconds), ports, protocol, [`Meaning::Duration`] (seconds; a CIC
/// `Flow Duration` column without that meaning is read as microseconds), and by header name the
/// directional packet and byte counts (CICFlowMeter, Zeek, UNSW-NB15 and NSL-KDD spellings),
/// flag counts, `handshake_complete` (netsift's capture tables) and Zeek's `conn_state`. When no
/// directional count exists, [`Meaning::Packets`] / [`Meaning::Bytes`] fill the forward count.
pub fn records_from_table(table: &Table) -> Result<Vec<FlowRecord>, Error> {
    table_records(table).map(|t| t.records)
}

/// [`records_from_table`] with the number of skipped rows.
pub fn table_records(table: &Table) -> Result<TableRecords, Error> {
    let src = table.by_meaning(Meaning::SrcIp);
    let dst = table.by_meaning(Meaning::DstIp);
    let ts = table.timestamps();
    let mut missing = Vec::new();
    if src.is_none() {
        missing.push("source address");
    }
    if dst.is_none() {
        missing.push("destination address");
    }
    if ts.is_none() {
        missing.push("timestamp");
    }
    let (Some(src), Some(dst), Some(ts)) = (src, dst, ts) else {
        return Err(Error::Unsupported(format!(
            "rules need source and destination addresses and a timestamp; this data has none \
             (missing: {}; map the columns as source IP, destination IP and timestamp)",
            missing.join(", ")
        )));
    };
    let sport = table.by_meaning(Meaning::SrcPort);
    let dport = table.by_meaning(Meaning::DstPort);
    let proto = table.by_meaning(Meaning::Protocol);
    let (dur, dur_scale) = match table.by_meaning(Meaning::Duration) {
        Some(c) => (Some(c), 1.0),
        None => (by_key(table, &["flowduration"]), 1e-6),
    };
    let fwd_p = by_key(table, FWD_PKTS);
    let bwd_p = by_key(table, BWD_PKTS);
    let fwd_b = by_key(table, FWD_BYTES);
    let bwd_b = by_key(table, BWD_BYTES);
    let (fwd_p, bwd_p) = match (fwd_p, bwd_p) {
        (None, None) => (table.by_meaning(Meaning::Packets), None),
        other => other,
    };
    let (fwd_b, bwd_b) = match (fwd_b, bwd_b) {
        (None, None) => (table.by_meaning(Meaning::Bytes), None),
        other => other,
    };
    let (syn, ack, fin, rst) = (
        by_key(table, SYN),
        by_key(table, ACK),
        by_key(table, FIN),
        by_key(table, RST),
    );
    let handshake = by_key(table, &["handshakecomplete"]);
    // netsift's capture columns, then Zeek dns.log's.
    let dns_query = by_key(table, &["dnsquery", "query"]);
    let dns_qtype = by_key(table, &["dnsqtype", "qtypename", "qtype"]);
    let dns_rcode = by_key(table, &["dnsrcode", "rcodename", "rcode"]);
    let conn_state = by_key(table, &["connstate"]);
    let mut records = Vec::with_capacity(table.n_rows());
    let mut skipped = 0;
    for row in 0..table.n_rows() {
        let (Some(s), Some(d), Some(&t)) = (text(src, row), text(dst, row), ts.get(row)) else {
            skipped += 1;
            continue;
        };
        if !t.is_finite() || s.is_empty() || d.is_empty() {
            skipped += 1;
            continue;
        }
        let duration = number(dur, row).map_or(0.0, |x| (x * dur_scale).max(0.0));
        let protocol = proto
            .and_then(|c| text(c, row))
            .and_then(|p| protocol_number(&p));
        let mut r = FlowRecord {
            ts: t,
            end: t + duration,
            src: s,
            dst: d,
            src_port: port(sport, row),
            dst_port: port(dport, row),
            protocol,
            packets_fwd: count(fwd_p, row),
            packets_bwd: count(bwd_p, row),
            bytes_fwd: count(fwd_b, row),
            bytes_bwd: count(bwd_b, row),
            syn: count(syn, row),
            ack: count(ack, row),
            fin: count(fin, row),
            rst: count(rst, row),
            handshake_complete: number(handshake, row).map(|x| x != 0.0),
            dns: dns_query.and_then(|c| text(c, row)).map(|query| DnsFacts {
                query,
                qtype: dns_qtype
                    .and_then(|c| text(c, row))
                    .and_then(|q| dns_type_number(&q)),
                rcode: dns_rcode
                    .and_then(|c| text(c, row))
                    .and_then(|r| dns_rcode_number(&r)),
            }),
            row,
        };
        if let Some(state) = conn_state.and_then(|c| text(c, row)) {
            apply_conn_state(&mut r, state.trim());
        }
        records.push(r);
    }
    Ok(TableRecords {
        records,
        skipped_rows: skipped,
    })
}

/// Zeek `conn_state` → handshake state (only for TCP and when no flag counts exist):
/// `S0` (SYN, no reply) and `SH` (SYN then FIN, no SYN+ACK) are half-open; `REJ`, `RSTOS0`,
/// `RSTRH` and `SHR` were reset or rejected; `S1`–`S3`, `SF`, `RSTO`, `RSTR` completed.
fn apply_conn_state(r: &mut FlowRecord, state: &str) {
    if r.protocol.is_some_and(|p| p != 6) || r.syn.is_some() {
        return;
    }
    match state {
        "S0" | "SH" => {
            r.handshake_complete = Some(false);
            r.syn = Some(1);
        }
        "REJ" | "RSTOS0" | "RSTRH" | "SHR" => {
            r.handshake_complete = Some(false);
            r.rst = Some(1);
        }
        "S1" | "S2" | "S3" | "SF" | "RSTO" | "RSTR" => r.handshake_complete = Some(true),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Column;

    #[test]
    fn a_table_without_addresses_is_refused_with_the_reason() {
        let t = Table {
            columns: vec![Column::numeric("bytes", vec![1.0])],
        };
        let e = records_from_table(&t).unwrap_err().to_string();
        assert!(e.starts_with("rules need source and destination addresses and a timestamp"));
        assert!(
            e.contains("source address, destination address, timestamp"),
            "{e}"
        );
    }

    #[test]
    fn half_open_syns_follow_flags_and_handshake() {
        let mut r = FlowRecord {
            ts: 0.0,
            end: 0.0,
            src: "a".into(),
            dst: "b".into(),
            src_port: None,
            dst_port: None,
            protocol: Some(6),
            packets_fwd: None,
            packets_bwd: None,
            bytes_fwd: None,
            bytes_bwd: None,
            syn: Some(1),
            ack: Some(0),
            fin: None,
            rst: Some(0),
            handshake_complete: None,
            dns: None,
            row: 0,
        };
        assert_eq!(r.half_open_syns(), Some(1));
        r.syn = Some(3);
        r.ack = Some(1);
        assert_eq!(
            r.half_open_syns(),
            Some(2),
            "SYN+ACK from the server is not counted"
        );
        r.rst = Some(1);
        assert_eq!(
            r.half_open_syns(),
            Some(0),
            "a reset connection holds no state"
        );
        r.rst = None;
        r.handshake_complete = Some(true);
        assert_eq!(r.half_open_syns(), Some(0));
        r.handshake_complete = None;
        r.syn = None;
        r.ack = None;
        assert_eq!(r.half_open_syns(), None);
    }

    #[test]
    fn protocol_names_map_to_numbers() {
        assert_eq!(protocol_number("TCP"), Some(6));
        assert_eq!(protocol_number("17"), Some(17));
        assert_eq!(protocol_number("6.0"), Some(6));
        assert_eq!(protocol_number("weird"), None);
    }
}
