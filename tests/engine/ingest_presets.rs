//! Ingestion: one test per schema preset, encodings, compression, overrides, and no-panic fuzzing.

use std::io::Write;

use netsift::engine::data::{ColumnKind, Meaning, Role, Values};
use netsift::engine::ingest::{read_table, IngestOptions, Ingested};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/ingest/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(name: &str) -> Ingested {
    read_table(name, &fixture(name), &IngestOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn col<'a>(got: &'a Ingested, name: &str) -> &'a netsift::engine::data::Column {
    got.table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}: {:#?}", got.mapping))
}

fn kind(got: &Ingested, name: &str) -> ColumnKind {
    match col(got, name).values {
        Values::Numeric(_) => ColumnKind::Numeric,
        Values::Categorical { .. } => ColumnKind::Categorical,
    }
}

#[test]
fn nsl_kdd_headerless_preset() {
    let got = load("nslkdd_small.txt");
    assert_eq!(got.format, "CSV (comma, no header), NSL-KDD / KDD'99");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(got.table.columns.len(), 43);
    assert_eq!(got.table.features().count(), 41);
    for c in ["protocol_type", "service", "flag"] {
        assert_eq!(kind(&got, c), ColumnKind::Categorical, "{c}");
        assert_eq!(col(&got, c).role, Role::Feature);
    }
    assert_eq!(col(&got, "difficulty").role, Role::Ignore);
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(true), Some(true)])
    );
}

#[test]
fn nsl_kdd_test_set_loads_with_its_labels() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/nsl-kdd/KDDTest+.txt"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: {path} is absent");
        return;
    };
    let got = read_table("KDDTest+.txt", &bytes, &IngestOptions::default()).unwrap();
    assert_eq!(got.format, "CSV (comma, no header), NSL-KDD / KDD'99");
    assert_eq!(got.table.n_rows(), 22_544);
    assert_eq!(got.skipped_rows, 0);
    let labels = got.table.labels().unwrap();
    assert_eq!(labels.iter().filter(|l| **l == Some(false)).count(), 9_711);
    assert_eq!(labels.iter().filter(|l| **l == Some(true)).count(), 12_833);
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
}

#[test]
fn packet_log_csv_and_json() {
    for name in ["seed000.csv", "seed000.json"] {
        let got = load(name);
        assert!(got.format.contains("packet log"), "{}", got.format);
        assert_eq!(col(&got, "src_ip").role, Role::Ignore);
        assert_eq!(col(&got, "src_ip").meaning, Some(Meaning::SrcIp));
        assert_eq!(col(&got, "dst_ip").meaning, Some(Meaning::DstIp));
        assert_eq!(col(&got, "length").role, Role::Feature);
        let ts = got.table.timestamps().unwrap();
        assert_eq!(ts[0], 1_709_294_400.0);
        assert_eq!(ts[1], 1_709_294_401.0);
    }
    assert_eq!(
        load("seed000.json").format,
        "JSON (object with an array of records), packet log"
    );
}

#[test]
fn traffic_aggregates_preset() {
    let got = load("seed003.csv");
    assert_eq!(got.format, "CSV (comma), traffic aggregates");
    assert_eq!(kind(&got, "protocol"), ColumnKind::Categorical);
    assert_eq!(col(&got, "protocol").meaning, Some(Meaning::Protocol));
    assert_eq!(col(&got, "timestamp").role, Role::Timestamp);
    assert_eq!(got.table.features().count(), 9);
}

#[test]
fn packet_stream_records_preset() {
    let got = load("seed004.csv");
    assert_eq!(got.format, "CSV (comma), packet stream records");
    assert_eq!(got.table.features().count(), 5);
    assert_eq!(col(&got, "dst_port").meaning, Some(Meaning::DstPort));
}

#[test]
fn cic_ids_2017_header_variants() {
    let got = load("cic2017.csv");
    assert_eq!(got.format, "CSV (comma), CICFlowMeter / CIC-IDS");
    // leading spaces trimmed, duplicated "Fwd Header Length" renamed
    assert!(got.table.column("Fwd Header Length.1").is_some());
    assert!(got.warnings.iter().any(|w| w.contains("Fwd Header Length")));
    assert_eq!(col(&got, "Flow ID").role, Role::Ignore);
    assert_eq!(col(&got, "Source IP").meaning, Some(Meaning::SrcIp));
    assert_eq!(col(&got, "Source IP").role, Role::Ignore);
    assert_eq!(col(&got, "Destination Port").role, Role::Feature);
    assert_eq!(col(&got, "Protocol").meaning, Some(Meaning::Protocol));
    assert_eq!(kind(&got, "Protocol"), ColumnKind::Categorical);
    // Infinity and NaN are missing
    assert_eq!(col(&got, "Flow Bytes/s").values.missing(), 1);
    assert_eq!(col(&got, "Flow Packets/s").values.missing(), 1);
    // day-first: 3 July 2017 08:55:58 UTC
    assert_eq!(got.table.timestamps().unwrap()[0], 1_499_072_158.0);
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(false), Some(true)])
    );
}

#[test]
fn cic_ids_2018_abbreviations_are_renamed() {
    let got = load("cic2018.csv");
    assert_eq!(got.format, "CSV (comma), CICFlowMeter / CIC-IDS");
    assert!(got.table.column("Total Fwd Packets").is_some());
    assert!(got.table.column("Flow Bytes/s").is_some());
    let m = got
        .mapping
        .iter()
        .find(|m| m.column == "Total Fwd Packets")
        .unwrap();
    assert_eq!(m.source, "Tot Fwd Pkts");
    assert!(m.reason.contains("header \"Tot Fwd Pkts\""), "{}", m.reason);
    assert_eq!(
        col(&got, "Destination Port").meaning,
        Some(Meaning::DstPort)
    );
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(true), Some(false)])
    );
}

#[test]
fn unsw_nb15_raw_headerless() {
    let got = load("unsw_raw.csv");
    assert_eq!(got.format, "CSV (comma, no header), UNSW-NB15");
    assert_eq!(col(&got, "srcip").role, Role::Ignore);
    assert_eq!(col(&got, "srcip").meaning, Some(Meaning::SrcIp));
    assert_eq!(col(&got, "attack_cat").role, Role::Ignore);
    assert_eq!(col(&got, "stcpb").role, Role::Ignore);
    assert_eq!(col(&got, "Stime").role, Role::Timestamp);
    assert_eq!(kind(&got, "proto"), ColumnKind::Categorical);
    // hex port 0x000b = 11
    assert_eq!(col(&got, "dsport").values.display(1), "11");
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(false), Some(true)])
    );
}

#[test]
fn unsw_nb15_training_set_with_header() {
    let got = load("unsw_train.csv");
    assert_eq!(got.format, "CSV (comma), UNSW-NB15");
    assert_eq!(col(&got, "id").role, Role::Ignore);
    assert_eq!(col(&got, "attack_cat").role, Role::Ignore);
    assert_eq!(got.table.labels(), Some(vec![Some(false), Some(true)]));
}

#[test]
fn zeek_conn_log_tsv() {
    let got = load("zeek_conn.log");
    assert_eq!(got.format, "Zeek TSV log conn, Zeek conn.log");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(col(&got, "uid").role, Role::Ignore);
    assert_eq!(col(&got, "history").role, Role::Ignore);
    assert_eq!(col(&got, "id.orig_h").meaning, Some(Meaning::SrcIp));
    assert_eq!(col(&got, "id.resp_p").meaning, Some(Meaning::DstPort));
    assert_eq!(kind(&got, "conn_state"), ColumnKind::Categorical);
    assert_eq!(col(&got, "duration").values.missing(), 1); // "-"
    assert_eq!(col(&got, "service").values.missing(), 1);
    assert_eq!(got.table.timestamps().unwrap()[2], 1_704_067_202.5);
    assert!(got.table.column("tunnel_parents").is_none()); // "(empty)" everywhere: dropped
}

#[test]
fn zeek_conn_log_json() {
    let got = load("zeek_conn.json");
    assert_eq!(
        got.format,
        "JSON (newline-delimited records), Zeek conn.log"
    );
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(col(&got, "id.orig_h").role, Role::Ignore);
    assert_eq!(col(&got, "ts").role, Role::Timestamp);
    assert_eq!(col(&got, "service").values.missing(), 1); // key absent in row 3
}

#[test]
fn generic_semicolon_file_gets_guessed_roles() {
    let got = load("generic_semicolon.csv");
    assert_eq!(got.format, "CSV (semicolon), generic columns");
    assert_eq!(col(&got, "Quelle").role, Role::Ignore); // IP values
    assert_eq!(col(&got, "Klasse").role, Role::Feature); // unknown name: a categorical feature
    assert_eq!(col(&got, "Dauer").values, Values::Numeric(vec![0.5, 1.25]));
    assert!(got.mapping.iter().all(|m| !m.reason.is_empty()));
}

#[test]
fn overrides_change_roles() {
    let opts = IngestOptions {
        overrides: vec![
            ("Klasse".into(), Role::Label, None),
            ("Quelle".into(), Role::Ignore, Some(Meaning::SrcIp)),
        ],
        ..IngestOptions::default()
    };
    let got = read_table("g.csv", &fixture("generic_semicolon.csv"), &opts).unwrap();
    assert_eq!(col(&got, "Klasse").role, Role::Label);
    assert_eq!(col(&got, "Quelle").meaning, Some(Meaning::SrcIp));
    assert!(got
        .mapping
        .iter()
        .any(|m| m.column == "Klasse" && m.reason.contains("set by you")));
}

#[test]
fn generic_identifiers_timestamps_and_labels_are_not_features() {
    let mut csv = String::from("flow_id,when,peer,bytes,is_anomaly,note\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "f{i},2024-01-01 00:00:{:02},10.0.0.{i},{},{},n{i}\n",
            i,
            i * 10,
            i % 2,
        ));
    }
    let got = read_table("g.csv", csv.as_bytes(), &IngestOptions::default()).unwrap();
    assert_eq!(col(&got, "flow_id").role, Role::Ignore);
    assert_eq!(col(&got, "when").role, Role::Timestamp);
    assert_eq!(col(&got, "peer").role, Role::Ignore);
    assert_eq!(col(&got, "is_anomaly").role, Role::Label);
    assert_eq!(col(&got, "note").role, Role::Ignore); // all-distinct text
    assert_eq!(
        got.table
            .features()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["bytes"]
    );
}

#[test]
fn headerless_generic_file_gets_column_names() {
    let got = read_table("h.csv", b"1,2,x\n3,4,y\n5,6,x\n", &IngestOptions::default()).unwrap();
    assert_eq!(got.format, "CSV (comma, no header), generic columns");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(got.table.columns[2].name, "col_3");
}

#[test]
fn gzip_is_detected_by_magic_bytes() {
    let raw = fixture("seed001.csv");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&raw).unwrap();
    let gz = enc.finish().unwrap();
    let got = read_table("no-extension", &gz, &IngestOptions::default()).unwrap();
    assert_eq!(
        got.format,
        "gzip-compressed CSV (comma), connection features"
    );
    assert_eq!(got.table, load("seed001.csv").table);
    let e = read_table("cut.csv.gz", &gz[..gz.len() / 2], &IngestOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cut.csv.gz: the gzip data ends early"), "{e}");
}

#[test]
fn latin1_cells_are_decoded_with_a_notice() {
    let got = load("latin1.csv");
    assert_eq!(got.table.columns[0].name, "hosté");
    assert_eq!(got.table.columns[0].values.display(0), "München");
    assert!(
        got.warnings.iter().any(|w| w.contains("Windows-1252")),
        "{:?}",
        got.warnings
    );
}

#[test]
fn utf8_bom_and_utf16_are_read() {
    let got = read_table(
        "b.csv",
        b"\xef\xbb\xbfa,b\n1,2\n",
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(got.table.columns[0].name, "a");
    let mut utf16 = vec![0xff, 0xfe];
    for u in "a,b\n1,2\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let got = read_table("w.csv", &utf16, &IngestOptions::default()).unwrap();
    assert_eq!(got.format, "CSV (comma, UTF-16), generic columns");
    assert_eq!(
        got.table.column("b").unwrap().values,
        Values::Numeric(vec![2.0])
    );
}

#[test]
fn quoted_fields_with_delimiters_and_newlines() {
    let got = read_table(
        "q.csv",
        b"name,bytes\n\"a, b\",1\n\"multi\nline\",2\n",
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(got.table.columns[0].values.display(0), "a, b");
    assert_eq!(got.table.columns[0].values.display(1), "multi\nline");
}

#[test]
fn numeric_column_with_much_text_turns_categorical() {
    let mut csv = String::from("code,x\n");
    for i in 0..30 {
        csv.push_str(&format!("{i},1\n"));
    }
    for i in 0..30 {
        csv.push_str(&format!("E{},1\n", i % 3));
    }
    let got = read_table("c.csv", csv.as_bytes(), &IngestOptions::default()).unwrap();
    let c = col(&got, "code");
    assert_eq!(kind(&got, "code"), ColumnKind::Categorical);
    assert_eq!(c.values.display(5), "5");
    assert_eq!(c.values.display(31), "E1");
    assert!(got
        .warnings
        .iter()
        .any(|w| w.contains("looked numeric but holds text")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..64) {
        let mut r = netsift::engine::ingest::StreamingReader::new("fuzz", IngestOptions::default());
        let mut ok = true;
        for c in bytes.chunks(chunk) {
            if r.push(c).is_err() { ok = false; break; }
        }
        if ok { let _ = r.finish(); }
    }

    #[test]
    fn random_csv_like_text_never_panics(s in "[a-c0-9,;\t|\"\n\r{}\\[\\]:. -]{0,300}") {
        let _ = read_table("fuzz.csv", s.as_bytes(), &IngestOptions::default());
    }

    #[test]
    fn numeric_csv_round_trips(rows in proptest::collection::vec((-1e9f64..1e9, 0u32..65536), 1..40)) {
        let mut csv = String::from("value,port\n");
        for (v, p) in &rows {
            csv.push_str(&format!("{v},{p}\n"));
        }
        let got = read_table("rt.csv", csv.as_bytes(), &IngestOptions::default()).unwrap();
        let want: Vec<f64> = rows.iter().map(|r| r.0).collect();
        prop_assert_eq!(&got.table.columns[0].values, &Values::Numeric(want));
    }
}
