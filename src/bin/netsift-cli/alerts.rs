//! `netsift-cli alerts FILE [--config rules.json]`: behaviour rules over a capture or a flow table,
//! one JSON line per alert.

use std::path::Path;

use netsift::engine::ingest::capture::{read_flows, FlowConfig};
use netsift::engine::ingest::{container, Container};
use netsift::engine::progress::NoProgress;
use netsift::engine::rules::{self, RuleAlert, RulesConfig, RulesOutcome};
use netsift::engine::time::iso8601;

use crate::commands::{display_name, json_safe, load, named, terminal_safe, LimitArgs};

/// Reads a `--config` file (partial JSON allowed).
pub fn load_config(path: Option<&Path>) -> Result<RulesConfig, String> {
    match path {
        None => Ok(RulesConfig::default()),
        Some(p) => {
            use std::io::Read;
            // A rules file is a few hundred bytes; read at most 1 MiB of whatever was named.
            let mut text = String::new();
            std::fs::File::open(p)
                .and_then(|f| f.take(1 << 20).read_to_string(&mut text))
                .map_err(|e| format!("cannot read rules config {}: {e}", p.display()))?;
            RulesConfig::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
    }
}

/// Alert → the CLI's JSON object (times as ISO-8601 UTC and epoch seconds).
pub fn alert_json(a: &RuleAlert) -> serde_json::Value {
    serde_json::json!({
        "rule": a.rule.id(),
        "severity": a.severity.id(),
        "source": a.source,
        "target": a.target,
        "port": a.port,
        "window_start": iso8601(a.window_start),
        "window_end": iso8601(a.window_end),
        "window_start_epoch": a.window_start,
        "window_end_epoch": a.window_end,
        "evidence": a.evidence,
        "flow_count": a.flow_count,
        "related": a.related.iter().map(|r| r.id()).collect::<Vec<_>>(),
        "description": a.description,
    })
}

/// The JSON lines printed for an outcome.
pub fn alert_lines(outcome: &RulesOutcome) -> Vec<String> {
    outcome
        .alerts
        .iter()
        .map(|a| alert_json(a).to_string())
        .collect()
}

/// The subcommand. The file is streamed: an uncompressed capture straight into the flow table,
/// anything else (tables, `.pcap.gz`) through the engine's chunked reader.
pub fn run(file: &Path, config: Option<&Path>, limits: &LimitArgs) -> Result<(), String> {
    let config = load_config(config)?;
    let name = display_name(file);
    let mut head = [0u8; 16];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
            }
        }
        n
    };
    let mut notes = Vec::new();
    let outcome = match container(&head[..n]) {
        Container::Pcap | Container::Pcapng => {
            let f = std::fs::File::open(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let flows = read_flows(
                std::io::BufReader::new(f),
                size,
                FlowConfig::default(),
                &mut NoProgress,
            )
            .map_err(|e| named(&name, e))?;
            notes.extend(flows.stats.warnings.iter().map(|w| w.to_string()));
            if flows.arp.dropped > 0 {
                notes.push(format!(
                    "{} ARP packets beyond the first {} were not checked",
                    flows.arp.dropped,
                    flows.arp.records.len()
                ));
            }
            rules::evaluate_capture(&flows, &config).map_err(|e| named(&name, e))?
        }
        _ => {
            let ingested = load(file, limits)?;
            let t = rules::table_records(&ingested.table).map_err(|e| named(&name, e))?;
            if t.skipped_rows > 0 {
                notes.push(format!(
                    "{} rows without address or timestamp were skipped",
                    t.skipped_rows
                ));
            }
            rules::evaluate(&t.records, &config).map_err(|e| named(&name, e))?
        }
    };
    for u in &outcome.unsupported {
        notes.push(format!("rule {} cannot run: {}", u.rule.id(), u.reason));
    }
    for n in notes {
        eprintln!("netsift-cli: {name}: {}", terminal_safe(&n));
    }
    for line in alert_lines(&outcome) {
        out!("{}", json_safe(&line));
    }
    Ok(())
}
