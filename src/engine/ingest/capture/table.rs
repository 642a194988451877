//! Flows → [`Table`]: one row per flow, with the roles and meanings the rest of the engine uses.
//!
//! | columns | role | meaning |
//! |---|---|---|
//! | `src_ip`, `dst_ip` | `Ignore` | `SrcIp`, `DstIp` |
//! | `src_port`, `dst_port` | `Feature` (numeric) | `SrcPort`, `DstPort` |
//! | `protocol` (`tcp`, `udp`, `icmp`, `icmpv6`, or the number) | `Feature` (categorical) | `Protocol` |
//! | `timestamp` (first packet, epoch seconds) | `Timestamp` | — |
//! | `flow_end` (why the flow ended) | `Ignore` | — |
//! | `flow_duration` | `Feature` | `Duration` |
//! | `tot_pkts` | `Feature` | `Packets` |
//! | `tot_bytes` | `Feature` | `Bytes` |
//! | every other feature of [`Flow`] | `Feature` | — |

use crate::engine::data::{Column, Meaning, Role, Table};
use crate::engine::ingest::capture::flows::Flow;

/// Protocol number → the name used in the `protocol` column.
pub fn protocol_name(p: u8) -> String {
    match p {
        1 => "icmp".into(),
        2 => "igmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        47 => "gre".into(),
        50 => "esp".into(),
        58 => "icmpv6".into(),
        132 => "sctp".into(),
        n => n.to_string(),
    }
}

type Getter = fn(&Flow) -> f64;

/// The numeric feature columns, in table order (after ports and protocol).
pub const NUMERIC_FEATURES: &[(&str, Getter)] = &[
    ("flow_duration", |f| f.flow_duration),
    ("tot_pkts", |f| f.tot_pkts() as f64),
    ("tot_bytes", |f| f.tot_bytes as f64),
    ("tot_fwd_pkts", |f| f.tot_fwd_pkts as f64),
    ("tot_bwd_pkts", |f| f.tot_bwd_pkts as f64),
    ("totlen_fwd_pkts", |f| f.totlen_fwd_pkts as f64),
    ("totlen_bwd_pkts", |f| f.totlen_bwd_pkts as f64),
    ("fwd_pkt_len_max", |f| f.fwd_pkt_len_max),
    ("fwd_pkt_len_min", |f| f.fwd_pkt_len_min),
    ("fwd_pkt_len_mean", |f| f.fwd_pkt_len_mean),
    ("fwd_pkt_len_std", |f| f.fwd_pkt_len_std),
    ("bwd_pkt_len_max", |f| f.bwd_pkt_len_max),
    ("bwd_pkt_len_min", |f| f.bwd_pkt_len_min),
    ("bwd_pkt_len_mean", |f| f.bwd_pkt_len_mean),
    ("bwd_pkt_len_std", |f| f.bwd_pkt_len_std),
    ("flow_byts_s", |f| f.flow_byts_s),
    ("flow_pkts_s", |f| f.flow_pkts_s),
    ("fwd_pkts_s", |f| f.fwd_pkts_s),
    ("bwd_pkts_s", |f| f.bwd_pkts_s),
    ("flow_iat_mean", |f| f.flow_iat_mean),
    ("flow_iat_std", |f| f.flow_iat_std),
    ("flow_iat_max", |f| f.flow_iat_max),
    ("flow_iat_min", |f| f.flow_iat_min),
    ("fwd_iat_tot", |f| f.fwd_iat_tot),
    ("fwd_iat_mean", |f| f.fwd_iat_mean),
    ("fwd_iat_std", |f| f.fwd_iat_std),
    ("fwd_iat_max", |f| f.fwd_iat_max),
    ("fwd_iat_min", |f| f.fwd_iat_min),
    ("bwd_iat_tot", |f| f.bwd_iat_tot),
    ("bwd_iat_mean", |f| f.bwd_iat_mean),
    ("bwd_iat_std", |f| f.bwd_iat_std),
    ("bwd_iat_max", |f| f.bwd_iat_max),
    ("bwd_iat_min", |f| f.bwd_iat_min),
    ("fin_flag_cnt", |f| f.fin_flag_cnt as f64),
    ("syn_flag_cnt", |f| f.syn_flag_cnt as f64),
    ("rst_flag_cnt", |f| f.rst_flag_cnt as f64),
    ("psh_flag_cnt", |f| f.psh_flag_cnt as f64),
    ("ack_flag_cnt", |f| f.ack_flag_cnt as f64),
    ("urg_flag_cnt", |f| f.urg_flag_cnt as f64),
    ("down_up_ratio", |f| f.down_up_ratio),
    ("pkt_len_min", |f| f.pkt_len_min),
    ("pkt_len_max", |f| f.pkt_len_max),
    ("pkt_len_mean", |f| f.pkt_len_mean),
    ("pkt_len_std", |f| f.pkt_len_std),
    ("pkt_len_var", |f| f.pkt_len_var),
    ("well_known_port", |f| f64::from(f.well_known_port)),
    ("handshake_complete", |f| f64::from(f.handshake_complete)),
    ("syn_without_ack", |f| f64::from(f.syn_without_ack)),
];

/// One row per flow, in the given order; see the module doc for the columns.
pub fn flows_to_table(flows: &[Flow]) -> Table {
    let strs = |g: fn(&Flow) -> String| flows.iter().map(g).collect::<Vec<_>>();
    let nums = |g: fn(&Flow) -> f64| flows.iter().map(g).collect::<Vec<_>>();
    let mut columns = vec![
        Column::categorical("src_ip", strs(|f| f.src_ip.to_string()))
            .with_role(Role::Ignore)
            .with_meaning(Meaning::SrcIp),
        Column::categorical("dst_ip", strs(|f| f.dst_ip.to_string()))
            .with_role(Role::Ignore)
            .with_meaning(Meaning::DstIp),
        Column::numeric("src_port", nums(|f| f64::from(f.src_port))).with_meaning(Meaning::SrcPort),
        Column::numeric("dst_port", nums(|f| f64::from(f.dst_port))).with_meaning(Meaning::DstPort),
        Column::categorical("protocol", strs(|f| protocol_name(f.protocol)))
            .with_meaning(Meaning::Protocol),
        Column::numeric("timestamp", nums(|f| f.timestamp)).with_role(Role::Timestamp),
        Column::categorical("flow_end", strs(|f| f.close.as_str().to_owned()))
            .with_role(Role::Ignore),
    ];
    for &(name, get) in NUMERIC_FEATURES {
        let mut c = Column::numeric(name, nums(get));
        c.meaning = match name {
            "flow_duration" => Some(Meaning::Duration),
            "tot_pkts" => Some(Meaning::Packets),
            "tot_bytes" => Some(Meaning::Bytes),
            _ => None,
        };
        columns.push(c);
    }
    debug_assert!(columns.iter().all(|c| c.values.len() == flows.len()));
    Table { columns }
}
