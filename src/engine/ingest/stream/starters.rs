//! Format starters: from the sniffed first bytes of a CSV/TSV, Zeek or ARFF file, the line reader
//! for its data and the [`Rows`] accumulator with its columns planned.

use super::rows::Rows;
use super::SAMPLE_ROWS;
use crate::engine::ingest::columns::cell_text;
use crate::engine::ingest::lines::Lines;
use crate::engine::ingest::presets::{self, Preset};
use crate::engine::ingest::records::{Limits, NumberStyle, Record, RecordReader};
use crate::engine::ingest::sniff;
use crate::engine::ingest::{IngestError, IngestOptions};

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

pub(super) fn start_csv(
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

pub(super) fn start_zeek(
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

pub(super) fn start_arff(
    buf: &[u8],
    limits: Limits,
    opts: &IngestOptions,
    gz: &str,
    last: bool,
) -> Result<(Lines, Rows), IngestError> {
    let headers = crate::engine::ingest::arff::attributes(buf)?;
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
