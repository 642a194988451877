//! The push-based reader: chunks in, [`Ingested`] out.

use std::collections::HashMap;
use std::io::Write;

use super::columns::{cell_text, distinct_levels, Batch, ColumnBuilder, ColumnPlan, Kind};
use super::json::{Cell, Splitter};
use super::lines::{Lines, RowSink};
use super::presets::{self, Preset};
use super::records::{Limits, NumberStyle, Record, RecordReader};
use super::sniff::{self, Container};
use super::{ColumnMapping, IngestError, IngestOptions, Ingested};
use crate::engine::data::{Column, ColumnKind, Role, Table, Values};

/// Bytes gathered before sniffing (delimiter, header, preset, column types).
const PREAMBLE: usize = 256 * 1024;
/// Rows sampled for the column guesses.
const SAMPLE_ROWS: usize = 200;
/// JSON records an event log (Suricata eve.json) is read ahead for its first flow event.
const EVENT_SAMPLE_ROWS: usize = 10_000;
/// Compressed bytes handed to the gzip decoder at a time (bounds the decompressed piece).
const GZ_PIECE: usize = 16 * 1024;

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
    gz: Option<flate2::write::MultiGzDecoder<Vec<u8>>>,
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
            self.gz = Some(flate2::write::MultiGzDecoder::new(Vec::new()));
            self.text.gzip = true;
        }
    }

    fn route(&mut self, data: &[u8]) -> Result<(), IngestError> {
        match &mut self.gz {
            None => self.text.push(data, &self.opts, false),
            Some(gz) => {
                for piece in data.chunks(GZ_PIECE) {
                    gz.write_all(piece).map_err(|e| {
                        IngestError::new(
                            format!("the gzip data is corrupt ({e})"),
                            "the file may be damaged or only partly downloaded; try \
                             decompressing it with another tool",
                        )
                    })?;
                    let out = std::mem::take(gz.get_mut());
                    self.text.push(&out, &self.opts, false)?;
                }
                Ok(())
            }
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
        if let Some(mut gz) = self.gz.take() {
            gz.try_finish().map_err(|e| {
                IngestError::new(
                    format!("the gzip data ends early or is corrupt ({e})"),
                    "the file may be truncated (an interrupted download?); fetch it again",
                )
            })?;
            let out = std::mem::take(gz.get_mut());
            self.text.push(&out, &self.opts, false)?;
        }
        self.text.push(&[], &self.opts, true)?;
        match std::mem::replace(&mut self.text.state, State::Done) {
            State::Csv {
                mut reader,
                mut rows,
            } => {
                reader.finish(rows.as_mut())?;
                rows.warnings.extend(reader.notices());
                rows.finish(&self.opts)
            }
            State::Json {
                mut splitter,
                mut rows,
            } => {
                splitter.finish(&mut |bytes, line| rows.push_json(bytes, line))?;
                rows.finish(&self.opts)
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

/// Reads up to `SAMPLE_ROWS` records of the preamble as text.
fn sample_records(buf: &[u8], reader: &mut RecordReader, last: bool) -> Vec<(u64, Vec<String>)> {
    let mut out = Vec::new();
    let mut sink = |rec: &Record| {
        out.push((
            rec.line,
            (0..rec.len())
                .map(|i| cell_text(rec.field(i)).0.into_owned())
                .collect(),
        ));
        if out.len() > SAMPLE_ROWS {
            // Enough: stop the probe here (the first chunk can be the whole file; parsing all of
            // it twice, as text, was most of the load time of a 19 MB file).
            return Err(IngestError::new("sample complete", ""));
        }
        Ok(())
    };
    // Errors (over-long lines, too many columns) surface again when the real reader runs.
    if reader.feed(buf, &mut sink).is_ok() && last {
        let _ = reader.feed(&[], &mut sink);
    }
    out
}

fn start_csv(
    buf: &[u8],
    limits: Limits,
    opts: &IngestOptions,
    gz: &str,
    encoding: &str,
    last: bool,
) -> Result<(Lines, Rows), IngestError> {
    let delim = opts
        .delimiter
        .unwrap_or_else(|| sniff::sniff_delimiter(buf, last));
    let mut probe = RecordReader::new(delim, true, None, limits);
    let sample = sample_records(buf, &mut probe, last);
    let cells: Vec<Vec<String>> = sample.iter().map(|r| r.1.clone()).collect();
    let first = cells.first().cloned().unwrap_or_default();
    let by_name = presets::detect(&first);
    let has_header = opts
        .has_header
        .unwrap_or_else(|| by_name.is_some() || sniff::looks_like_header(&cells));
    let (preset, headers, data): (Option<&'static Preset>, Vec<String>, &[Vec<String>]) =
        if has_header {
            (by_name, first.clone(), cells.get(1..).unwrap_or(&[]))
        } else {
            let n = cells.iter().map(Vec::len).max().unwrap_or(0);
            match presets::detect_headerless(n, &cells) {
                Some((p, names)) => (Some(p), names, &cells[..]),
                None => (
                    None,
                    (1..=n).map(|i| format!("col_{i}")).collect(),
                    &cells[..],
                ),
            }
        };
    let kind_name = if delim == b'\t' { "TSV" } else { "CSV" };
    let what = match preset {
        Some(p) => p.name.to_string(),
        None => "generic columns".to_string(),
    };
    let header_note = if has_header { "" } else { ", no header" };
    let format = format!(
        "{gz}{kind_name} ({}{header_note}{encoding}), {what}",
        sniff::delimiter_name(delim)
    );
    let mut rows = Rows::new(format, opts);
    rows.skip_first = has_header;
    let (reader, data) = data_reader(delim, limits, has_header, preset, &headers, data);
    if !encoding.is_empty() {
        rows.warnings.push(format!(
            "the file is UTF-16 text (a spreadsheet's \"Unicode text\" export); it was decoded{}",
            if delim == b'\t' {
                ", tab-delimited"
            } else {
                ""
            }
        ));
    }
    rows.set_columns(&headers, &data, preset, opts);
    Ok((reader, rows))
}

/// The reader for the data lines and the sample rows the column guesses use: only rows as wide
/// as the header (a summary block or a ragged line says nothing about a column), with grouped
/// numbers rewritten the way the reader will rewrite them.
fn data_reader(
    delim: u8,
    limits: Limits,
    has_header: bool,
    preset: Option<&'static Preset>,
    headers: &[String],
    sample: &[Vec<String>],
) -> (Lines, Vec<Vec<String>>) {
    let style = NumberStyle::detect(delim, sample.iter().flatten().map(String::as_str));
    let mut reader = RecordReader::new(delim, true, None, limits).with_numbers(style);
    if has_header {
        reader = reader.skip_repeated_header(headers);
    }
    if let Some(marker) = preset.and_then(|p| p.trailer) {
        reader = reader.stop_at(marker);
    }
    let rows = sample
        .iter()
        .filter(|r| r.len() == headers.len() && r.as_slice() != headers)
        .map(|r| {
            r.iter()
                .map(|c| style.normalise(c).unwrap_or_else(|| c.clone()))
                .collect()
        })
        .collect();
    (Lines::wrap(reader, delim, true, None, limits), rows)
}

fn start_zeek(
    buf: &[u8],
    limits: Limits,
    opts: &IngestOptions,
    gz: &str,
) -> Result<(Lines, Rows), IngestError> {
    let mut sep = b'\t';
    let mut fields: Option<Vec<String>> = None;
    let mut path = String::new();
    for (i, line) in buf.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.starts_with(b"#") {
            break;
        }
        let text = String::from_utf8_lossy(line);
        if let Some(rest) = text.strip_prefix("#separator ") {
            let rest = rest.trim();
            sep = match rest.strip_prefix("\\x").map(|h| u8::from_str_radix(h, 16)) {
                Some(Ok(b)) => b,
                _ => rest.bytes().next().unwrap_or(b'\t'),
            };
        } else if let Some(rest) = text.strip_prefix("#fields") {
            let names: Vec<String> = rest
                .split(sep as char)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if names.is_empty() {
                return Err(IngestError::new(
                    "the Zeek #fields line names no fields",
                    "the log header is damaged; export the log again",
                )
                .at_line(i as u64 + 1));
            }
            fields = Some(names);
        } else if let Some(rest) = text.strip_prefix("#path") {
            path = rest.trim().to_string();
        }
    }
    let Some(headers) = fields else {
        return Err(IngestError::new(
            "this Zeek log has no #fields line",
            "the column names come from #fields; export the log with its header",
        )
        .at_line(1));
    };
    let mut probe = RecordReader::new(sep, false, Some(b'#'), limits);
    let sample = sample_records(buf, &mut probe, false);
    let cells: Vec<Vec<String>> = sample
        .into_iter()
        .map(|r| r.1)
        .filter(|r| r.len() == headers.len())
        .collect();
    let preset = presets::detect(&headers);
    let what = preset.map_or("generic columns", |p| p.name);
    let path = if path.is_empty() {
        String::new()
    } else {
        format!(" {path}")
    };
    let format = format!("{gz}Zeek TSV log{path}, {what}");
    let mut rows = Rows::new(format, opts);
    rows.set_columns(&headers, &cells, preset, opts);
    // `#` lines (a joined log's own header) go through the record reader, which reads them.
    let reader = RecordReader::new(sep, false, None, limits).zeek_log(&headers, path.trim());
    Ok((Lines::wrap(reader, sep, false, Some(b'#'), limits), rows))
}

fn start_arff(
    buf: &[u8],
    limits: Limits,
    opts: &IngestOptions,
    gz: &str,
    last: bool,
) -> Result<(Lines, Rows), IngestError> {
    let headers = super::arff::attributes(buf)?;
    let mut probe = RecordReader::new(b',', true, Some(b'%'), limits).arff();
    let sample = sample_records(buf, &mut probe, last);
    let cells: Vec<Vec<String>> = sample.into_iter().map(|r| r.1).collect();
    let preset = presets::detect(&headers);
    let what = preset.map_or("generic columns", |p| p.name);
    let mut rows = Rows::new(format!("{gz}ARFF (Weka), {what}"), opts);
    let (_, data) = data_reader(b',', limits, false, preset, &headers, &cells);
    rows.set_columns(&headers, &data, preset, opts);
    let reader = RecordReader::new(b',', true, Some(b'%'), limits).arff();
    Ok((Lines::wrap(reader, b',', true, Some(b'%'), limits), rows))
}

/// Accumulates rows into typed columns.
struct Rows {
    cols: Vec<ColumnBuilder>,
    sources: Vec<String>,
    by_name: HashMap<String, usize>,
    dynamic: bool,
    pending: Vec<(u64, Vec<(String, Cell)>)>,
    n_rows: usize,
    skip_first: bool,
    records_seen: usize,
    skipped: usize,
    first_bad: Vec<IngestError>,
    max_bad: usize,
    warnings: Vec<String>,
    non_utf8: usize,
    first_non_utf8: u64,
    format: String,
    preset: Option<&'static Preset>,
    overrides: Vec<(String, Role, Option<crate::engine::data::Meaning>)>,
    /// Multi-type JSON logs: which records are rows.
    events: Option<super::events::EventFilter>,
    /// Whether the JSON sample is an event log still without flow events (decided once).
    awaiting_flows: Option<bool>,
}

impl Rows {
    fn new(format: String, opts: &IngestOptions) -> Self {
        Self {
            cols: Vec::new(),
            sources: Vec::new(),
            by_name: HashMap::new(),
            dynamic: false,
            pending: Vec::new(),
            n_rows: 0,
            skip_first: false,
            records_seen: 0,
            skipped: 0,
            first_bad: Vec::new(),
            max_bad: opts.max_bad_rows_kept,
            warnings: Vec::new(),
            non_utf8: 0,
            first_non_utf8: 0,
            format,
            preset: None,
            overrides: opts.overrides.clone(),
            events: None,
            awaiting_flows: None,
        }
    }

    /// Plans the columns from their header names and a sample of rows.
    fn set_columns(
        &mut self,
        headers: &[String],
        sample: &[Vec<String>],
        preset: Option<&'static Preset>,
        opts: &IngestOptions,
    ) {
        self.preset = preset;
        for (i, h) in headers.iter().enumerate() {
            let values: Vec<&str> = sample
                .iter()
                .filter_map(|r| r.get(i).map(String::as_str))
                .collect();
            self.add_column(h, i, &values, opts);
        }
    }

    fn add_column(
        &mut self,
        header: &str,
        i: usize,
        values: &[&str],
        opts: &IngestOptions,
    ) -> usize {
        let trimmed = header.trim();
        let mut plan = match self.preset.and_then(|p| p.spec(trimmed).map(|s| (p, s))) {
            Some((p, s)) => {
                let renamed = if s.name != trimmed {
                    format!(" (header \"{trimmed}\")")
                } else {
                    String::new()
                };
                let mut plan = ColumnPlan::new(
                    s.name,
                    s.role,
                    s.meaning,
                    s.kind,
                    format!("{}: {}{renamed}", p.name, s.note),
                );
                plan.fixed = true;
                plan
            }
            None => {
                let name = if trimmed.is_empty() {
                    format!("col_{}", i + 1)
                } else {
                    trimmed.to_string()
                };
                presets::guess(&name, values)
            }
        };
        presets::only_one_of_each(&mut plan, self.cols.iter().map(|c| c.plan.role));
        // duplicate names: the second gets ".1", the third ".2", …
        if self.cols.iter().any(|c| c.plan.name == plan.name) {
            let base = plan.name.clone();
            let mut k = 1;
            while self
                .cols
                .iter()
                .any(|c| c.plan.name == format!("{base}.{k}"))
            {
                k += 1;
            }
            plan.name = format!("{base}.{k}");
            self.warnings.push(format!(
                "column name \"{base}\" appears more than once; column {} renamed \"{}\"",
                i + 1,
                plan.name
            ));
        }
        apply_override(&mut plan, header, &opts.overrides);
        self.by_name.insert(header.to_string(), self.cols.len());
        self.sources.push(header.to_string());
        self.cols.push(ColumnBuilder::new(plan, self.n_rows));
        self.cols.len() - 1
    }

    fn bad_row(&mut self, e: IngestError) {
        self.skipped += 1;
        if self.first_bad.len() < self.max_bad {
            self.first_bad.push(e);
        }
    }

    fn push_record(&mut self, rec: &Record, line: u64) -> Result<(), IngestError> {
        self.records_seen += 1;
        if self.skip_first && self.records_seen == 1 {
            return Ok(());
        }
        let n = self.cols.len();
        let got = rec.len();
        let ok = got == n || (got == n + 1 && rec.field(n).is_empty());
        if !ok {
            if got == 1 && rec.field(0).iter().all(u8::is_ascii_whitespace) {
                return Ok(()); // a blank line
            }
            self.bad_row(
                IngestError::new(
                    format!("expected {n} fields, found {got}"),
                    "the row was skipped; check for a missing or extra delimiter, or an unquoted \
                     delimiter inside a value",
                )
                .at_line(line),
            );
            return Ok(());
        }
        for i in 0..n {
            if self.cols[i].push_bytes(rec.field(i), line) {
                note_non_utf8(&mut self.non_utf8, &mut self.first_non_utf8, line);
            }
        }
        self.n_rows += 1;
        Ok(())
    }

    fn push_json(&mut self, bytes: &[u8], line: u64) -> Result<(), IngestError> {
        let record = match super::json::parse_record(bytes) {
            Ok(r) => r,
            Err(msg) => {
                self.bad_row(
                    IngestError::new(
                        format!("not a valid JSON record: {msg}"),
                        "the record was skipped; check the JSON syntax on this line",
                    )
                    .at_line(line),
                );
                return Ok(());
            }
        };
        if let Some(f) = &mut self.events {
            if !f.keeps(&record) {
                return Ok(());
            }
        }
        if self.cols.is_empty() {
            let more = self.sampling_more(&record);
            self.pending.push((line, record));
            if !more {
                self.flush_pending();
            }
            return Ok(());
        }
        self.push_json_row(record, line);
        Ok(())
    }

    /// Whether to keep gathering JSON records before planning the columns: the first
    /// `SAMPLE_ROWS`, and for an event log whose flow events have not shown up yet, on until
    /// one does (at most `EVENT_SAMPLE_ROWS`).
    fn sampling_more(&mut self, record: &[(String, Cell)]) -> bool {
        let n = self.pending.len() + 1;
        if n < SAMPLE_ROWS {
            return true;
        }
        if n >= EVENT_SAMPLE_ROWS {
            return false;
        }
        let pending = &self.pending;
        let waiting = *self.awaiting_flows.get_or_insert_with(|| {
            super::events::awaiting_flows(pending.iter().map(|r| r.1.as_slice()))
        });
        waiting && !super::events::is_flow(record)
    }

    /// Plans JSON columns from the first records, then replays them.
    fn flush_pending(&mut self) {
        if !self.cols.is_empty() || self.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        self.events = super::events::EventFilter::detect(pending.iter().map(|r| r.1.as_slice()));
        if let Some(f) = &mut self.events {
            pending.retain(|(_, r)| f.keeps(r));
        } else if super::events::awaiting_flows(pending.iter().map(|r| r.1.as_slice())) {
            self.warnings
                .push(super::events::no_flows_notice(pending.len()));
        }
        let mut headers: Vec<String> = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (_, rec) in &pending {
            for (k, _) in rec {
                if !seen.contains_key(k.as_str()) {
                    seen.insert(k.as_str(), headers.len());
                    headers.push(k.clone());
                }
            }
        }
        let mut sample = vec![vec![String::new(); headers.len()]; pending.len()];
        for (r, (_, rec)) in pending.iter().enumerate() {
            for (k, v) in rec {
                if let Some(&i) = seen.get(k.as_str()) {
                    sample[r][i] = v.text();
                }
            }
        }
        let preset = presets::detect(&headers);
        if let Some(p) = preset {
            self.format = format!("{}, {}", self.format, p.name);
        } else {
            self.format = format!("{}, generic columns", self.format);
        }
        let opts = IngestOptions {
            overrides: self.overrides.clone(),
            ..IngestOptions::default()
        };
        self.set_columns(&headers, &sample, preset, &opts);
        for (line, rec) in pending {
            self.push_json_row(rec, line);
        }
    }

    fn push_json_row(&mut self, record: Vec<(String, Cell)>, line: u64) {
        let mut filled = vec![false; self.cols.len()];
        for (k, v) in record {
            let i = match self.by_name.get(&k) {
                Some(&i) => i,
                None => {
                    if self.cols.len() >= 4096 {
                        continue;
                    }
                    let opts = IngestOptions {
                        overrides: self.overrides.clone(),
                        ..IngestOptions::default()
                    };
                    let i = self.add_column(&k, self.cols.len(), &[], &opts);
                    filled.push(false);
                    i
                }
            };
            if filled.get(i).copied().unwrap_or(true) {
                continue; // duplicate key: first wins
            }
            filled[i] = true;
            let col = &mut self.cols[i];
            match v {
                Cell::Num(x) => col.push_f64(x, line),
                Cell::Text(s) => col.push_str(&s, line),
                Cell::Null => col.push_missing(),
            }
        }
        for (i, f) in filled.iter().enumerate() {
            if !f {
                self.cols[i].push_missing();
            }
        }
        self.n_rows += 1;
    }

    fn finish(mut self, _opts: &IngestOptions) -> Result<Ingested, IngestError> {
        self.flush_pending();
        if self.n_rows == 0 {
            if let Some(first) = self.first_bad.first() {
                return Err(IngestError {
                    message: format!(
                        "no row could be read ({} skipped); the first problem: {}",
                        self.skipped, first.message
                    ),
                    hint: first.hint.clone(),
                    ..first.clone()
                });
            }
            if self.cols.is_empty() {
                return Err(IngestError::new(
                    "the file is empty",
                    "choose a file with a header line and at least one row of data",
                ));
            }
            return Err(IngestError::new(
                "the file has a header but no data rows",
                "add rows below the header, or check that the right file was chosen",
            )
            .at_line(2));
        }
        if self.non_utf8 > 0 {
            self.warnings.push(format!(
                "{} cells are not valid UTF-8 (first on line {}); they were decoded as \
                 Windows-1252 (Latin-1)",
                self.non_utf8, self.first_non_utf8
            ));
        }
        self.warnings
            .extend(self.events.as_ref().and_then(|f| f.notice()));
        let n = self.n_rows;
        let mut columns = Vec::new();
        let mut mapping = Vec::new();
        for (col, source) in self.cols.into_iter().zip(self.sources) {
            let (mut plan, values, kind, rejected, first_rejected, converted) = col.finish();
            if plan.role == Role::Label {
                if let Some(w) = presets::placeholder_label(&mut plan, &values) {
                    self.warnings.push(w);
                }
            }
            let missing = values.missing();
            if missing == n {
                self.warnings.push(format!(
                    "column \"{}\" is empty in every row: dropped",
                    plan.name
                ));
                mapping.push(ColumnMapping {
                    column: plan.name,
                    source,
                    role: plan.role,
                    meaning: plan.meaning,
                    kind,
                    kept: false,
                    reason: "empty in every row".to_string(),
                });
                continue;
            }
            if rejected > 0 {
                let (line, text) = first_rejected.unwrap_or_default();
                let what = if plan.kind == Kind::Timestamp {
                    "dates/times"
                } else {
                    "numbers"
                };
                self.warnings.push(format!(
                    "column \"{}\": {rejected} cells are not {what} (first on line {line}: \
                     \"{text}\"); they are treated as missing",
                    plan.name
                ));
            }
            if converted {
                plan.reason = format!(
                    "{}; it looked numeric but holds text, so it is categorical",
                    plan.reason
                );
                self.warnings.push(format!(
                    "column \"{}\" looked numeric but holds text: read as categories",
                    plan.name
                ));
            }
            if !plan.fixed && plan.role == Role::Feature && kind == ColumnKind::Categorical {
                let distinct = distinct_levels(&values);
                let present = n - missing;
                if present >= 20 && distinct * 10 >= present * 9 {
                    plan.role = Role::Ignore;
                    plan.reason = format!(
                        "identifier-like text: {distinct} distinct values in {present} rows; \
                         kept for display, not a model input"
                    );
                } else if distinct > 1000 {
                    plan.role = Role::Ignore;
                    plan.reason = format!(
                        "text with {distinct} distinct values: too many categories for a \
                         feature; kept for display"
                    );
                } else if !plan.reason.contains("categor") {
                    plan.reason = format!("categorical feature ({distinct} distinct values)");
                }
            }
            mapping.push(ColumnMapping {
                column: plan.name.clone(),
                source,
                role: plan.role,
                meaning: plan.meaning,
                kind,
                kept: true,
                reason: plan.reason.clone(),
            });
            columns.push(Column {
                name: plan.name,
                role: plan.role,
                meaning: plan.meaning,
                values,
            });
        }
        if columns.is_empty() {
            return Err(IngestError::new(
                "every column is empty",
                "the file has rows but no values; check the delimiter and the export",
            ));
        }
        if self.skipped > 0 {
            self.warnings.push(format!(
                "{} rows skipped (wrong number of fields or unreadable); the first on line {}",
                self.skipped,
                self.first_bad.first().and_then(|e| e.line).unwrap_or(0)
            ));
        }
        let table =
            Table::new(columns).map_err(|m| IngestError::new(m, "this is a bug in netsift"))?;
        debug_assert!(table
            .columns
            .iter()
            .all(|c| matches!(c.values, Values::Numeric(_) | Values::Categorical { .. })));
        Ok(Ingested {
            table,
            format: self.format,
            warnings: self.warnings,
            skipped_rows: self.skipped,
            first_bad_rows: self.first_bad,
            mapping,
            capture: None,
        })
    }
}

impl RowSink for Rows {
    fn n_cols(&self) -> usize {
        self.cols.len()
    }

    fn record(&mut self, rec: &Record, line: u64) -> Result<(), IngestError> {
        self.push_record(rec, line)
    }

    fn plain_rows(&mut self, data: &[u8], offs: &[usize], lines: &[u64]) {
        let first = usize::from(self.skip_first && self.records_seen == 0);
        self.records_seen += lines.len();
        let Some(lines) = lines.get(first..) else {
            return;
        };
        let stride = self.cols.len() + 1;
        let batch = Batch {
            data,
            offs: &offs[first * stride..],
            lines,
            stride,
        };
        for (i, col) in self.cols.iter_mut().enumerate() {
            let (count, first) = (&mut self.non_utf8, &mut self.first_non_utf8);
            col.push_plain(batch, i, &mut |line| note_non_utf8(count, first, line));
        }
        self.n_rows += lines.len();
    }
}

/// Counts a cell that was not valid UTF-8 on `line`, keeping the first line (batches arrive
/// column by column, so the first is the smallest).
fn note_non_utf8(count: &mut usize, first: &mut u64, line: u64) {
    if *count == 0 || line < *first {
        *first = line;
    }
    *count += 1;
}

fn apply_override(
    plan: &mut ColumnPlan,
    header: &str,
    overrides: &[(String, Role, Option<crate::engine::data::Meaning>)],
) {
    let Some((_, role, meaning)) = overrides
        .iter()
        .find(|(n, ..)| n == &plan.name || n == header)
        .or_else(|| {
            overrides
                .iter()
                .find(|(n, ..)| presets::key(n) == presets::key(&plan.name))
        })
    else {
        return;
    };
    plan.role = *role;
    plan.meaning = *meaning;
    plan.fixed = true;
    plan.kind = match role {
        Role::Label => Kind::Categorical,
        Role::Timestamp => Kind::Timestamp,
        Role::Feature if plan.kind == Kind::Timestamp => Kind::Auto,
        Role::Feature | Role::Ignore => plan.kind,
    };
    plan.reason = format!("set by you ({role:?})");
}
