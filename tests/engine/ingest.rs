//! Ingestion: every preset, the streaming reader, and every bad-input message.

use netsift::engine::data::{Meaning, Role, Values};
use netsift::engine::ingest::{read_table, IngestOptions, Ingested, StreamingReader};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/ingest/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str, bytes: &[u8]) -> Ingested {
    read_table(name, bytes, &IngestOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn err(name: &str, bytes: &[u8]) -> String {
    read_table(name, bytes, &IngestOptions::default())
        .err()
        .unwrap_or_else(|| panic!("{name} should not load"))
        .to_string()
}

fn role_of(got: &Ingested, col: &str) -> (Role, Option<Meaning>) {
    let c = got
        .table
        .column(col)
        .unwrap_or_else(|| panic!("no column {col}: {:?}", got.mapping));
    (c.role, c.meaning)
}

#[test]
fn connection_features_csv_loads_with_label_and_timestamp() {
    let got = read("seed001.csv", &fixture("seed001.csv"));
    assert_eq!(got.format, "CSV (comma), connection features");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(got.table.features().count(), 10);
    assert_eq!(
        got.table.labels(),
        Some(vec![Some(false), Some(false), Some(true)])
    );
    assert_eq!(
        got.table.timestamps(),
        Some(&[1_704_164_645.0, 1_704_164_646.0, 1_704_164_647.0][..])
    );
    assert_eq!(
        role_of(&got, "dst_port"),
        (Role::Feature, Some(Meaning::DstPort))
    );
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    assert_eq!(got.mapping.len(), 12);
    assert!(got.mapping.iter().all(|m| !m.reason.is_empty()));
}

#[test]
fn connection_features_crlf_without_label() {
    let got = read("x.csv", &fixture("seed001_crlf_nolabel.csv"));
    assert_eq!(got.table.n_rows(), 2);
    assert_eq!(got.table.labels(), None);
    assert_eq!(
        got.table.column("error_rate").map(|c| c.values.clone()),
        Some(Values::Numeric(vec![0.01, 0.0]))
    );
}

#[test]
fn chunk_boundaries_do_not_change_the_result() {
    let bytes = fixture("seed001.csv");
    let whole = read("seed001.csv", &bytes);
    for size in [1, 2, 3, 7, 64] {
        let mut r = StreamingReader::new("seed001.csv", IngestOptions::default());
        for c in bytes.chunks(size) {
            r.push(c).unwrap();
        }
        assert_eq!(r.finish().unwrap(), whole, "chunk size {size}");
    }
}

#[test]
fn a_size_hint_changes_nothing_but_capacity() {
    // 30,000 rows (past the point where the hint is used), in 64 KiB chunks, with a right, a
    // too-small and a too-large hint: the same table every time.
    let mut csv = String::from("a,b,proto,label\n");
    for i in 0..30_000u32 {
        csv.push_str(&format!("{i},{}.{},tcp,{}\n", i % 97, i % 10, i % 2));
    }
    let bytes = csv.as_bytes();
    let plain = read("hint.csv", bytes);
    for hint in [bytes.len() as u64, 10, bytes.len() as u64 * 5] {
        let mut r = StreamingReader::new(
            "hint.csv",
            IngestOptions {
                size_hint: Some(hint),
                ..IngestOptions::default()
            },
        );
        for c in bytes.chunks(1 << 16) {
            r.push(c).unwrap();
        }
        assert_eq!(r.finish().unwrap(), plain, "hint {hint}");
    }
}

#[test]
fn empty_file_is_an_error() {
    let e = err("empty.csv", b"");
    assert!(e.contains("empty.csv: the file is empty"), "{e}");
    let e = err("blank.csv", b"\n \r\n");
    assert!(e.contains("the file is empty"), "{e}");
}

#[test]
fn header_only_is_an_error() {
    let e = err("h.csv", b"a,b,c\n");
    assert!(e.contains("header but no data rows"), "{e}");
}

#[test]
fn ragged_rows_are_skipped_and_counted() {
    let got = read("r.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n13,14,15\n");
    assert_eq!(got.table.n_rows(), 3);
    assert_eq!(got.skipped_rows, 2);
    assert_eq!(got.first_bad_rows.len(), 2);
    assert_eq!(got.first_bad_rows[0].line, Some(3));
    assert_eq!(got.first_bad_rows[1].line, Some(5));
    assert!(got.first_bad_rows[0]
        .message
        .contains("expected 3 fields, found 2"));
    assert!(
        got.warnings.iter().any(|w| w.contains("2 rows skipped")),
        "{:?}",
        got.warnings
    );
}

#[test]
fn no_loadable_row_is_an_error() {
    let e = err("bad.csv", b"a,b,c\n1,2\n3,4\n");
    assert!(
        e.contains("line 2: no row could be read (2 skipped)"),
        "{e}"
    );
    assert!(e.contains("expected 3 fields, found 2"), "{e}");
}

#[test]
fn text_in_numeric_column_becomes_missing_with_a_count() {
    let mut csv = String::from("bytes,packets\n");
    for i in 0..50 {
        csv.push_str(&format!("{i},{}\n", i * 2));
    }
    csv.push_str("oops,3\n");
    let got = read("t.csv", csv.as_bytes());
    let c = got.table.column("bytes").unwrap();
    assert_eq!(c.values.missing(), 1);
    assert!(
        got.warnings.iter().any(|w| w
            .contains("column \"bytes\": 1 cells are not numbers (first on line 52: \"oops\")")),
        "{:?}",
        got.warnings
    );
}

#[test]
fn all_empty_column_is_dropped_with_a_notice() {
    let got = read("e.csv", b"a,b,c\n1,,3\n4,,6\n");
    assert!(got.table.column("b").is_none());
    assert!(got
        .warnings
        .iter()
        .any(|w| w.contains("column \"b\" is empty in every row: dropped")));
    assert!(got.mapping.iter().any(|m| m.column == "b" && !m.kept));
}

#[test]
fn binary_file_named_csv_is_rejected() {
    let e = err("capture.csv", b"\x00\x01\x02\x03binary\x00stuff");
    assert!(e.contains("this looks like a binary file"), "{e}");
    assert!(e.contains("if it is a packet capture"), "{e}");
    let e = err("capture.csv", &[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    assert!(e.contains("classic pcap packet capture"), "{e}");
}

#[test]
fn a_100000_column_line_is_rejected() {
    let mut line = "1,".repeat(99_999);
    line.push_str("1\n");
    let e = err("wide.csv", line.as_bytes());
    assert!(
        e.contains("line 1: a line has more than 4096 columns"),
        "{e}"
    );
}

#[test]
fn an_overlong_line_is_rejected() {
    let mut s = String::from("a,b\n1,\"");
    s.push_str(&"x".repeat(2 << 20));
    let e = err("long.csv", s.as_bytes());
    assert!(
        e.contains("line 2: a line is longer than 1048576 bytes"),
        "{e}"
    );
    assert!(e.contains("quoted field is never closed"), "{e}");
}
