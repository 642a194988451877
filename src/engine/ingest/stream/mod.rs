//! The push-based reader: chunks in, [`Ingested`] out.
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` (this file) | the reader front: gzip, text encoding, sniffing, routing bytes to the parser |
//! | [`starters`] | one starter per text format (CSV/TSV, Zeek, ARFF): header, preset, column plan |
//! | [`rows`] | the row accumulator: records (and JSON records) → typed columns → [`Ingested`] |

mod rows;
mod starters;

use super::inflate::Inflater;
use super::json::Splitter;
use super::lines::Lines;
use super::records::Limits;
use super::sniff::{self, Container};
use super::{IngestError, IngestOptions, Ingested};
use rows::Rows;
use starters::{start_arff, start_csv, start_zeek};

/// Bytes gathered before sniffing (delimiter, header, preset, column types).
const PREAMBLE: usize = 256 * 1024;
/// Rows sampled for the column guesses.
const SAMPLE_ROWS: usize = 200;
/// JSON records an event log (Suricata eve.json) is read ahead for its first flow event.
const EVENT_SAMPLE_ROWS: usize = 10_000;

/// Reads a table from chunks of bytes, keeping only the typed columns and one partial record.
///
/// ```
/// use netsift::engine::ingest::{IngestOptions, StreamingReader};
/// let mut r = StreamingReader::new("flows.csv", IngestOptions::default());
/// r.push(b"src_port,dst_port,by").unwrap();
/// r.push(b"tes\n1234,80,512\n1235,443,90\n").unwrap();
/// let got = r.finish().unwrap();
/// assert_eq!(got.table.n_rows(), 2);
/// assert_eq!(got.table.columns[2].name, "bytes");
/// ```
pub struct StreamingReader {
    name: String,
    opts: IngestOptions,
    bytes_in: u64,
    head: Vec<u8>,
    gz: Option<Inflater>,
    gz_decided: bool,
    text: Text,
    /// Whether the columns already reserved room from [`IngestOptions::size_hint`].
    reserved: bool,
}

/// Rows read before the row count of the whole file is estimated from the size hint: about the
/// first 1 MiB slice of a flow CSV, so the columns grow to their final size in one step instead
/// of doubling (and copying) through the first slices.
const ROWS_BEFORE_RESERVE: usize = 4_000;

impl StreamingReader {
    /// A reader for a file called `name` (used in messages; the format is sniffed, not taken from
    /// the name).
    pub fn new(name: &str, opts: IngestOptions) -> Self {
        Self {
            name: name.to_owned(),
            opts,
            bytes_in: 0,
            head: Vec::new(),
            gz: None,
            gz_decided: false,
            text: Text {
                utf16: None,
                state: State::Preamble(Vec::new()),
                gzip: false,
            },
            reserved: false,
        }
    }

    /// Bytes pushed so far (for progress: bytes/s and time left).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_in
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> usize {
        match &self.text.state {
            State::Csv { rows, .. } | State::Json { rows, .. } => rows.n_rows,
            _ => 0,
        }
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), IngestError> {
        let name = self.name.clone();
        self.push_inner(chunk).map_err(|e| with_file(e, &name))
    }

    fn push_inner(&mut self, chunk: &[u8]) -> Result<(), IngestError> {
        self.bytes_in += chunk.len() as u64;
        if !self.gz_decided && self.head.is_empty() && chunk.len() >= 2 {
            // The usual first chunk: decide on it as it is (no copy of a 16 MiB slice).
            self.decide_gz(chunk);
            return self.route(chunk);
        }
        if !self.gz_decided {
            self.head.extend_from_slice(chunk);
            if self.head.len() < 2 {
                return Ok(());
            }
            let head = std::mem::take(&mut self.head);
            self.decide_gz(&head);
            return self.route(&head);
        }
        self.route(chunk)?;
        self.reserve_from_size_hint();
        Ok(())
    }

    /// Once [`ROWS_BEFORE_RESERVE`] rows are in, reserves the rows the rest of the file should
    /// hold at the same bytes per row (+3 %). A wrong guess costs nothing but normal growth.
    fn reserve_from_size_hint(&mut self) {
        let (Some(size), false, None) = (self.opts.size_hint, self.reserved, &self.gz) else {
            return;
        };
        let rows = match &mut self.text.state {
            State::Csv { rows, .. } | State::Json { rows, .. } => rows,
            _ => return,
        };
        if rows.n_rows < ROWS_BEFORE_RESERVE || self.bytes_in == 0 {
            return;
        }
        self.reserved = true;
        let expected = size as f64 / self.bytes_in as f64 * rows.n_rows as f64 * 1.03;
        let more = (expected as usize).saturating_sub(rows.n_rows);
        for col in &mut rows.cols {
            col.reserve(more);
        }
    }

    fn decide_gz(&mut self, head: &[u8]) {
        self.gz_decided = true;
        if sniff::container(head) == Container::Gzip {
            self.gz = Some(Inflater::new(
                self.opts.max_decompressed_bytes,
                self.opts.max_compression_ratio,
            ));
            self.text.gzip = true;
        }
    }

    fn route(&mut self, data: &[u8]) -> Result<(), IngestError> {
        let (text, opts) = (&mut self.text, &self.opts);
        match &mut self.gz {
            None => {
                text.push(data, opts, false)?;
                text.check_rows(opts)
            }
            Some(gz) => gz.push(data, &mut |out: &[u8]| {
                text.push(out, opts, false)?;
                text.check_rows(opts)
            }),
        }
    }

    /// Ends the input and builds the table.
    pub fn finish(mut self) -> Result<Ingested, IngestError> {
        let name = self.name.clone();
        self.finish_inner().map_err(|e| with_file(e, &name))
    }

    fn finish_inner(&mut self) -> Result<Ingested, IngestError> {
        if !self.gz_decided {
            let head = std::mem::take(&mut self.head);
            self.decide_gz(&head);
            self.route(&head)?;
        }
        let mut trailing = None;
        if let Some(mut gz) = self.gz.take() {
            let (text, opts) = (&mut self.text, &self.opts);
            gz.finish(&mut |out: &[u8]| text.push(out, opts, false))?;
            trailing = gz.trailing_warning();
        }
        self.text.push(&[], &self.opts, true)?;
        self.text.check_rows(&self.opts)?;
        match std::mem::replace(&mut self.text.state, State::Done) {
            State::Csv {
                mut reader,
                mut rows,
            } => {
                reader.finish(rows.as_mut())?;
                rows.warnings.extend(reader.notices());
                rows.warnings.extend(trailing);
                rows.finish()
            }
            State::Json {
                mut splitter,
                mut rows,
            } => {
                splitter.finish(&mut |bytes, line| rows.push_json(bytes, line))?;
                if rows.saw_nothing() {
                    if let Some(why) = splitter.not_records() {
                        return Err(IngestError::new(
                            why,
                            "export the flows as JSON objects, one per line or in an array",
                        ));
                    }
                }
                rows.warnings.extend(trailing);
                rows.finish()
            }
            State::Preamble(_) | State::Done => Err(IngestError::new(
                "the file is empty",
                "choose a file with a header line and at least one row of data",
            )),
        }
    }
}

fn with_file(e: IngestError, name: &str) -> IngestError {
    if e.file.is_none() && !name.is_empty() {
        e.in_file(name)
    } else {
        e
    }
}

struct Text {
    utf16: Option<encoding_rs::Decoder>,
    state: State,
    gzip: bool,
}

enum State {
    Preamble(Vec<u8>),
    Csv { reader: Box<Lines>, rows: Box<Rows> },
    Json { splitter: Splitter, rows: Box<Rows> },
    Done,
}

impl Text {
    /// Rows read so far past [`IngestOptions::max_rows`] is an error naming the limit.
    fn check_rows(&self, opts: &IngestOptions) -> Result<(), IngestError> {
        let n = match &self.state {
            State::Csv { rows, .. } | State::Json { rows, .. } => rows.n_rows,
            _ => 0,
        };
        if n > opts.max_rows {
            return Err(IngestError::new(
                format!(
                    "the file has more than {} rows, the limit on rows read",
                    crate::engine::text::number(opts.max_rows as f64)
                ),
                "load a sample of it, or raise the limit (netsift-cli: --max-rows)",
            ));
        }
        Ok(())
    }

    fn push(&mut self, data: &[u8], opts: &IngestOptions, last: bool) -> Result<(), IngestError> {
        let transcoded;
        let data = match &mut self.utf16 {
            Some(dec) => {
                transcoded = transcode(dec, data, last);
                transcoded.as_bytes()
            }
            None => data,
        };
        self.consume(data, opts, last)
    }

    /// Hands decoded text to the current stage.
    fn consume(
        &mut self,
        data: &[u8],
        opts: &IngestOptions,
        last: bool,
    ) -> Result<(), IngestError> {
        let ready = |buf: &[u8]| {
            let newlines = buf.iter().filter(|&&b| b == b'\n').take(3).count();
            let enough = buf.len() >= PREAMBLE && newlines >= 2;
            last || enough || buf.len() >= opts.max_record_bytes.max(PREAMBLE)
        };
        if matches!(&self.state, State::Preamble(b) if b.is_empty()) && ready(data) {
            // A first chunk large enough to sniff is used as it is, not copied.
            return self.start(data, opts, last);
        }
        match &mut self.state {
            State::Preamble(buf) => {
                buf.extend_from_slice(data);
                if ready(buf) {
                    let buf = std::mem::take(buf);
                    self.start(&buf, opts, last)?;
                }
                Ok(())
            }
            State::Csv { reader, rows } => {
                if data.is_empty() {
                    return Ok(());
                }
                reader.feed(data, rows.as_mut())
            }
            State::Json { splitter, rows } => {
                splitter.feed(data, &mut |bytes, line| rows.push_json(bytes, line))
            }
            State::Done => Ok(()),
        }
    }

    /// Sniffs the gathered first bytes and starts the right parser on them.
    fn start(&mut self, buf: &[u8], opts: &IngestOptions, last: bool) -> Result<(), IngestError> {
        let mut encoding = "";
        let transcoded;
        let mut buf = buf;
        if let Some(rest) = buf.strip_prefix(&[0xef, 0xbb, 0xbf]) {
            buf = rest;
        } else if buf.starts_with(&[0xff, 0xfe]) || buf.starts_with(&[0xfe, 0xff]) {
            let enc = if buf[0] == 0xff {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            let mut dec = enc.new_decoder_with_bom_removal();
            transcoded = transcode(&mut dec, buf, last).into_bytes();
            buf = &transcoded;
            self.utf16 = Some(dec);
            encoding = ", UTF-16";
        }
        let first = buf.iter().position(|b| !b.is_ascii_whitespace());
        let Some(first) = first else {
            if last {
                return Err(IngestError::new(
                    "the file is empty",
                    "choose a file with a header line and at least one row of data",
                ));
            }
            self.state = State::Preamble(buf.to_vec());
            return Ok(());
        };
        sniff::check_text(buf)?;
        if last && buf.len() - first <= 1 << 16 {
            // The whole file is a bare JSON scalar (`null`, `42`, `"text"`): say so.
            let doc = &buf[first..];
            if matches!(
                serde_json::from_slice::<serde_json::Value>(doc),
                Ok(v) if !v.is_object() && !v.is_array()
            ) {
                if let Some(why) = super::json::not_records(doc) {
                    return Err(IngestError::new(
                        why,
                        "export the flows as a table (CSV) or as JSON objects",
                    ));
                }
            }
        }
        let gz = if self.gzip { "gzip-compressed " } else { "" };
        if buf[first] == b'{' || buf[first] == b'[' {
            let splitter = Splitter::new(&buf[first..]);
            let format = format!("{gz}JSON ({}{encoding})", splitter.flavour());
            let mut rows = Rows::new(format, opts);
            rows.dynamic = true;
            self.state = State::Json {
                splitter,
                rows: Box::new(rows),
            };
            return self.consume(buf, opts, last);
        }
        let limits = Limits {
            max_record_bytes: opts.max_record_bytes.max(1024),
            max_columns: opts.max_columns.max(1),
        };
        let (reader, rows) = if buf[first..].starts_with(b"#separator") {
            start_zeek(buf, limits, opts, gz)?
        } else if super::arff::is_arff(buf) {
            start_arff(buf, limits, opts, gz, last)?
        } else {
            start_csv(buf, limits, opts, gz, encoding, last)?
        };
        self.state = State::Csv {
            reader: Box::new(reader),
            rows: Box::new(rows),
        };
        match &mut self.state {
            State::Csv { reader, rows } => reader.feed(buf, rows.as_mut()),
            _ => Ok(()),
        }
    }
}

fn transcode(dec: &mut encoding_rs::Decoder, data: &[u8], last: bool) -> String {
    let mut out = String::with_capacity(
        dec.max_utf8_buffer_length(data.len())
            .unwrap_or(data.len() * 3),
    );
    let _ = dec.decode_to_string(data, &mut out, last);
    out
}
