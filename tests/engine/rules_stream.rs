//! The incremental rule engine: flows pushed in batches of any size raise exactly the batch
//! engine's alerts, each in the batch that completes its condition, and closed alerts taken
//! along the way plus the rest at the end equal one batch evaluation.

use netsift::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
use netsift::engine::ingest::capture::{read_flows_from_bytes, FlowConfig};
use netsift::engine::rules::{
    evaluate, records_from_flows, FlowRecord, RuleAlert, RuleEngine, RuleKind, RulesConfig,
};

type Identity = (RuleKind, Option<String>, Option<String>, Option<u16>, u64);

fn identity(a: &RuleAlert) -> Identity {
    (
        a.rule,
        a.source.clone(),
        a.target.clone(),
        a.port,
        a.window_start.to_bits(),
    )
}

/// The generated capture's records (port scan, SYN flood, DDoS, beacon, exfiltration), sorted as
/// `evaluate` sorts them.
fn capture_records(params: &CaptureGenParams) -> Vec<FlowRecord> {
    let cap = generate_capture(params).unwrap();
    let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    let mut records = records_from_flows(&flows.flows);
    records.sort_by(|a, b| a.ts.total_cmp(&b.ts).then(a.row.cmp(&b.row)));
    records
}

/// One raised alert: the alert as raised, the batch it came in, and the stream time then.
struct Raised {
    alert: RuleAlert,
    batch: usize,
    now: f64,
}

/// Pushes `records` in batches of `size`, advancing the clock to the next batch's first record
/// between batches (as the live tick does) and taking raised and closed alerts after each.
fn stream(
    records: &[FlowRecord],
    size: usize,
    config: &RulesConfig,
) -> (Vec<Raised>, Vec<RuleAlert>) {
    let mut e = RuleEngine::new(config).unwrap();
    let mut raised = Vec::new();
    let mut finals = Vec::new();
    let batches: Vec<&[FlowRecord]> = records.chunks(size).collect();
    for (i, batch) in batches.iter().enumerate() {
        for r in *batch {
            e.push(r);
        }
        if let Some(next) = batches.get(i + 1).and_then(|b| b.first()) {
            e.advance_to(next.ts);
        }
        let now = e.now();
        raised.extend(e.take_raised().into_iter().map(|alert| Raised {
            alert,
            batch: i,
            now,
        }));
        finals.extend(e.take_closed());
    }
    // The stream is over: what waits for a correlation partner is decided.
    e.flush();
    let now = e.now();
    raised.extend(e.take_raised().into_iter().map(|alert| Raised {
        alert,
        batch: batches.len(),
        now,
    }));
    finals.extend(e.take_closed());
    finals.extend(e.finish().alerts);
    (raised, finals)
}

fn sorted(mut v: Vec<Identity>) -> Vec<Identity> {
    v.sort();
    v
}

#[test]
fn any_batch_size_raises_exactly_the_batch_alerts() {
    let config = RulesConfig::default();
    for seed in [0, 1, 2] {
        let records = capture_records(&CaptureGenParams {
            seed,
            ..CaptureGenParams::default()
        });
        let batch = evaluate(&records, &config).unwrap().alerts;
        assert_eq!(batch.len(), 5, "seed {seed}: {batch:#?}");
        let want = sorted(batch.iter().map(identity).collect());
        for size in [1, 2, 7, 64, 500, records.len()] {
            let (raised, mut finals) = stream(&records, size, &config);
            let got = sorted(raised.iter().map(|r| identity(&r.alert)).collect());
            assert_eq!(got, want, "seed {seed}, batches of {size}: raised");
            finals.sort_by(|a, b| {
                a.window_start
                    .total_cmp(&b.window_start)
                    .then(a.rule.cmp(&b.rule))
            });
            assert_eq!(
                finals, batch,
                "seed {seed}, batches of {size}: final alerts"
            );
        }
    }
}

#[test]
fn an_alert_is_raised_in_the_batch_that_completes_it() {
    let config = RulesConfig::default();
    let records = capture_records(&CaptureGenParams::default());
    for size in [1, 5, 50] {
        let (raised, _) = stream(&records, size, &config);
        let batches: Vec<&[FlowRecord]> = records.chunks(size).collect();
        for r in &raised {
            let a = &r.alert;
            let (first, last) = match batches.get(r.batch) {
                Some(b) => (b[0].ts, b[b.len() - 1].ts),
                None => (f64::INFINITY, f64::INFINITY),
            };
            match a.rule {
                // Raised by a record of this batch, at the threshold.
                RuleKind::PortScan | RuleKind::SynFlood | RuleKind::Beaconing => {
                    assert!(
                        first <= a.window_end && a.window_end <= last,
                        "{:?} ends at {} outside batch {} [{first}, {last}] (size {size})",
                        a.rule,
                        a.window_end,
                        r.batch
                    );
                    // As it stands at the end of the batch: the records after the one that
                    // crossed the threshold may have extended it.
                    let more = size as f64 - 1.0;
                    let at_threshold = match a.rule {
                        RuleKind::PortScan => {
                            (20.0..=20.0 + more).contains(&a.count("distinct_ports"))
                        }
                        RuleKind::SynFlood => (100.0..=100.0 + more).contains(&a.count("syns")),
                        _ => (10.0..=10.0 + more).contains(&a.count("connections")),
                    };
                    assert!(at_threshold, "raised late: {a:#?}");
                }
                // Waits its correlation slack (the DDoS window) for a SYN flood to fold into.
                RuleKind::Ddos => {
                    let before = if r.batch == 0 {
                        f64::NEG_INFINITY
                    } else {
                        let p = batches[r.batch - 1];
                        p[p.len() - 1].ts
                    };
                    assert!(
                        r.batch < batches.len()
                            && before <= a.window_end + config.ddos_window_s
                            && r.now >= a.window_end,
                        "DDoS raised a batch late (size {size})"
                    );
                }
                RuleKind::LargeOutbound => assert!(a.window_start <= last),
                other => panic!("unexpected {other:?}: {a:#?}"),
            }
        }
    }
}

#[test]
fn a_streaming_caller_that_takes_closed_alerts_keeps_few() {
    // Ten captures back to back (each shifted by an hour): closed alerts leave the engine as it
    // goes, so it never holds more than one capture's alerts.
    let one = capture_records(&CaptureGenParams::default());
    let mut e = RuleEngine::new(&RulesConfig::default()).unwrap();
    let mut closed = 0;
    let mut most = 0;
    for k in 0..10 {
        for r in &one {
            let mut r = r.clone();
            r.ts += 3600.0 * f64::from(k);
            r.end += 3600.0 * f64::from(k);
            r.row += one.len() * k as usize;
            e.push(&r);
        }
        e.take_raised();
        closed += e.take_closed().len();
        most = most.max(e.sizes().alerts);
    }
    assert!(closed >= 9 * 5, "{closed}");
    assert!(most <= 5, "{most}");
    let s = e.sizes();
    assert!(s.beacon_connections < 2 * one.len(), "{s:?}");
}
