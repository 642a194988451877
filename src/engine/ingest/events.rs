//! Logs that mix record types in one stream. Suricata's eve.json interleaves `flow` events with
//! `alert`, `dns`, `http`, `stats`, … events; only the flow events are flows (one row per
//! connection, with counters), the others would add hundreds of mostly empty columns. When the
//! first records show such a log, only its flow events become rows and the rest are counted.

use super::json::Cell;

/// Keeps the records whose `key` is `keep`; counts the others by their value.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFilter {
    key: &'static str,
    keep: &'static str,
    skipped: Vec<(String, u64)>,
}

impl EventFilter {
    /// A filter when the sampled records are a Suricata eve.json log holding flow events.
    pub fn detect<'a>(records: impl IntoIterator<Item = &'a [(String, Cell)]>) -> Option<Self> {
        let mut suricata = false;
        let mut flows = false;
        for r in records {
            let ty = value(r, "event_type");
            suricata |= ty.is_some() && r.iter().any(|(k, _)| k == "flow_id");
            flows |= ty == Some("flow");
        }
        (suricata && flows).then(|| Self {
            key: "event_type",
            keep: "flow",
            skipped: Vec::new(),
        })
    }

    /// True when the record is a row; otherwise it is counted.
    pub fn keeps(&mut self, record: &[(String, Cell)]) -> bool {
        let ty = value(record, self.key).unwrap_or("(none)");
        if ty == self.keep {
            return true;
        }
        match self.skipped.iter_mut().find(|(t, _)| t == ty) {
            Some((_, n)) => *n += 1,
            None => self.skipped.push((ty.to_owned(), 1)),
        }
        false
    }

    /// The notice for the page: how many records of which types were left out.
    pub fn notice(&self) -> Option<String> {
        let total: u64 = self.skipped.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return None;
        }
        let kinds: Vec<String> = self
            .skipped
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        Some(format!(
            "{total} records that are not {} events skipped ({}): only {} events describe \
             whole connections",
            self.keep,
            kinds.join(", "),
            self.keep
        ))
    }
}

/// True for an event log (Suricata eve.json) none of whose records so far is a flow event:
/// reading on (up to a bound) finds the flow events to plan the columns from.
pub fn awaiting_flows<'a>(records: impl IntoIterator<Item = &'a [(String, Cell)]>) -> bool {
    let mut suricata = false;
    for r in records {
        let ty = value(r, "event_type");
        if ty == Some("flow") {
            return false;
        }
        suricata |= ty.is_some() && r.iter().any(|(k, _)| k == "flow_id");
    }
    suricata
}

/// True for a Suricata flow event.
pub fn is_flow(record: &[(String, Cell)]) -> bool {
    value(record, "event_type") == Some("flow")
}

/// The notice for an event log with no flow events at all.
pub fn no_flows_notice(records: usize) -> String {
    format!(
        "this looks like a Suricata eve.json log without flow events (none in the first \
         {records} records): each row is one event of mixed types; enable \"flow\" in the \
         eve-log types for one row per connection"
    )
}

fn value<'a>(record: &'a [(String, Cell)], key: &str) -> Option<&'a str> {
    record.iter().find_map(|(k, v)| match v {
        Cell::Text(s) if k == key => Some(s.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(ty: &str) -> Vec<(String, Cell)> {
        vec![
            ("event_type".into(), Cell::Text(ty.into())),
            ("flow_id".into(), Cell::Num(1.0)),
        ]
    }

    #[test]
    fn only_flow_events_are_kept_and_the_rest_counted() {
        let recs = [rec("alert"), rec("flow"), rec("dns"), rec("alert")];
        let mut f = EventFilter::detect(recs.iter().map(Vec::as_slice)).unwrap();
        let kept: Vec<bool> = recs.iter().map(|r| f.keeps(r)).collect();
        assert_eq!(kept, [false, true, false, false]);
        let n = f.notice().unwrap();
        assert!(n.starts_with("3 records that are not flow events skipped (alert 2, dns 1)"));
    }

    #[test]
    fn logs_without_flow_events_are_not_filtered() {
        let recs = [rec("alert"), rec("dns")];
        assert!(EventFilter::detect(recs.iter().map(Vec::as_slice)).is_none());
        let plain = [vec![("a".to_string(), Cell::Num(1.0))]];
        assert!(EventFilter::detect(plain.iter().map(Vec::as_slice)).is_none());
    }
}
