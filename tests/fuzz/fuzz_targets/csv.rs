//! CSV/TSV/Zeek/JSON sniffing and parsing: the streaming reader fed in fuzzer-chosen chunks must
//! never panic and must agree with a whole-buffer read (`read_table`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use netsift::engine::ingest::{read_table, IngestError, IngestOptions, Ingested, StreamingReader};
use netsift_fuzz::{chunks, split_control};

/// Options from the control byte: header guess/forced, delimiter sniffed/forced, tight limits.
fn options(c: u8) -> IngestOptions {
    let mut o = IngestOptions {
        has_header: match c & 3 {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        },
        delimiter: match (c >> 2) & 7 {
            4 => Some(b','),
            5 => Some(b'\t'),
            6 => Some(b';'),
            7 => Some(b'|'),
            _ => None,
        },
        ..IngestOptions::default()
    };
    if c & 0x20 != 0 {
        o.max_record_bytes = 64;
    }
    if c & 0x40 != 0 {
        o.max_columns = 4;
    }
    if c & 0x80 != 0 {
        o.max_bad_rows_kept = 0;
    }
    o
}

fn chunked(payload: &[u8], ctl: [u8; 4], opts: &IngestOptions) -> Result<Ingested, IngestError> {
    let mut r = StreamingReader::new("fuzz.csv", opts.clone());
    for c in chunks(payload, ctl) {
        r.push(c)?;
    }
    r.finish()
}

fuzz_target!(|data: &[u8]| {
    let (ctl, payload) = split_control(data);
    let opts = options(ctl[0]);
    let whole = read_table("fuzz.csv", payload, &opts);
    let parts = chunked(payload, ctl, &opts);
    match (&whole, &parts) {
        (Ok(w), Ok(p)) => {
            assert_eq!(w.table.n_rows(), p.table.n_rows(), "row counts differ");
            assert_eq!(
                w.table.columns.len(),
                p.table.columns.len(),
                "column counts differ"
            );
            assert_eq!(w.skipped_rows, p.skipped_rows, "skipped rows differ");
            // Everything else too (Debug, so NaN cells compare equal).
            assert_eq!(
                format!("{w:?}"),
                format!("{p:?}"),
                "chunked and whole reads differ"
            );
        }
        (Err(w), Err(p)) => assert_eq!(w.to_string(), p.to_string(), "errors differ"),
        _ => panic!("whole read {whole:?} but chunked read {parts:?}"),
    }
    // The same chunks with every line through csv-core: the fast path must not change a thing.
    netsift::engine::ingest::force_general_path(true);
    let general = chunked(payload, ctl, &opts);
    netsift::engine::ingest::force_general_path(false);
    assert_eq!(
        format!("{parts:?}"),
        format!("{general:?}"),
        "fast and general paths differ"
    );
});
