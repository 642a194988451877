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
//! | [`APP_COLUMNS`]: `dns_query`, `dns_qtype`, `dns_rcode`, `dns_answers`, `tls_sni`, `http_method`, `http_host`, `http_path` (categorical, missing when the flow has none; a column only when some flow has a value) | `Ignore` | — |
//!
//! The application columns are `Ignore`d by the models (free text of unbounded cardinality) but
//! shown in the tables and the anomaly detail, and read by the DNS rules. Their names follow
//! Zeek's `dns.log`/`ssl.log`/`http.log` fields with a protocol prefix.

use std::collections::HashMap;
use std::hash::Hash;

use crate::engine::data::{CategoricalBuilder, Column, Meaning, Role, Table, Values};
use crate::engine::ingest::capture::app::{dns_rcode_name, dns_type_name, AppFields};
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

type AppGetter = fn(&AppFields) -> Option<String>;

/// The application-field columns, in table order (after the numeric features).
pub const APP_COLUMNS: &[(&str, AppGetter)] = &[
    ("dns_query", |a| a.dns_query.clone()),
    ("dns_qtype", |a| a.dns_qtype.map(dns_type_name)),
    ("dns_rcode", |a| a.dns_rcode.map(dns_rcode_name)),
    ("dns_answers", |a| a.dns_answers.clone()),
    ("tls_sni", |a| a.tls_sni.clone()),
    ("http_method", |a| a.http_method.clone()),
    ("http_host", |a| a.http_host.clone()),
    ("http_path", |a| a.http_path.clone()),
];

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
///
/// Built in one pass over the flows (a flow is ≈ 450 bytes: one pass per column cost a cache
/// miss per flow and column); the text columns format each distinct value once.
pub fn flows_to_table(flows: &[Flow]) -> Table {
    let mut numeric: Vec<Vec<f64>> = (0..NUMERIC_FEATURES.len() + 3)
        .map(|_| Vec::with_capacity(flows.len()))
        .collect();
    let mut src_ip = Coder::default();
    let mut dst_ip = Coder::default();
    let mut protocol = Coder::default();
    let mut close = Coder::default();
    for f in flows {
        src_ip.push(f.src_ip, |ip| ip.to_string());
        dst_ip.push(f.dst_ip, |ip| ip.to_string());
        protocol.push(f.protocol, protocol_name);
        close.push(f.close.as_str(), str::to_owned);
        let [src_port, dst_port, timestamp, features @ ..] = &mut numeric[..] else {
            continue;
        };
        src_port.push(f64::from(f.src_port));
        dst_port.push(f64::from(f.dst_port));
        timestamp.push(f.timestamp);
        for (column, &(_, get)) in features.iter_mut().zip(NUMERIC_FEATURES) {
            column.push(get(f));
        }
    }
    let mut numeric = numeric.into_iter();
    let mut next = || numeric.next().unwrap_or_default();
    let text = |name: &str, coder: Coder<_>| Column {
        name: name.to_owned(),
        role: Role::Feature,
        meaning: None,
        values: coder.finish(),
    };
    let mut columns = vec![
        text("src_ip", src_ip)
            .with_role(Role::Ignore)
            .with_meaning(Meaning::SrcIp),
        text("dst_ip", dst_ip)
            .with_role(Role::Ignore)
            .with_meaning(Meaning::DstIp),
        Column::numeric("src_port", next()).with_meaning(Meaning::SrcPort),
        Column::numeric("dst_port", next()).with_meaning(Meaning::DstPort),
    ];
    columns.push(Column {
        name: "protocol".into(),
        role: Role::Feature,
        meaning: Some(Meaning::Protocol),
        values: protocol.finish(),
    });
    columns.push(Column::numeric("timestamp", next()).with_role(Role::Timestamp));
    columns.push(Column {
        name: "flow_end".into(),
        role: Role::Ignore,
        meaning: None,
        values: close.finish(),
    });
    for &(name, _) in NUMERIC_FEATURES {
        let mut c = Column::numeric(name, next());
        c.meaning = match name {
            "flow_duration" => Some(Meaning::Duration),
            "tot_pkts" => Some(Meaning::Packets),
            "tot_bytes" => Some(Meaning::Bytes),
            _ => None,
        };
        columns.push(c);
    }
    columns.extend(app_columns(flows));
    debug_assert!(columns.iter().all(|c| c.values.len() == flows.len()));
    Table { columns }
}

/// The [`APP_COLUMNS`] that have at least one value.
fn app_columns(flows: &[Flow]) -> Vec<Column> {
    if flows.iter().all(|f| f.app.is_none()) {
        return Vec::new();
    }
    APP_COLUMNS
        .iter()
        .filter_map(|&(name, get)| {
            let mut b = CategoricalBuilder::default();
            b.reserve(flows.len());
            let mut any = false;
            for f in flows {
                match f.app.as_deref().and_then(get) {
                    Some(v) if !v.is_empty() => {
                        any = true;
                        b.push(&v);
                    }
                    _ => b.push(""),
                }
            }
            any.then(|| Column {
                name: name.to_owned(),
                role: Role::Ignore,
                meaning: None,
                values: b.finish(),
            })
        })
        .collect()
}

/// Dictionary-encodes a column of small keys (levels in order of first appearance, as
/// [`Values::categorical_from`](crate::engine::data::Values::categorical_from) does for their
/// texts, which are never empty and distinct for distinct keys), formatting each level once.
struct Coder<K> {
    index: HashMap<K, u32>,
    levels: Vec<String>,
    codes: Vec<u32>,
}

impl<K> Default for Coder<K> {
    fn default() -> Self {
        Self {
            index: HashMap::new(),
            levels: Vec::new(),
            codes: Vec::new(),
        }
    }
}

impl<K: Hash + Eq + Copy> Coder<K> {
    fn push(&mut self, key: K, text: impl FnOnce(K) -> String) {
        let levels = &mut self.levels;
        let code = *self.index.entry(key).or_insert_with(|| {
            levels.push(text(key));
            (levels.len() - 1) as u32
        });
        self.codes.push(code);
    }

    fn finish(self) -> Values {
        Values::Categorical {
            levels: self.levels,
            codes: self.codes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
    use crate::engine::ingest::capture::{read_flows_from_bytes, FlowConfig};

    /// The one-pass table equals the plain per-column construction, cell for cell.
    #[test]
    fn table_matches_per_column_construction() {
        let cap = generate_capture(&CaptureGenParams::default()).unwrap();
        let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default())
            .unwrap()
            .flows;
        assert!(flows.len() > 100);
        let t = flows_to_table(&flows);
        let text = |g: fn(&Flow) -> String| Values::categorical_from(flows.iter().map(g));
        let col = |name: &str| &t.columns.iter().find(|c| c.name == name).unwrap().values;
        assert_eq!(col("src_ip"), &text(|f| f.src_ip.to_string()));
        assert_eq!(col("dst_ip"), &text(|f| f.dst_ip.to_string()));
        assert_eq!(col("protocol"), &text(|f| protocol_name(f.protocol)));
        assert_eq!(col("flow_end"), &text(|f| f.close.as_str().to_owned()));
        let nums = |g: fn(&Flow) -> f64| Values::Numeric(flows.iter().map(g).collect());
        assert_eq!(col("src_port"), &nums(|f| f64::from(f.src_port)));
        assert_eq!(col("dst_port"), &nums(|f| f64::from(f.dst_port)));
        assert_eq!(col("timestamp"), &nums(|f| f.timestamp));
        for &(name, get) in NUMERIC_FEATURES {
            assert_eq!(col(name), &nums(get), "{name}");
        }
        let texts = |g: AppGetter| {
            Values::categorical_from(
                flows
                    .iter()
                    .map(|f| f.app.as_deref().and_then(g).unwrap_or_default()),
            )
        };
        let mut app = 0;
        for &(name, get) in APP_COLUMNS {
            if let Some(c) = t.columns.iter().find(|c| c.name == name) {
                assert_eq!(c.values, texts(get), "{name}");
                assert_eq!(c.role, Role::Ignore);
                app += 1;
            }
        }
        assert!(app >= 5, "the generator's DNS and HTTP give their columns");
        assert_eq!(t.columns.len(), 7 + NUMERIC_FEATURES.len() + app);
    }
}
