//! JSON records (NDJSON, a top-level array, an object wrapping an array): the streaming reader
//! fed in fuzzer-chosen chunks must never panic and must agree with a whole-buffer read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netsift::engine::ingest::{read_table, IngestError, IngestOptions, Ingested, StreamingReader};
use netsift_fuzz::{chunks, split_control};

/// The document: the payload as it is, or wrapped as an array or as `{"flows": [...]}` so the
/// fuzzer starts inside each flavour; tight column and record limits from bits 2–3.
fn document(c: u8, payload: &[u8]) -> (Vec<u8>, IngestOptions) {
    let mut doc = Vec::with_capacity(payload.len() + 16);
    match c & 3 {
        1 => doc.push(b'['),
        2 => doc.extend_from_slice(b"{\"flows\": ["),
        _ => {}
    }
    doc.extend_from_slice(payload);
    let mut o = IngestOptions::default();
    if c & 4 != 0 {
        o.max_columns = 4;
    }
    if c & 8 != 0 {
        o.max_record_bytes = 64;
    }
    (doc, o)
}

fn chunked(doc: &[u8], ctl: [u8; 4], opts: &IngestOptions) -> Result<Ingested, IngestError> {
    let mut r = StreamingReader::new("fuzz.json", opts.clone());
    for c in chunks(doc, ctl) {
        r.push(c)?;
    }
    r.finish()
}

fuzz_target!(|data: &[u8]| {
    let (ctl, payload) = split_control(data);
    let (doc, opts) = document(ctl[0], payload);
    let whole = read_table("fuzz.json", &doc, &opts);
    let parts = chunked(&doc, ctl, &opts);
    match (&whole, &parts) {
        (Ok(a), Ok(b)) => {
            assert!(a.table.columns.len() <= opts.max_columns.max(1) + 1);
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "chunked read differs");
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("whole {whole:?} vs chunked {parts:?}"),
    }
});
