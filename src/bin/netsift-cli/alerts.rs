//! `netsift-cli alerts FILE [--config rules.json]`: behaviour rules over a capture or a flow table,
//! one JSON line per alert.

use std::path::Path;

use netsift::engine::ingest::capture::{read_flows_from_bytes, FlowConfig};
use netsift::engine::ingest::{self, container, Container, IngestOptions};
use netsift::engine::rules::{self, engine::alert_json, RulesConfig, RulesOutcome};

/// Runs the rules over a file's bytes: pcap/pcapng → flows → records; anything else → table →
/// records. Notes (skipped rows, rules the data cannot support) go to `notes`.
pub fn alerts_for_bytes(
    name: &str,
    bytes: &[u8],
    config: &RulesConfig,
    notes: &mut Vec<String>,
) -> Result<RulesOutcome, String> {
    let head = &bytes[..bytes.len().min(16)];
    let records = match container(head) {
        Container::Pcap | Container::Pcapng => {
            let flows =
                read_flows_from_bytes(bytes, FlowConfig::default()).map_err(|e| e.to_string())?;
            notes.extend(flows.stats.warnings.iter().map(|w| w.to_string()));
            if flows.arp.dropped > 0 {
                notes.push(format!(
                    "{} ARP packets beyond the first {} were not checked",
                    flows.arp.dropped,
                    flows.arp.records.len()
                ));
            }
            let outcome = rules::evaluate_capture(&flows, config).map_err(|e| e.to_string())?;
            for u in &outcome.unsupported {
                notes.push(format!("rule {} cannot run: {}", u.rule.id(), u.reason));
            }
            return Ok(outcome);
        }
        _ => {
            let ingested = ingest::read_table(name, bytes, &IngestOptions::default())
                .map_err(|e| e.to_string())?;
            notes.extend(ingested.warnings);
            let t = rules::table_records(&ingested.table).map_err(|e| e.to_string())?;
            if t.skipped_rows > 0 {
                notes.push(format!(
                    "{} rows without address or timestamp were skipped",
                    t.skipped_rows
                ));
            }
            t.records
        }
    };
    let outcome = rules::evaluate(&records, config).map_err(|e| e.to_string())?;
    for u in &outcome.unsupported {
        notes.push(format!("rule {} cannot run: {}", u.rule.id(), u.reason));
    }
    Ok(outcome)
}

/// Reads a `--config` file (partial JSON allowed).
pub fn load_config(path: Option<&Path>) -> Result<RulesConfig, String> {
    match path {
        None => Ok(RulesConfig::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read rules config {}: {e}", p.display()))?;
            RulesConfig::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
    }
}

/// The JSON lines printed for an outcome.
pub fn alert_lines(outcome: &RulesOutcome) -> Vec<String> {
    outcome
        .alerts
        .iter()
        .map(|a| alert_json(a).to_string())
        .collect()
}

/// The subcommand.
pub fn run(file: &Path, config: Option<&Path>) -> Result<(), String> {
    let config = load_config(config)?;
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut notes = Vec::new();
    let outcome = alerts_for_bytes(&name, &bytes, &config, &mut notes)?;
    for n in notes {
        eprintln!("netsift-cli: {name}: {n}");
    }
    for line in alert_lines(&outcome) {
        out!("{line}");
    }
    Ok(())
}
