//! Schema presets (detected from header names, or the column count of headerless files) and the
//! generic per-column guesses used for everything else.
//!
//! Header names are compared by their *key*: lower case with everything but letters and digits
//! removed, so `" Flow Bytes/s"`, `"flow_bytes_s"` and `"FlowBytes/s"` all match.
//!
//! Identifier-like columns (IP addresses, flow ids, uids, raw end times, TCP sequence numbers)
//! get [`Role::Ignore`]: they stay in the table for display and the network views, never as model
//! inputs, unless the user overrides the role.

use super::columns::{is_null, parse_num, ColumnPlan, Kind, Num};
use super::timestamp::{parse_date_time, parse_timestamp};
use crate::engine::data::{Meaning, Role, Values};

/// Comparison key of a header name.
pub fn key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A column a preset knows.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Name written in the table (header names that alias it are renamed to it).
    pub name: &'static str,
    /// Other spellings (as keys or plain names; compared by key).
    pub aliases: &'static [&'static str],
    /// Role.
    pub role: Role,
    /// Meaning.
    pub meaning: Option<Meaning>,
    /// Storage.
    pub kind: Kind,
    /// Why, for the mapping panel.
    pub note: &'static str,
}

const fn f(name: &'static str) -> Spec {
    Spec {
        name,
        aliases: &[],
        role: Role::Feature,
        meaning: None,
        kind: Kind::Numeric,
        note: "numeric feature",
    }
}
const fn fa(name: &'static str, aliases: &'static [&'static str]) -> Spec {
    Spec { aliases, ..f(name) }
}
const fn fm(name: &'static str, meaning: Meaning) -> Spec {
    Spec {
        meaning: Some(meaning),
        ..f(name)
    }
}
const fn cat(name: &'static str, meaning: Option<Meaning>) -> Spec {
    Spec {
        kind: Kind::Categorical,
        meaning,
        note: "categorical feature",
        ..f(name)
    }
}
const fn label(name: &'static str, aliases: &'static [&'static str]) -> Spec {
    Spec {
        aliases,
        role: Role::Label,
        kind: Kind::Categorical,
        note: "ground-truth label (metrics and normal-only training)",
        ..f(name)
    }
}
const fn ts(name: &'static str, aliases: &'static [&'static str]) -> Spec {
    Spec {
        aliases,
        role: Role::Timestamp,
        kind: Kind::Timestamp,
        note: "event time, parsed to epoch seconds (UTC)",
        ..f(name)
    }
}
const fn ignore(name: &'static str, meaning: Option<Meaning>, note: &'static str) -> Spec {
    Spec {
        role: Role::Ignore,
        meaning,
        kind: Kind::Categorical,
        note,
        ..f(name)
    }
}

/// A known schema.
#[derive(Debug)]
pub struct Preset {
    /// Shown in `Ingested::format`.
    pub name: &'static str,
    /// Keys that must all be present in the header.
    pub required: &'static [&'static str],
    /// Known columns.
    pub columns: &'static [Spec],
    /// A line holding only this text ends the data (a tool's summary block after the rows).
    pub trailer: Option<&'static [u8]>,
}

impl Preset {
    /// The spec for a header name.
    pub fn spec(&self, header: &str) -> Option<&Spec> {
        let k = key(header);
        self.columns
            .iter()
            .find(|s| key(s.name) == k || s.aliases.iter().any(|a| key(a) == k))
    }
}

const IP_NOTE: &str = "an address identifies an endpoint, it is not a measurement: kept for the \
                       network views, not a model input";

/// Connection features: ten numeric columns per connection (`packet_size`, `duration`, bytes each
/// way, coded protocol and flag, ports, `packet_rate`, `error_rate`), optional label and
/// timestamp. The schema of netsift's sample-traffic generator (`engine::generate`).
pub static CONNECTION_FEATURES: Preset = Preset {
    name: "connection features",
    required: &[
        "packetsize",
        "duration",
        "srcbytes",
        "dstbytes",
        "protocoltype",
        "flag",
        "srcport",
        "dstport",
        "packetrate",
        "errorrate",
    ],
    columns: &[
        fm("packet_size", Meaning::Bytes),
        fm("duration", Meaning::Duration),
        f("src_bytes"),
        f("dst_bytes"),
        Spec {
            note: "numeric feature (coded 0 = TCP, 1 = UDP, 2 = ICMP)",
            ..fm("protocol_type", Meaning::Protocol)
        },
        Spec {
            note: "numeric feature (coded 0–5)",
            ..f("flag")
        },
        fm("src_port", Meaning::SrcPort),
        fm("dst_port", Meaning::DstPort),
        f("packet_rate"),
        f("error_rate"),
        label("label", &[]),
        ts("timestamp", &[]),
    ],
    trailer: None,
};

/// Packet log: one row per packet with its endpoints, length and timestamp.
pub static PACKET_LOG: Preset = Preset {
    name: "packet log",
    required: &[
        "srcip",
        "dstip",
        "srcport",
        "dstport",
        "length",
        "timestamp",
    ],
    columns: &[
        ignore("src_ip", Some(Meaning::SrcIp), IP_NOTE),
        ignore("dst_ip", Some(Meaning::DstIp), IP_NOTE),
        fm("src_port", Meaning::SrcPort),
        fm("dst_port", Meaning::DstPort),
        fm("length", Meaning::Bytes),
        ts("timestamp", &[]),
        label("label", &[]),
    ],
    trailer: None,
};

/// Traffic aggregates: bytes, packets, duration and rates per time bucket (one row a minute).
pub static TRAFFIC_AGGREGATES: Preset = Preset {
    name: "traffic aggregates",
    required: &[
        "bytestransferred",
        "packetcount",
        "connectionduration",
        "retransmissionrate",
        "bytesperpacket",
        "packetspersecond",
        "timestamp",
    ],
    columns: &[
        fm("bytes_transferred", Meaning::Bytes),
        fm("packet_count", Meaning::Packets),
        fm("connection_duration", Meaning::Duration),
        f("retransmission_rate"),
        f("bytes_per_packet"),
        f("packets_per_second"),
        ts("timestamp", &[]),
        fm("source_port", Meaning::SrcPort),
        fm("destination_port", Meaning::DstPort),
        Spec {
            kind: Kind::Auto,
            note: "protocol (categorical when written as names)",
            ..fm("protocol", Meaning::Protocol)
        },
        label("label", &[]),
    ],
    trailer: None,
};

/// Packet stream records: ports, size, duration in milliseconds and protocol per record.
pub static STREAM_RECORDS: Preset = Preset {
    name: "packet stream records",
    required: &["srcport", "dstport", "packetsize", "durationms", "protocol"],
    columns: &[
        fm("src_port", Meaning::SrcPort),
        fm("dst_port", Meaning::DstPort),
        fm("packet_size", Meaning::Bytes),
        Spec {
            note: "numeric feature (milliseconds)",
            ..f("duration_ms")
        },
        Spec {
            kind: Kind::Auto,
            note: "protocol (categorical when written as names)",
            ..fm("protocol", Meaning::Protocol)
        },
        ts("timestamp", &[]),
        label("label", &[]),
    ],
    trailer: None,
};

/// NSL-KDD / KDD'99 column names, in file order.
pub const NSL_KDD_NAMES: [&str; 43] = [
    "duration",
    "protocol_type",
    "service",
    "flag",
    "src_bytes",
    "dst_bytes",
    "land",
    "wrong_fragment",
    "urgent",
    "hot",
    "num_failed_logins",
    "logged_in",
    "num_compromised",
    "root_shell",
    "su_attempted",
    "num_root",
    "num_file_creations",
    "num_shells",
    "num_access_files",
    "num_outbound_cmds",
    "is_host_login",
    "is_guest_login",
    "count",
    "srv_count",
    "serror_rate",
    "srv_serror_rate",
    "rerror_rate",
    "srv_rerror_rate",
    "same_srv_rate",
    "diff_srv_rate",
    "srv_diff_host_rate",
    "dst_host_count",
    "dst_host_srv_count",
    "dst_host_same_srv_rate",
    "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate",
    "dst_host_srv_diff_host_rate",
    "dst_host_serror_rate",
    "dst_host_srv_serror_rate",
    "dst_host_rerror_rate",
    "dst_host_srv_rerror_rate",
    "label",
    "difficulty",
];

/// NSL-KDD / KDD'99 (41 features, label, optional difficulty).
pub static NSL_KDD: Preset = Preset {
    name: "NSL-KDD / KDD'99",
    required: &[
        "protocoltype",
        "service",
        "flag",
        "srcbytes",
        "dstbytes",
        "wrongfragment",
    ],
    columns: &[
        fm("duration", Meaning::Duration),
        cat("protocol_type", Some(Meaning::Protocol)),
        cat("service", None),
        cat("flag", None),
        fm("src_bytes", Meaning::Bytes),
        label("label", &["class", "attack", "attack_type"]),
        Spec {
            role: Role::Ignore,
            note: "difficulty: how many of 21 reference learners got the record right — \
                   metadata about the data set, not traffic",
            ..f("difficulty")
        },
    ],
    trailer: None,
};

/// UNSW-NB15 column names of the raw, headerless UNSW-NB15_1..4.csv files.
pub const UNSW_NB15_NAMES: [&str; 49] = [
    "srcip",
    "sport",
    "dstip",
    "dsport",
    "proto",
    "state",
    "dur",
    "sbytes",
    "dbytes",
    "sttl",
    "dttl",
    "sloss",
    "dloss",
    "service",
    "Sload",
    "Dload",
    "Spkts",
    "Dpkts",
    "swin",
    "dwin",
    "stcpb",
    "dtcpb",
    "smeansz",
    "dmeansz",
    "trans_depth",
    "res_bdy_len",
    "Sjit",
    "Djit",
    "Stime",
    "Ltime",
    "Sintpkt",
    "Dintpkt",
    "tcprtt",
    "synack",
    "ackdat",
    "is_sm_ips_ports",
    "ct_state_ttl",
    "ct_flw_http_mthd",
    "is_ftp_login",
    "ct_ftp_cmd",
    "ct_srv_src",
    "ct_srv_dst",
    "ct_dst_ltm",
    "ct_src_ltm",
    "ct_src_dport_ltm",
    "ct_dst_sport_ltm",
    "ct_dst_src_ltm",
    "attack_cat",
    "Label",
];

/// UNSW-NB15 (raw files and the training/testing-set files).
pub static UNSW_NB15: Preset = Preset {
    name: "UNSW-NB15",
    required: &["sbytes", "dbytes", "sttl", "dttl", "attackcat"],
    columns: &[
        ignore("srcip", Some(Meaning::SrcIp), IP_NOTE),
        ignore("dstip", Some(Meaning::DstIp), IP_NOTE),
        fm("sport", Meaning::SrcPort),
        fm("dsport", Meaning::DstPort),
        cat("proto", Some(Meaning::Protocol)),
        cat("state", None),
        cat("service", None),
        fm("dur", Meaning::Duration),
        fm("sbytes", Meaning::Bytes),
        fm("spkts", Meaning::Packets),
        ignore(
            "stcpb",
            None,
            "TCP initial sequence number: random per connection, an identifier",
        ),
        ignore(
            "dtcpb",
            None,
            "TCP initial sequence number: random per connection, an identifier",
        ),
        ts("Stime", &[]),
        Spec {
            role: Role::Ignore,
            note: "end time: a raw timestamp, not a measurement (Stime is the event time)",
            ..f("Ltime")
        },
        ignore(
            "attack_cat",
            None,
            "attack family name: kept for display; the label column is the ground truth",
        ),
        label("label", &[]),
        Spec {
            role: Role::Ignore,
            note: "row number",
            ..f("id")
        },
    ],
    trailer: None,
};

/// Zeek conn.log (TSV or JSON).
pub static ZEEK_CONN: Preset = Preset {
    name: "Zeek conn.log",
    required: &["ts", "uid", "idorigh", "idresph"],
    columns: &[
        ts("ts", &[]),
        ignore("uid", None, "connection identifier"),
        ignore("id.orig_h", Some(Meaning::SrcIp), IP_NOTE),
        fm("id.orig_p", Meaning::SrcPort),
        ignore("id.resp_h", Some(Meaning::DstIp), IP_NOTE),
        fm("id.resp_p", Meaning::DstPort),
        cat("proto", Some(Meaning::Protocol)),
        cat("service", None),
        fm("duration", Meaning::Duration),
        fm("orig_bytes", Meaning::Bytes),
        f("resp_bytes"),
        cat("conn_state", None),
        cat("local_orig", None),
        cat("local_resp", None),
        f("missed_bytes"),
        ignore(
            "history",
            None,
            "per-packet state letters (e.g. ShADadFf): free-form text with thousands of \
             variants; conn_state summarises it",
        ),
        fm("orig_pkts", Meaning::Packets),
        f("orig_ip_bytes"),
        f("resp_pkts"),
        f("resp_ip_bytes"),
        ignore(
            "tunnel_parents",
            None,
            "uids of enclosing tunnels: identifiers",
        ),
        ignore("community_id", None, "flow hash: an identifier"),
    ],
    trailer: None,
};

const CIC_PORT_NOTE: &str = "port number (feature; also used by the network views)";

/// CICFlowMeter / CIC-IDS2017 / CSE-CIC-IDS2018. Canonical names are CIC-IDS2017's; the
/// CICFlowMeter-V3 (2018) abbreviations are aliases and are renamed.
pub static CIC: Preset = Preset {
    name: "CICFlowMeter / CIC-IDS",
    required: &["flowduration", "flowiatmean"],
    columns: &[
        ignore("Flow ID", None, "flow identifier (5-tuple text)"),
        Spec {
            aliases: &["Src IP"],
            ..ignore("Source IP", Some(Meaning::SrcIp), IP_NOTE)
        },
        Spec {
            aliases: &["Dst IP"],
            ..ignore("Destination IP", Some(Meaning::DstIp), IP_NOTE)
        },
        Spec {
            aliases: &["Src Port"],
            note: CIC_PORT_NOTE,
            ..fm("Source Port", Meaning::SrcPort)
        },
        Spec {
            aliases: &["Dst Port"],
            note: CIC_PORT_NOTE,
            ..fm("Destination Port", Meaning::DstPort)
        },
        Spec {
            note: "IP protocol number: categorical (6 = TCP, 17 = UDP, 0 = other)",
            ..cat("Protocol", Some(Meaning::Protocol))
        },
        ts("Timestamp", &[]),
        Spec {
            note: "numeric feature (microseconds)",
            ..f("Flow Duration")
        },
        fa("Total Fwd Packets", &["Tot Fwd Pkts"]),
        fa("Total Backward Packets", &["Tot Bwd Pkts"]),
        fa("Total Length of Fwd Packets", &["TotLen Fwd Pkts"]),
        fa("Total Length of Bwd Packets", &["TotLen Bwd Pkts"]),
        fa("Fwd Packet Length Max", &["Fwd Pkt Len Max"]),
        fa("Fwd Packet Length Min", &["Fwd Pkt Len Min"]),
        fa("Fwd Packet Length Mean", &["Fwd Pkt Len Mean"]),
        fa("Fwd Packet Length Std", &["Fwd Pkt Len Std"]),
        fa("Bwd Packet Length Max", &["Bwd Pkt Len Max"]),
        fa("Bwd Packet Length Min", &["Bwd Pkt Len Min"]),
        fa("Bwd Packet Length Mean", &["Bwd Pkt Len Mean"]),
        fa("Bwd Packet Length Std", &["Bwd Pkt Len Std"]),
        fa("Flow Bytes/s", &["Flow Byts/s"]),
        fa("Flow Packets/s", &["Flow Pkts/s"]),
        fa("Fwd IAT Total", &["Fwd IAT Tot"]),
        fa("Bwd IAT Total", &["Bwd IAT Tot"]),
        fa("Fwd Header Length", &["Fwd Header Len"]),
        fa("Bwd Header Length", &["Bwd Header Len"]),
        fa("Fwd Packets/s", &["Fwd Pkts/s"]),
        fa("Bwd Packets/s", &["Bwd Pkts/s"]),
        fa("Min Packet Length", &["Pkt Len Min"]),
        fa("Max Packet Length", &["Pkt Len Max"]),
        fa("Packet Length Mean", &["Pkt Len Mean"]),
        fa("Packet Length Std", &["Pkt Len Std"]),
        fa("Packet Length Variance", &["Pkt Len Var"]),
        fa("FIN Flag Count", &["FIN Flag Cnt"]),
        fa("SYN Flag Count", &["SYN Flag Cnt"]),
        fa("RST Flag Count", &["RST Flag Cnt"]),
        fa("PSH Flag Count", &["PSH Flag Cnt"]),
        fa("ACK Flag Count", &["ACK Flag Cnt"]),
        fa("URG Flag Count", &["URG Flag Cnt"]),
        fa("CWE Flag Count", &["CWE Flag Cnt"]),
        fa("ECE Flag Count", &["ECE Flag Cnt"]),
        fa("Average Packet Size", &["Pkt Size Avg"]),
        fa("Avg Fwd Segment Size", &["Fwd Seg Size Avg"]),
        fa("Avg Bwd Segment Size", &["Bwd Seg Size Avg"]),
        fa("Fwd Avg Bytes/Bulk", &["Fwd Byts/b Avg"]),
        fa("Fwd Avg Packets/Bulk", &["Fwd Pkts/b Avg"]),
        fa("Fwd Avg Bulk Rate", &["Fwd Blk Rate Avg"]),
        fa("Bwd Avg Bytes/Bulk", &["Bwd Byts/b Avg"]),
        fa("Bwd Avg Packets/Bulk", &["Bwd Pkts/b Avg"]),
        fa("Bwd Avg Bulk Rate", &["Bwd Blk Rate Avg"]),
        fa("Subflow Fwd Packets", &["Subflow Fwd Pkts"]),
        fa("Subflow Fwd Bytes", &["Subflow Fwd Byts"]),
        fa("Subflow Bwd Packets", &["Subflow Bwd Pkts"]),
        fa("Subflow Bwd Bytes", &["Subflow Bwd Byts"]),
        fa("Init_Win_bytes_forward", &["Init Fwd Win Byts"]),
        fa("Init_Win_bytes_backward", &["Init Bwd Win Byts"]),
        fa("act_data_pkt_fwd", &["Fwd Act Data Pkts"]),
        fa("min_seg_size_forward", &["Fwd Seg Size Min"]),
        label("Label", &[]),
    ],
    trailer: None,
};

/// netsift's own flow table (packet captures turned into flows, exported as CSV). Listed before
/// CICFlowMeter, whose required columns it shares: here durations are in seconds, not µs.
pub static NETSIFT_FLOWS: Preset = Preset {
    name: "netsift flows (from a packet capture)",
    required: &["flowduration", "flowend", "totpkts", "wellknownport"],
    columns: &[
        ignore("src_ip", Some(Meaning::SrcIp), IP_NOTE),
        ignore("dst_ip", Some(Meaning::DstIp), IP_NOTE),
        fm("src_port", Meaning::SrcPort),
        fm("dst_port", Meaning::DstPort),
        cat("protocol", Some(Meaning::Protocol)),
        ts("timestamp", &[]),
        ignore(
            "flow_end",
            None,
            "why the flow ended (FIN, RST, timeout): context, not a measurement",
        ),
        fm("flow_duration", Meaning::Duration),
        fm("tot_pkts", Meaning::Packets),
        fm("tot_bytes", Meaning::Bytes),
        label("label", &[]),
    ],
    trailer: None,
};

const MAC_NOTE: &str = "MAC address: identifies an interface, it is not a measurement";
const MPLS_NOTE: &str = "MPLS label stack entry: a routing identifier, not a measurement";

/// nfdump's `-o csv` output (NetFlow / IPFIX / sFlow records), summary block at the end.
pub static NFDUMP: Preset = Preset {
    name: "nfdump flow export",
    required: &["ts", "te", "td", "sa", "da", "sp", "dp", "pr"],
    columns: &[
        ts("ts", &[]),
        ignore(
            "te",
            None,
            "flow end time: a raw timestamp, not a measurement (ts is the event time; td the \
             duration)",
        ),
        Spec {
            note: "numeric feature (flow duration, seconds)",
            ..fm("td", Meaning::Duration)
        },
        ignore("sa", Some(Meaning::SrcIp), IP_NOTE),
        ignore("da", Some(Meaning::DstIp), IP_NOTE),
        fm("sp", Meaning::SrcPort),
        fm("dp", Meaning::DstPort),
        cat("pr", Some(Meaning::Protocol)),
        Spec {
            note: "TCP flags (e.g. ...AP.SF): categorical feature",
            ..cat("flg", None)
        },
        fm("ipkt", Meaning::Packets),
        fm("ibyt", Meaning::Bytes),
        ignore(
            "in",
            None,
            "input interface index (SNMP): identifies a router port, not a measurement",
        ),
        ignore(
            "out",
            None,
            "output interface index (SNMP): identifies a router port, not a measurement",
        ),
        ignore("sas", None, "source AS number: an identifier"),
        ignore("das", None, "destination AS number: an identifier"),
        ignore("nh", None, "next-hop address: an identifier"),
        ignore("nhb", None, "BGP next-hop address: an identifier"),
        ignore("ra", None, "address of the exporting router: an identifier"),
        ignore("eng", None, "exporter engine type/id: an identifier"),
        ignore("exid", None, "exporter id: an identifier"),
        ignore(
            "tr",
            None,
            "time the collector received the record: not a property of the flow",
        ),
        ignore("ismc", None, MAC_NOTE),
        ignore("odmc", None, MAC_NOTE),
        ignore("idmc", None, MAC_NOTE),
        ignore("osmc", None, MAC_NOTE),
        ignore("mpls1", None, MPLS_NOTE),
        ignore("mpls2", None, MPLS_NOTE),
        ignore("mpls3", None, MPLS_NOTE),
        ignore("mpls4", None, MPLS_NOTE),
        ignore("mpls5", None, MPLS_NOTE),
        ignore("mpls6", None, MPLS_NOTE),
        ignore("mpls7", None, MPLS_NOTE),
        ignore("mpls8", None, MPLS_NOTE),
        ignore("mpls9", None, MPLS_NOTE),
        ignore("mpls10", None, MPLS_NOTE),
        label("label", &[]),
    ],
    trailer: Some(b"Summary"),
};

/// Suricata's eve.json `flow` events (the other event types are skipped when reading).
pub static SURICATA_FLOW: Preset = Preset {
    name: "Suricata eve.json flow events",
    required: &["eventtype", "flowid", "srcip", "destip", "flowpktstoserver"],
    columns: &[
        ts("flow.start", &[]),
        ignore(
            "timestamp",
            None,
            "when Suricata wrote the record (the flow's end or timeout), not when it began: \
             flow.start is the event time",
        ),
        ignore(
            "flow.end",
            None,
            "flow end time: a raw timestamp (flow.age is the duration)",
        ),
        ignore("flow_id", None, "Suricata's flow identifier"),
        ignore(
            "event_type",
            None,
            "the record type (\"flow\" in every kept row)",
        ),
        ignore(
            "in_iface",
            None,
            "capture interface name: context, not traffic",
        ),
        ignore("host", None, "sensor name: context, not traffic"),
        ignore(
            "pcap_cnt",
            None,
            "packet counter of the capture: a position, not traffic",
        ),
        ignore("src_ip", Some(Meaning::SrcIp), IP_NOTE),
        ignore("dest_ip", Some(Meaning::DstIp), IP_NOTE),
        fm("src_port", Meaning::SrcPort),
        fm("dest_port", Meaning::DstPort),
        cat("proto", Some(Meaning::Protocol)),
        cat("app_proto", None),
        fm("flow.pkts_toserver", Meaning::Packets),
        f("flow.pkts_toclient"),
        fm("flow.bytes_toserver", Meaning::Bytes),
        f("flow.bytes_toclient"),
        Spec {
            note: "numeric feature (flow age, seconds)",
            ..fm("flow.age", Meaning::Duration)
        },
        cat("flow.state", None),
        cat("flow.reason", None),
        Spec {
            note: "whether a Suricata rule alerted on the flow: a detector's verdict, kept for \
                   display, not a model input",
            ..ignore("flow.alerted", None, "")
        },
        ignore("community_id", None, "flow hash: an identifier"),
        label("label", &[]),
    ],
    trailer: None,
};

/// All header-detected presets, most specific first.
pub static PRESETS: [&Preset; 11] = [
    &NETSIFT_FLOWS,
    &CIC,
    &ZEEK_CONN,
    &SURICATA_FLOW,
    &NFDUMP,
    &UNSW_NB15,
    &NSL_KDD,
    &CONNECTION_FEATURES,
    &TRAFFIC_AGGREGATES,
    &STREAM_RECORDS,
    &PACKET_LOG,
];

/// Placeholder labels flow tools write when no ground truth exists (CICFlowMeter's
/// "NeedManualLabel"): a label column holding only these is not a label.
pub const PLACEHOLDER_LABELS: &[&str] = &[
    "needmanuallabel",
    "nolabel",
    "unlabeled",
    "unlabelled",
    "unknown",
];

/// The preset whose required keys all appear in `headers`.
pub fn detect(headers: &[String]) -> Option<&'static Preset> {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    PRESETS
        .iter()
        .copied()
        .find(|p| p.required.iter().all(|r| keys.iter().any(|k| k == r)))
}

/// Preset and names for a headerless file, from its column count and sample.
pub fn detect_headerless(
    n: usize,
    sample: &[Vec<String>],
) -> Option<(&'static Preset, Vec<String>)> {
    let col = |i: usize| {
        sample
            .iter()
            .filter_map(move |r| r.get(i).map(|s| s.trim()))
    };
    if (n == 42 || n == 43)
        && col(1)
            .take(20)
            .all(|p| matches!(p.to_ascii_lowercase().as_str(), "tcp" | "udp" | "icmp"))
    {
        return Some((
            &NSL_KDD,
            NSL_KDD_NAMES[..n].iter().map(|s| s.to_string()).collect(),
        ));
    }
    if n == 49 && col(0).take(20).all(|v| looks_like_ip(v) || v.is_empty()) {
        return Some((
            &UNSW_NB15,
            UNSW_NB15_NAMES.iter().map(|s| s.to_string()).collect(),
        ));
    }
    None
}

/// True for dotted IPv4 or IPv6 text.
pub fn looks_like_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

const LABEL_KEYS: &[&str] = &[
    "label",
    "labels",
    "class",
    "attack",
    "isanomaly",
    "anomaly",
    "isattack",
    "target",
    "malicious",
    "ismalicious",
    "groundtruth",
    "y",
    "outcome",
    "category",
];
const TIME_KEYS: &[&str] = &[
    "ts",
    "time",
    "timestamp",
    "date",
    "datetime",
    "starttime",
    "stime",
    "firstseen",
    "flowstart",
    "eventtime",
    "firstswitched",
    "flowstartseconds",
    "flowstartmilliseconds",
    "start",
    "tsstart",
    "timestart",
    "stamp",
];
/// End times: raw timestamps, never features (the start time is the event time; a duration
/// column, when there is one, carries the length).
const END_TIME_KEYS: &[&str] = &[
    "te",
    "end",
    "endtime",
    "timeend",
    "tsend",
    "endts",
    "stoptime",
    "lasttime",
    "lastseen",
    "ltime",
    "lastswitched",
    "flowendseconds",
    "flowendmilliseconds",
    "endtimestamp",
];
const ID_KEYS: &[&str] = &[
    "id",
    "uid",
    "flowid",
    "sessionid",
    "connid",
    "connectionid",
    "recordid",
    "index",
    "row",
    "rowid",
    "unnamed0",
    "",
    "guid",
    "uuid",
    "hash",
    "communityid",
];
const SRC_IP_KEYS: &[&str] = &[
    "srcip",
    "sourceip",
    "saddr",
    "src",
    "source",
    "srcaddr",
    "sourceaddress",
    "ipsrc",
    "origh",
    "idorigh",
    "srcaddress",
    "clientip",
    "sa",
];
const DST_IP_KEYS: &[&str] = &[
    "dstip",
    "destinationip",
    "daddr",
    "dst",
    "destination",
    "dstaddr",
    "destaddress",
    "ipdst",
    "resph",
    "idresph",
    "dstaddress",
    "destip",
    "serverip",
    "da",
];
const SRC_PORT_KEYS: &[&str] = &[
    "srcport",
    "sport",
    "sourceport",
    "srcpt",
    "sp",
    "origp",
    "idorigp",
    "clientport",
];
const DST_PORT_KEYS: &[&str] = &[
    "dstport",
    "dport",
    "dsport",
    "destinationport",
    "destport",
    "dstpt",
    "dp",
    "respp",
    "idrespp",
    "serverport",
];
const PROTO_KEYS: &[&str] = &[
    "protocol",
    "proto",
    "protocoltype",
    "ipproto",
    "pr",
    "l4proto",
];
const BYTES_KEYS: &[&str] = &[
    "bytes",
    "length",
    "len",
    "totalbytes",
    "bytecount",
    "octets",
    "size",
];
const PACKETS_KEYS: &[&str] = &[
    "packets",
    "pkts",
    "packetcount",
    "numpackets",
    "totalpackets",
];
const DURATION_KEYS: &[&str] = &["duration", "dur", "flowduration", "connectionduration"];

/// A file has one event time and one ground truth: a later column planned as a second timestamp
/// (an end time, a receive time) or a second label is kept for display instead, as text.
pub fn only_one_of_each(plan: &mut ColumnPlan, earlier: impl Iterator<Item = Role>) {
    if plan.fixed || !matches!(plan.role, Role::Timestamp | Role::Label) {
        return;
    }
    let role = plan.role;
    if !earlier.into_iter().any(|r| r == role) {
        return;
    }
    plan.role = Role::Ignore;
    plan.kind = Kind::Categorical;
    plan.reason = match role {
        Role::Timestamp => format!(
            "{}; a second time column (an end or receive time?): kept for display, the first \
             time column is the event time",
            plan.reason
        ),
        _ => format!(
            "{}; a second label-like column: kept for display, the first one is the label",
            plan.reason
        ),
    };
}

/// A label column holding nothing but placeholders (CICFlowMeter's "NeedManualLabel") is not
/// ground truth: it becomes a display column, and the returned notice says why.
pub fn placeholder_label(plan: &mut ColumnPlan, values: &Values) -> Option<String> {
    let Values::Categorical { levels, codes } = values else {
        return None;
    };
    let is_placeholder = |l: &str| PLACEHOLDER_LABELS.contains(&key(l).as_str());
    if !levels.iter().any(|l| is_placeholder(l)) {
        return None;
    }
    let mut used = vec![false; levels.len()];
    for &c in codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    let mut any = false;
    for (l, _) in levels.iter().zip(&used).filter(|(_, u)| **u) {
        if !is_placeholder(l) {
            return None;
        }
        any = true;
    }
    if !any {
        return None;
    }
    let first = levels.first().cloned().unwrap_or_default();
    plan.role = Role::Ignore;
    plan.reason = format!(
        "every row says \"{first}\": the tool had no ground truth, so this is not a label \
         (kept for display)"
    );
    Some(format!(
        "column \"{}\" holds only \"{first}\", a placeholder, not a label: the file has no \
         ground truth, so no metrics can be computed; it was kept for display",
        plan.name
    ))
}

/// Guesses a plan for a column no preset knows, from its name and a sample of its cells.
pub fn guess(name: &str, sample: &[&str]) -> ColumnPlan {
    let k = key(name);
    let has = |list: &[&str]| list.contains(&k.as_str());
    let non_null: Vec<&str> = sample
        .iter()
        .map(|s| s.trim())
        .filter(|s| !is_null(s))
        .collect();
    let n = non_null.len().max(1);
    let share =
        |pred: &dyn Fn(&str) -> bool| non_null.iter().filter(|s| pred(s)).count() * 10 >= n * 9;
    let all_numeric = !non_null.is_empty() && share(&|s| matches!(parse_num(s), Num::Value(_)));
    let ips = !non_null.is_empty() && share(&looks_like_ip);
    let why = |what: &str| format!("{what} (name \"{name}\")");

    if has(LABEL_KEYS) {
        return ColumnPlan::new(name, Role::Label, None, Kind::Categorical, why("label"));
    }
    if has(SRC_IP_KEYS) {
        return ColumnPlan::new(
            name,
            Role::Ignore,
            Some(Meaning::SrcIp),
            Kind::Categorical,
            why("source address, kept for the network views, not a model input"),
        );
    }
    if has(DST_IP_KEYS) {
        return ColumnPlan::new(
            name,
            Role::Ignore,
            Some(Meaning::DstIp),
            Kind::Categorical,
            why("destination address, kept for the network views, not a model input"),
        );
    }
    if ips {
        return ColumnPlan::new(
            name,
            Role::Ignore,
            None,
            Kind::Categorical,
            "values are IP addresses: kept for display, not a model input".to_string(),
        );
    }
    if has(END_TIME_KEYS) {
        return ColumnPlan::new(
            name,
            Role::Ignore,
            None,
            Kind::Auto,
            why("end time: a raw timestamp, not a measurement; kept for display"),
        );
    }
    if has(TIME_KEYS) || k.ends_with("timestamp") || k.ends_with("time") && !all_numeric {
        let ok = !non_null.is_empty() && share(&|s| parse_timestamp(s).is_some());
        if ok {
            return ColumnPlan::new(
                name,
                Role::Timestamp,
                None,
                Kind::Timestamp,
                why("event time, parsed to epoch seconds"),
            );
        }
    }
    if !non_null.is_empty() && !all_numeric && share(&|s| parse_date_time(s).is_some()) {
        return ColumnPlan::new(
            name,
            Role::Timestamp,
            None,
            Kind::Timestamp,
            "values are dates/times: event time, parsed to epoch seconds".to_string(),
        );
    }
    if has(ID_KEYS) || k.ends_with("uid") || k.ends_with("uuid") || k == "flowid" {
        return ColumnPlan::new(
            name,
            Role::Ignore,
            None,
            Kind::Auto,
            why("identifier, not a measurement"),
        );
    }
    let meaning = if has(SRC_PORT_KEYS) {
        Some(Meaning::SrcPort)
    } else if has(DST_PORT_KEYS) {
        Some(Meaning::DstPort)
    } else if has(PROTO_KEYS) {
        Some(Meaning::Protocol)
    } else if has(BYTES_KEYS) {
        Some(Meaning::Bytes)
    } else if has(PACKETS_KEYS) {
        Some(Meaning::Packets)
    } else if has(DURATION_KEYS) {
        Some(Meaning::Duration)
    } else {
        None
    };
    if meaning == Some(Meaning::Protocol) {
        return ColumnPlan::new(
            name,
            Role::Feature,
            meaning,
            Kind::Categorical,
            why("protocol: categorical feature"),
        );
    }
    let reason = match (all_numeric, meaning) {
        (true, Some(m)) => why(&format!("numeric feature, {m:?}")),
        (true, None) => "numeric feature (values are numbers)".to_string(),
        (false, _) if non_null.is_empty() => {
            "no values in the first rows; decided by the data".to_string()
        }
        (false, _) => "categorical feature (values are text)".to_string(),
    };
    ColumnPlan::new(name, Role::Feature, meaning, Kind::Auto, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(key(" Flow Bytes/s"), "flowbytess");
        assert_eq!(key("id.orig_h"), "idorigh");
    }

    #[test]
    fn cic_aliases_map_to_2017_names() {
        assert_eq!(
            CIC.spec("Tot Fwd Pkts").map(|s| s.name),
            Some("Total Fwd Packets")
        );
        assert_eq!(
            CIC.spec(" Flow Byts/s").map(|s| s.name),
            Some("Flow Bytes/s")
        );
        assert_eq!(CIC.spec("Src IP").map(|s| s.role), Some(Role::Ignore));
    }

    #[test]
    fn unsw_raw_names_are_49() {
        assert_eq!(UNSW_NB15_NAMES.len(), 49);
    }

    #[test]
    fn generic_guesses_follow_names_and_values() {
        assert_eq!(guess("Label", &["0", "1"]).role, Role::Label);
        assert_eq!(guess("src", &["10.0.0.1"]).meaning, Some(Meaning::SrcIp));
        assert_eq!(guess("peer", &["10.0.0.1", "::1"]).role, Role::Ignore);
        assert_eq!(
            guess("when", &["2024-01-01 10:00:00"]).role,
            Role::Timestamp
        );
        assert_eq!(guess("ts", &["1700000000.5"]).role, Role::Timestamp);
        assert_eq!(guess("flow_id", &["a"]).role, Role::Ignore);
        assert_eq!(guess("dport", &["80"]).meaning, Some(Meaning::DstPort));
        assert_eq!(guess("bytes", &["80"]).role, Role::Feature);
    }
}
