//! Real tools' exports, reproduced by hand (headers, quirks and a few invented rows; no dataset
//! rows): CIC-IDS2017/2018 and CICFlowMeter, UNSW-NB15, Zeek, KDD'99/NSL-KDD, nfdump, Argus,
//! Suricata eve.json, spreadsheet exports. Fixtures in tests/fixtures/formats/.

use netsift::engine::data::{ColumnKind, Meaning, Role, Values};
use netsift::engine::ingest::{read_any, read_table, IngestOptions, Ingested};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/formats/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(name: &str) -> Ingested {
    read_any(name, &fixture(name), &IngestOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn col<'a>(got: &'a Ingested, name: &str) -> &'a netsift::engine::data::Column {
    got.table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}: {:#?}", got.mapping))
}

fn role(got: &Ingested, name: &str) -> (Role, Option<Meaning>) {
    let c = col(got, name);
    (c.role, c.meaning)
}

fn numbers(got: &Ingested, name: &str) -> Vec<f64> {
    match &col(got, name).values {
        Values::Numeric(v) => v.clone(),
        Values::Categorical { .. } => panic!("{name} is categorical: {:#?}", got.mapping),
    }
}

fn kind(got: &Ingested, name: &str) -> ColumnKind {
    match col(got, name).values {
        Values::Numeric(_) => ColumnKind::Numeric,
        Values::Categorical { .. } => ColumnKind::Categorical,
    }
}

fn warned(got: &Ingested, text: &str) -> bool {
    got.warnings.iter().any(|w| w.contains(text))
}

fn features(got: &Ingested) -> Vec<&str> {
    got.table.features().map(|c| c.name.as_str()).collect()
}

#[test]
fn cic_ids_2017_machine_learning_csv() {
    let got = load("cic2017_mlcve.csv");
    assert_eq!(got.format, "CSV (comma), CICFlowMeter / CIC-IDS");
    // three trailing rows of bare commas are not data
    assert_eq!(got.table.n_rows(), 5);
    assert_eq!(got.skipped_rows, 0);
    assert!(
        warned(
            &got,
            "3 rows with every field empty skipped (first on line 7)"
        ),
        "{:?}",
        got.warnings
    );
    // cp1252 en dash in the web-attack labels
    let label = &col(&got, "Label").values;
    assert_eq!(label.display(2), "Web Attack \u{2013} Brute Force");
    assert!(warned(&got, "first on line 4"), "{:?}", got.warnings);
    assert_eq!(
        got.table.labels(),
        Some(vec![
            Some(false),
            Some(false),
            Some(true),
            Some(true),
            Some(true)
        ])
    );
    assert!(got.table.column("Fwd Header Length.1").is_some());
    assert_eq!(features(&got).len(), 78);
    assert_eq!(
        role(&got, "Destination Port"),
        (Role::Feature, Some(Meaning::DstPort))
    );
    // Infinity / NaN are missing; negative values are kept as they are
    assert_eq!(col(&got, "Flow Bytes/s").values.missing(), 2);
    assert_eq!(numbers(&got, "Flow Duration")[1], -1.0);
    assert_eq!(numbers(&got, "Init_Win_bytes_forward")[1], -1.0);
}

#[test]
fn cic_ids_2017_traffic_labelling_with_flow_ids() {
    let got = load("cic2017_traffic_labelling.csv");
    assert_eq!(got.table.n_rows(), 4);
    assert_eq!(role(&got, "Flow ID").0, Role::Ignore);
    assert_eq!(
        role(&got, "Source IP"),
        (Role::Ignore, Some(Meaning::SrcIp))
    );
    assert_eq!(
        role(&got, "Destination IP"),
        (Role::Ignore, Some(Meaning::DstIp))
    );
    // "3/7/2017 8:55" is 3 July (CIC-IDS2017 ran 3–7 July), "6/7/2017 9:15" is 6 July
    let ts = got.table.timestamps().unwrap();
    assert_eq!(ts[0], 1_499_072_100.0);
    assert_eq!(ts[2], 1_499_332_500.0);
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(false), Some(true), Some(false)])
    );
    assert!(!features(&got).contains(&"Flow ID"));
}

#[test]
fn cse_cic_ids_2018_repeated_headers_are_skipped_and_counted() {
    let got = load("cic2018_repeated_headers.csv");
    assert_eq!(got.format, "CSV (comma), CICFlowMeter / CIC-IDS");
    assert_eq!(got.table.n_rows(), 5);
    assert_eq!(got.skipped_rows, 0, "headers are not bad rows");
    assert!(
        warned(&got, "2 repeated header lines skipped (first on line 4)"),
        "{:?}",
        got.warnings
    );
    // no header text leaked into the data: no "Label" class, no text in numeric columns
    let classes: Vec<String> = col(&got, "Label")
        .values
        .class_counts(10)
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert!(!classes.iter().any(|c| c == "Label"), "{classes:?}");
    assert!(!warned(&got, "not numbers"), "{:?}", got.warnings);
    assert!(!warned(&got, "holds text"), "{:?}", got.warnings);
    for c in features(&got) {
        if c != "Protocol" {
            assert_eq!(kind(&got, c), ColumnKind::Numeric, "{c}");
        }
    }
    // day-first: 14 February 2018 08:31:01 UTC
    assert_eq!(got.table.timestamps().unwrap()[0], 1_518_597_061.0);
    assert_eq!(
        got.table.labels(),
        Some(vec![
            Some(false),
            Some(true),
            Some(false),
            Some(true),
            Some(true)
        ])
    );
}

#[test]
fn cse_cic_ids_2018_file_with_flow_id_and_addresses() {
    let got = load("cic2018_flowid.csv");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(role(&got, "Flow ID").0, Role::Ignore);
    // "Src IP" / "Dst IP" are renamed to the 2017 names and kept out of the features
    assert_eq!(
        role(&got, "Source IP"),
        (Role::Ignore, Some(Meaning::SrcIp))
    );
    assert_eq!(
        role(&got, "Source Port"),
        (Role::Feature, Some(Meaning::SrcPort))
    );
    let m = got
        .mapping
        .iter()
        .find(|m| m.column == "Source IP")
        .unwrap();
    assert_eq!(m.source, "Src IP");
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(true), Some(false), Some(false)])
    );
}

#[test]
fn cicflowmeter_placeholder_label_is_not_ground_truth() {
    let got = load("cicflowmeter_v4_unlabelled.csv");
    assert_eq!(got.table.labels(), None);
    assert_eq!(role(&got, "Label").0, Role::Ignore);
    assert!(warned(&got, "\"NeedManualLabel\""), "{:?}", got.warnings);
    // "21/11/2026 09:15:02 PM"
    assert_eq!(got.table.timestamps().unwrap()[0], 1_795_295_702.0);
}

#[test]
fn cicflowmeter_python_port_snake_case_headers() {
    let got = load("cicflowmeter_python.csv");
    assert_eq!(got.format, "CSV (comma), CICFlowMeter / CIC-IDS");
    assert!(got.table.column("Flow Bytes/s").is_some());
    assert_eq!(
        role(&got, "Source IP"),
        (Role::Ignore, Some(Meaning::SrcIp))
    );
    assert_eq!(role(&got, "Timestamp").0, Role::Timestamp);
}

#[test]
fn unsw_nb15_raw_file_quirks() {
    let got = load("unsw_nb15_raw.csv");
    assert_eq!(got.format, "CSV (comma, no header), UNSW-NB15");
    assert_eq!(got.table.n_rows(), 5);
    let sport = numbers(&got, "sport");
    let dsport = numbers(&got, "dsport");
    assert_eq!(sport[1], 11.0); // 0x000b
    assert_eq!(dsport[1], 49_320.0); // 0xc0a8
    assert!(dsport[2].is_nan()); // "-"
    assert!(sport[4].is_nan());
    let cat = &col(&got, "attack_cat").values;
    assert_eq!(cat.display(0), ""); // empty for normal rows
    assert_eq!(cat.display(2), "Fuzzers"); // " Fuzzers " trimmed
    assert_eq!(role(&got, "attack_cat").0, Role::Ignore);
    assert_eq!(role(&got, "srcip"), (Role::Ignore, Some(Meaning::SrcIp)));
    assert_eq!(
        got.table.labels(),
        Some(vec![
            Some(false),
            Some(false),
            Some(true),
            Some(true),
            Some(true)
        ])
    );
}

#[test]
fn zeek_logs_concatenated_and_gzipped() {
    let got = load("zeek_conn_concat.log");
    assert_eq!(got.format, "Zeek TSV log conn, Zeek conn.log");
    assert_eq!(got.table.n_rows(), 4);
    assert_eq!(got.skipped_rows, 0);
    assert_eq!(got.table.timestamps().unwrap()[2], 1_704_070_800.5);
    let tp = &col(&got, "tunnel_parents").values;
    assert_eq!(tp.display(2), ""); // "-" unset
    assert_eq!(tp.display(3), "CAbc1,CAbc2");
    assert_eq!(role(&got, "tunnel_parents").0, Role::Ignore);
    let gz = load("zeek_conn.log.gz");
    assert_eq!(
        gz.format,
        "gzip-compressed Zeek TSV log conn, Zeek conn.log"
    );
    assert_eq!(gz.table.n_rows(), 2);
}

#[test]
fn zeek_log_joined_with_another_kind_of_log() {
    let got = load("zeek_conn_then_dns.log");
    assert_eq!(got.table.n_rows(), 2);
    assert_eq!(got.skipped_rows, 0, "the dns rows are not bad conn rows");
    assert!(
        warned(
            &got,
            "2 rows of another Zeek log (dns, first on line 20) skipped"
        ),
        "{:?}",
        got.warnings
    );
    assert!(
        warned(&got, "only the first one (conn) is read"),
        "{:?}",
        got.warnings
    );
}

#[test]
fn zeek_json_with_iso_timestamps_and_nested_ids() {
    let got = load("zeek_conn_iso.json");
    assert_eq!(
        got.format,
        "JSON (newline-delimited records), Zeek conn.log"
    );
    assert_eq!(got.table.timestamps().unwrap()[0], 1_704_067_200.123_456);
    assert_eq!(
        role(&got, "id.orig_h"),
        (Role::Ignore, Some(Meaning::SrcIp))
    );
    assert_eq!(
        role(&got, "id.resp_p"),
        (Role::Feature, Some(Meaning::DstPort))
    );
}

#[test]
fn kdd99_labels_with_a_trailing_dot() {
    let got = load("kdd99_full.txt");
    assert_eq!(got.format, "CSV (comma, no header), NSL-KDD / KDD'99");
    assert_eq!(got.table.columns.len(), 42);
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(true), Some(true), Some(false)])
    );
    let nsl = load("nslkdd_no_difficulty.txt");
    assert_eq!(nsl.table.columns.len(), 42);
    assert!(nsl.table.column("difficulty").is_none());
    assert_eq!(
        nsl.table.labels(),
        Some(vec![Some(false), Some(true), Some(true)])
    );
}

#[test]
fn nsl_kdd_arff_file() {
    let got = load("nslkdd.arff");
    assert_eq!(got.format, "ARFF (Weka), NSL-KDD / KDD'99");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(got.skipped_rows, 0);
    assert_eq!(got.table.columns.len(), 42);
    assert_eq!(kind(&got, "service"), ColumnKind::Categorical);
    // "class" is the label, renamed
    let m = got.mapping.iter().find(|m| m.column == "label").unwrap();
    assert_eq!(m.source, "class");
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(true), Some(false)])
    );
}

#[test]
fn nsl_kdd_test_21_loads_as_nsl_kdd() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/nsl-kdd/KDDTest-21.txt"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: {path} is absent");
        return;
    };
    let got = read_table("KDDTest-21.txt", &bytes, &IngestOptions::default()).unwrap();
    assert_eq!(got.format, "CSV (comma, no header), NSL-KDD / KDD'99");
    assert_eq!(got.table.n_rows(), 11_850);
    assert_eq!(got.skipped_rows, 0);
    let labels = got.table.labels().unwrap();
    assert_eq!(labels.iter().filter(|l| **l == Some(false)).count(), 2_152);
    assert_eq!(role(&got, "difficulty").0, Role::Ignore);
}

#[test]
fn ndjson_nested_mixed_keys_and_a_bad_line() {
    let got = load("ndjson_mixed_bad_line.json");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(got.skipped_rows, 1);
    let bad = &got.first_bad_rows[0];
    assert_eq!(bad.line, Some(3));
    assert!(bad.message.starts_with("not a valid JSON record"), "{bad}");
    assert_eq!(role(&got, "src.ip"), (Role::Ignore, Some(Meaning::SrcIp)));
    assert_eq!(
        role(&got, "dst.port"),
        (Role::Feature, Some(Meaning::DstPort))
    );
    // a key first seen in row 2 gets a column, missing elsewhere
    assert_eq!(col(&got, "extra.note").values.missing(), 2);
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(false), Some(true)])
    );
}

#[test]
fn nfdump_csv_with_its_summary_block() {
    let got = load("nfdump.csv");
    assert_eq!(got.format, "CSV (comma), nfdump flow export");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(got.skipped_rows, 0, "the summary is not a bad row");
    assert!(
        warned(&got, "the summary block at the end (line 5 on, 3 lines)"),
        "{:?}",
        got.warnings
    );
    assert_eq!(role(&got, "ts").0, Role::Timestamp);
    assert_eq!(got.table.timestamps().unwrap()[0], 1_704_103_200.123);
    for c in ["te", "tr", "ra", "in", "sas", "ismc", "mpls1", "exid"] {
        assert_eq!(role(&got, c).0, Role::Ignore, "{c}");
    }
    assert_eq!(role(&got, "sa"), (Role::Ignore, Some(Meaning::SrcIp)));
    assert_eq!(role(&got, "td"), (Role::Feature, Some(Meaning::Duration)));
    assert_eq!(kind(&got, "pr"), ColumnKind::Categorical);
    assert_eq!(numbers(&got, "ibyt"), vec![1200.0, 60.0, 44.0]);
}

#[test]
fn argus_binetflow_generic_with_ctu_labels() {
    let got = load("argus_binetflow.csv");
    assert_eq!(got.format, "CSV (comma), generic columns");
    assert_eq!(role(&got, "StartTime").0, Role::Timestamp);
    assert_eq!(got.table.timestamps().unwrap()[0], 1_312_969_613.047_277);
    assert_eq!(role(&got, "SrcAddr"), (Role::Ignore, Some(Meaning::SrcIp)));
    assert_eq!(numbers(&got, "Sport")[3], 8.0); // 0x0008
                                                // Background and Normal flows are normal, Botnet flows are attacks
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(false), Some(false), Some(true)])
    );
}

#[test]
fn one_event_time_per_file() {
    let csv = b"StartTime,logged_at,bytes\n2024-01-01 10:00:00,2024-01-01 10:00:05,10\n\
                2024-01-01 10:01:00,2024-01-01 10:01:02,20\n";
    let got = read_table("a.csv", csv, &IngestOptions::default()).unwrap();
    assert_eq!(role(&got, "StartTime").0, Role::Timestamp);
    assert_eq!(role(&got, "logged_at").0, Role::Ignore);
    assert_eq!(
        col(&got, "logged_at").values.display(1),
        "2024-01-01 10:01:02"
    );
    let m = got
        .mapping
        .iter()
        .find(|m| m.column == "logged_at")
        .unwrap();
    assert!(m.reason.contains("a second time column"), "{}", m.reason);
}

#[test]
fn numeric_end_times_are_never_features() {
    // NetFlow v9 style export (e.g. from a collector): epoch-millisecond start and end.
    let csv = b"first_switched,last_switched,src_addr,dst_addr,in_bytes,in_pkts\n\
                1704103200000,1704103201500,10.0.0.1,10.0.0.2,1200,10\n\
                1704103200200,1704103200220,10.0.0.1,8.8.8.8,60,1\n";
    let got = read_table("nf9.csv", csv, &IngestOptions::default()).unwrap();
    assert_eq!(role(&got, "first_switched").0, Role::Timestamp);
    assert_eq!(got.table.timestamps().unwrap()[0], 1_704_103_200.0);
    assert_eq!(role(&got, "last_switched").0, Role::Ignore);
    assert_eq!(features(&got), vec!["in_bytes", "in_pkts"]);
}

#[test]
fn suricata_eve_keeps_flow_events_only() {
    let got = load("suricata_eve.json");
    assert_eq!(
        got.format,
        "JSON (newline-delimited records), Suricata eve.json flow events"
    );
    assert_eq!(got.table.n_rows(), 3);
    assert!(
        warned(
            &got,
            "3 records that are not flow events skipped (alert 1, dns 1, stats 1)"
        ),
        "{:?}",
        got.warnings
    );
    assert!(got.table.column("alert.signature").is_none());
    assert!(got.table.column("stats.uptime").is_none());
    assert_eq!(role(&got, "flow.start").0, Role::Timestamp);
    assert_eq!(got.table.timestamps().unwrap()[0], 1_704_103_198.5);
    for c in [
        "timestamp",
        "flow.end",
        "flow_id",
        "event_type",
        "community_id",
        "flow.alerted",
    ] {
        assert_eq!(role(&got, c).0, Role::Ignore, "{c}");
    }
    assert_eq!(role(&got, "dest_ip"), (Role::Ignore, Some(Meaning::DstIp)));
    assert_eq!(
        role(&got, "dest_port"),
        (Role::Feature, Some(Meaning::DstPort))
    );
    assert_eq!(
        numbers(&got, "flow.bytes_toserver"),
        vec![1200.0, 60.0, 60.0]
    );
}

#[test]
fn european_spreadsheet_export_with_decimal_commas_and_thousands_dots() {
    let got = load("excel_european.csv");
    assert_eq!(got.format, "CSV (semicolon), generic columns");
    assert_eq!(got.table.columns[0].name, "Quelle"); // UTF-8 BOM dropped
    assert_eq!(numbers(&got, "Bytes"), vec![1500.0, 60.0, 1_234_567.0]);
    assert_eq!(numbers(&got, "Dauer"), vec![0.5, 1.25, 10.0]);
    assert_eq!(numbers(&got, "Rate"), vec![3000.25, 12.5, 1_000_000.5]);
    assert_eq!(role(&got, "Quelle").0, Role::Ignore); // addresses are not rewritten
    assert_eq!(col(&got, "Quelle").values.display(0), "10.0.0.1");
}

#[test]
fn english_spreadsheet_export_with_quoted_thousands() {
    let got = load("excel_us_thousands.csv");
    assert_eq!(numbers(&got, "bytes"), vec![1500.0, 60.0, 1_234_567.0]);
    assert_eq!(numbers(&got, "duration"), vec![0.5, 1.25, 10.0]);
    assert!(!warned(&got, "holds text"), "{:?}", got.warnings);
}

#[test]
fn utf16_unicode_text_export_is_decoded_with_a_notice() {
    let got = load("excel_unicode_text.txt");
    assert_eq!(got.format, "TSV (tab, UTF-16), generic columns");
    assert!(warned(&got, "UTF-16"), "{:?}", got.warnings);
    assert_eq!(numbers(&got, "bytes"), vec![1500.0, 60.0]);
    assert_eq!(numbers(&got, "duration"), vec![0.5, 1.25]);
    assert_eq!(got.table.labels(), Some(vec![Some(false), Some(true)]));
}

/// Every bad input of issue #5 point 7: the message names the file, where, and what to do.
#[test]
fn bad_inputs_name_the_file_the_place_and_the_remedy() {
    let mut wide = "1,".repeat(99_999);
    wide.push_str("1\n");
    let cases: [(&str, Vec<u8>, &str, &str); 6] = [
        (
            "empty.csv",
            Vec::new(),
            "the file is empty",
            "choose a file",
        ),
        (
            "header.csv",
            b"a,b,c\n".to_vec(),
            "line 2: the file has a header but no data rows",
            "add rows",
        ),
        (
            "ragged.csv",
            b"a,b,c\n1,2\n3,4\n".to_vec(),
            "line 2: no row could be read (2 skipped)",
            "missing or extra delimiter",
        ),
        (
            "blank.csv",
            b"a,b\n,\n,\n".to_vec(),
            "line 2: the file has a header but no data rows",
            "add rows",
        ),
        (
            "binary.csv",
            b"\x00\x01\x02\x03binary".to_vec(),
            "byte 0: this looks like a binary file",
            "if it is a packet capture",
        ),
        (
            "wide.csv",
            wide.into_bytes(),
            "line 1: a line has more than 4096 columns",
            "the delimiter may be wrong",
        ),
    ];
    for (name, bytes, message, hint) in cases {
        let r = read_table(name, &bytes, &IngestOptions::default());
        let e = r.err().unwrap_or_else(|| panic!("{name} should not load"));
        let text = e.to_string();
        assert!(text.starts_with(&format!("{name}: ")), "{text}");
        assert!(text.contains(message), "{name}: {text}");
        assert!(text.contains(hint), "{name}: {text}");
        assert!(!e.hint.is_empty(), "{name}: no remedy in {text}");
    }
}

/// (file, format, rows, label column, label classes, a warning that must be there)
type Expected = (
    &'static str,
    &'static str,
    u64,
    Option<&'static str>,
    usize,
    &'static str,
);

/// `netsift-cli inspect` on every fixture: format, rows, label column and classes, a warning.
#[test]
fn cli_inspect_reports_each_format() {
    // (file, format, rows, label column, label classes, a warning that must be there)
    let table: &[Expected] = &[
        (
            "argus_binetflow.csv",
            "CSV (comma), generic columns",
            4,
            Some("Label"),
            3,
            "",
        ),
        (
            "cic2017_mlcve.csv",
            "CSV (comma), CICFlowMeter / CIC-IDS",
            5,
            Some("Label"),
            4,
            "rows with every field empty",
        ),
        (
            "cic2017_traffic_labelling.csv",
            "CSV (comma), CICFlowMeter / CIC-IDS",
            4,
            Some("Label"),
            2,
            "Windows-1252",
        ),
        (
            "cic2018_flowid.csv",
            "CSV (comma), CICFlowMeter / CIC-IDS",
            3,
            Some("Label"),
            2,
            "",
        ),
        (
            "cic2018_repeated_headers.csv",
            "CSV (comma), CICFlowMeter / CIC-IDS",
            5,
            Some("Label"),
            4,
            "repeated header lines skipped",
        ),
        (
            "cicflowmeter_python.csv",
            "CSV (comma), CICFlowMeter / CIC-IDS",
            2,
            None,
            0,
            "",
        ),
        (
            "cicflowmeter_v4_unlabelled.csv",
            "CSV (comma), CICFlowMeter / CIC-IDS",
            3,
            None,
            0,
            "NeedManualLabel",
        ),
        (
            "excel_european.csv",
            "CSV (semicolon), generic columns",
            3,
            None,
            0,
            "",
        ),
        (
            "excel_unicode_text.txt",
            "TSV (tab, UTF-16), generic columns",
            2,
            Some("label"),
            2,
            "UTF-16",
        ),
        (
            "excel_us_thousands.csv",
            "CSV (comma), generic columns",
            3,
            Some("label"),
            2,
            "",
        ),
        (
            "kdd99_full.txt",
            "CSV (comma, no header), NSL-KDD / KDD'99",
            4,
            Some("label"),
            3,
            "",
        ),
        (
            "ndjson_mixed_bad_line.json",
            "JSON (newline-delimited records), generic columns",
            3,
            Some("label"),
            2,
            "1 rows skipped",
        ),
        (
            "nfdump.csv",
            "CSV (comma), nfdump flow export",
            3,
            None,
            0,
            "summary block",
        ),
        (
            "nslkdd.arff",
            "ARFF (Weka), NSL-KDD / KDD'99",
            3,
            Some("label"),
            2,
            "",
        ),
        (
            "nslkdd_no_difficulty.txt",
            "CSV (comma, no header), NSL-KDD / KDD'99",
            3,
            Some("label"),
            3,
            "",
        ),
        (
            "suricata_eve.json",
            "JSON (newline-delimited records), Suricata eve.json flow events",
            3,
            None,
            0,
            "not flow events skipped",
        ),
        (
            "unsw_nb15_raw.csv",
            "CSV (comma, no header), UNSW-NB15",
            5,
            Some("label"),
            2,
            "",
        ),
        (
            "zeek_conn.log.gz",
            "gzip-compressed Zeek TSV log conn, Zeek conn.log",
            2,
            None,
            0,
            "tunnel_parents",
        ),
        (
            "zeek_conn_concat.log",
            "Zeek TSV log conn, Zeek conn.log",
            4,
            None,
            0,
            "",
        ),
        (
            "zeek_conn_then_dns.log",
            "Zeek TSV log conn, Zeek conn.log",
            2,
            None,
            0,
            "another Zeek log",
        ),
        (
            "zeek_conn_iso.json",
            "JSON (newline-delimited records), Zeek conn.log",
            3,
            None,
            0,
            "",
        ),
    ];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats");
    let on_disk = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(on_disk, table.len(), "every fixture is in the table");
    for &(file, format, rows, label, classes, warning) in table {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_netsift-cli"))
            .args(["inspect", &format!("{dir}/{file}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(j["format"], format, "{file}");
        assert_eq!(j["rows"], rows, "{file}");
        assert_eq!(j["label_column"].as_str(), label, "{file}");
        let n = j["label_classes"].as_array().map_or(0, Vec::len);
        assert_eq!(n, classes, "{file}: {}", j["label_classes"]);
        if file == "zeek_conn.log.gz" {
            assert_eq!(j["dropped_columns"][0]["header"], "tunnel_parents");
        }
        let warnings = j["warnings"].to_string();
        assert!(warnings.contains(warning), "{file}: {warnings}");
        // every column has a role and a reason; addresses are never features
        for c in j["columns"].as_array().unwrap() {
            assert!(!c["why"].as_str().unwrap_or("").is_empty(), "{file}: {c}");
            let meaning = c["meaning"].as_str().unwrap_or("");
            if meaning == "SrcIp" || meaning == "DstIp" {
                assert_eq!(c["role"], "Ignore", "{file}: {c}");
            }
        }
    }
}

fn eve(i: usize, ty: &str) -> String {
    let flow = if ty == "flow" {
        format!(
            ",\"flow\":{{\"pkts_toserver\":{i},\"pkts_toclient\":1,\"bytes_toserver\":{},\
             \"bytes_toclient\":60,\"start\":\"2024-01-01T10:00:00.000000+0000\",\
             \"end\":\"2024-01-01T10:00:01.000000+0000\",\"age\":1,\"state\":\"closed\",\
             \"reason\":\"timeout\",\"alerted\":false}}",
            i * 100
        )
    } else {
        format!(",\"{ty}\":{{\"rrname\":\"host{i}.example\"}}")
    };
    format!(
        "{{\"timestamp\":\"2024-01-01T10:00:0{}.000000+0000\",\"flow_id\":{i},\
         \"event_type\":\"{ty}\",\"src_ip\":\"10.0.0.1\",\"src_port\":5{i:04},\
         \"dest_ip\":\"8.8.8.8\",\"dest_port\":53,\"proto\":\"UDP\"{flow}}}\n",
        i % 10
    )
}

#[test]
fn suricata_flow_events_are_found_past_the_first_records() {
    // A busy sensor logs thousands of dns/alert events before the first flow times out.
    let mut log = String::new();
    for i in 0..300 {
        log.push_str(&eve(i, "dns"));
    }
    log.push_str(&eve(300, "flow"));
    log.push_str(&eve(301, "dns"));
    log.push_str(&eve(302, "flow"));
    let got = read_table("eve.json", log.as_bytes(), &IngestOptions::default()).unwrap();
    assert!(
        got.format.ends_with("Suricata eve.json flow events"),
        "{}",
        got.format
    );
    assert_eq!(got.table.n_rows(), 2);
    assert_eq!(numbers(&got, "flow.pkts_toserver"), vec![300.0, 302.0]);
    assert!(got.table.column("dns.rrname").is_none());
    assert!(
        warned(
            &got,
            "301 records that are not flow events skipped (dns 301)"
        ),
        "{:?}",
        got.warnings
    );
}

#[test]
fn suricata_log_without_flow_events_says_how_to_get_them() {
    let log: String = (0..5).map(|i| eve(i, "alert")).collect();
    let got = read_table("eve.json", log.as_bytes(), &IngestOptions::default()).unwrap();
    assert_eq!(got.table.n_rows(), 5);
    assert!(warned(&got, "without flow events"), "{:?}", got.warnings);
    assert!(warned(&got, "enable \"flow\""), "{:?}", got.warnings);
}

/// A reader that stops early (`netsift-cli … | head -1`) ends the CLI quietly with status 0, for
/// line output (`inspect`) and for bulk output (`generate`), instead of a panic or an error.
#[test]
fn cli_output_to_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let runs: [&[&str]; 2] = [
        &["generate", "sample", "--rows", "200000"],
        &["inspect", "../shared/data/nsl-kdd/KDDTest+.txt"],
    ];
    for args in runs {
        if args[0] == "inspect" && !std::path::Path::new(args[1]).exists() {
            continue;
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_netsift-cli"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the CLI starts");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("a first line");
        // The pipe's read end is dropped here, before the CLI has written everything.
        assert!(!first.is_empty(), "{args:?}: no output");
        let out = child.wait_with_output().expect("the CLI ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}
