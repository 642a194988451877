//! Push-based CSV record splitting over chunks (csv-core's state machine).
//!
//! Only the record being read is buffered across chunks; its size is capped by
//! [`Limits::max_record_bytes`] and its field count by [`Limits::max_columns`], so a binary file
//! or an unclosed quote fails with a clear message instead of filling memory.

use super::IngestError;

/// Size limits for one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in one record (line).
    pub max_record_bytes: usize,
    /// Fields in one record.
    pub max_columns: usize,
}

/// One parsed record: its fields and the (1-based) line where it ends.
pub struct Record<'a> {
    data: &'a [u8],
    ends: &'a [usize],
    /// 1-based line number.
    pub line: u64,
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i` as bytes.
    pub fn field(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.data.get(start..self.ends[i]).unwrap_or(&[])
    }
}

/// How numbers with grouping separators are written in a file (decided from its first rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberStyle {
    /// Nothing to rewrite: `1.5`, and a lone `1,5` read as a decimal comma.
    #[default]
    Plain,
    /// English-locale spreadsheet export (comma-delimited, the numbers quoted): `"1,234,567.5"`.
    /// Commas between groups of three digits are dropped.
    CommaThousands,
    /// European-locale spreadsheet export (`;` or tab delimited): `1.234.567,5`. Dots between
    /// groups of three digits are dropped and the decimal comma becomes a point.
    DotThousands,
}

impl NumberStyle {
    /// The style a sample of cells shows for a file with this delimiter: a cell that can only be
    /// read with thousands separators decides it.
    pub fn detect<'a>(delimiter: u8, cells: impl IntoIterator<Item = &'a str>) -> Self {
        for c in cells {
            let b = c.trim().as_bytes();
            if delimiter == b',' && grouped(b, b',', b'.').is_some_and(|g| g.groups > 0) {
                return Self::CommaThousands;
            }
            if delimiter != b',' {
                if let Some(g) = grouped(b, b'.', b',') {
                    if g.decimals || g.groups > 1 {
                        return Self::DotThousands;
                    }
                }
            }
        }
        Self::Plain
    }

    /// The cell as a plain decimal, when this style rewrites it.
    pub fn normalise(self, cell: &str) -> Option<String> {
        let mut b = cell.trim().as_bytes().to_vec();
        let n = self.rewrite(&mut b)?;
        b.truncate(n);
        String::from_utf8(b).ok()
    }

    /// Rewrites `field` in place when this style applies to it; returns its new length.
    fn rewrite(self, field: &mut [u8]) -> Option<usize> {
        let (sep, dec) = match self {
            Self::Plain => return None,
            Self::CommaThousands => (b',', b'.'),
            Self::DotThousands => (b'.', b','),
        };
        let g = grouped(field, sep, dec)?;
        if self == Self::CommaThousands && g.groups == 0 {
            return None; // "1,5" stays a decimal comma; "1.5" needs nothing
        }
        if self == Self::DotThousands && g.groups == 0 && !g.decimals {
            return None;
        }
        let mut n = 0;
        for i in 0..field.len() {
            let c = field[i];
            if c == sep {
                continue;
            }
            field[n] = if c == dec { b'.' } else { c };
            n += 1;
        }
        Some(n)
    }
}

/// What [`grouped`] found in a number cell.
struct Grouping {
    /// Thousands separators seen.
    groups: usize,
    /// Whether a decimal separator is present.
    decimals: bool,
}

/// Reads `-?d{1,3}(SEP ddd)*(DEC d+)?` (or `-?d+(DEC d+)?` without separators).
fn grouped(b: &[u8], sep: u8, dec: u8) -> Option<Grouping> {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let (int, frac) = match digits.iter().position(|&c| c == dec) {
        Some(p) => (&digits[..p], Some(&digits[p + 1..])),
        None => (digits, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    let parts: Vec<&[u8]> = int.split(|&c| c == sep).collect();
    let first = parts.first()?;
    let ok = !first.is_empty()
        && first.iter().all(u8::is_ascii_digit)
        && (parts.len() == 1 || first.len() <= 3)
        && parts[1..]
            .iter()
            .all(|p| p.len() == 3 && p.iter().all(u8::is_ascii_digit));
    // Four dotted groups and no decimals is an IPv4 address ("192.168.100.200"), not a number.
    let ipv4 = sep == b'.' && parts.len() == 4 && frac.is_none();
    (ok && !ipv4).then_some(Grouping {
        groups: parts.len() - 1,
        decimals: frac.is_some(),
    })
}

/// Lines that are not data and were passed over: counted, with the first line, for a notice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Passed {
    count: u64,
    first: u64,
}

impl Passed {
    fn add(&mut self, line: u64) {
        if self.count == 0 {
            self.first = line;
        }
        self.count += 1;
    }
}

/// Zeek logs joined into one file (`cat conn.*.log`): each part repeats its `#` header lines.
/// Parts with the first part's `#fields` are read; parts of another log (a `dns.log` appended to
/// a `conn.log`) have other columns and are skipped, counted.
#[derive(Debug, Default)]
struct ZeekLogs {
    fields: Vec<Vec<u8>>,
    path: String,
    foreign: bool,
    foreign_path: String,
    foreign_rows: Passed,
}

/// Splits bytes into records.
pub struct RecordReader {
    rdr: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    outlen: usize,
    endlen: usize,
    limits: Limits,
    last_byte: u8,
    /// The header record (bytes, field ends) and whether it was seen once: later copies of it
    /// (files concatenated with their headers, as in CSE-CIC-IDS2018) are skipped.
    header: Option<(Vec<u8>, Vec<usize>, bool)>,
    /// A one-field line that ends the data (nfdump's "Summary" block).
    trailer: Option<&'static [u8]>,
    in_trailer: bool,
    numbers: NumberStyle,
    zeek: Option<Box<ZeekLogs>>,
    /// ARFF: `@` lines (the header) are passed over.
    arff: bool,
    repeated_headers: Passed,
    blank_rows: Passed,
    trailer_lines: Passed,
    /// Lines of the file read elsewhere before the input given here (the fast path's), added to
    /// the line numbers in notices.
    line_offset: u64,
}

impl RecordReader {
    /// A reader for `delimiter`; `quoting` off for Zeek logs; `comment` skips lines starting with it.
    pub fn new(delimiter: u8, quoting: bool, comment: Option<u8>, limits: Limits) -> Self {
        let rdr = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(quoting)
            .comment(comment)
            .build();
        Self {
            rdr,
            out: vec![0; 4096],
            ends: vec![0; limits.max_columns.clamp(1, 64)],
            outlen: 0,
            endlen: 0,
            limits,
            last_byte: b'\n',
            header: None,
            trailer: None,
            in_trailer: false,
            numbers: NumberStyle::Plain,
            zeek: None,
            arff: false,
            repeated_headers: Passed::default(),
            blank_rows: Passed::default(),
            trailer_lines: Passed::default(),
            line_offset: 0,
        }
    }

    /// Skips later lines identical to this header (the first one is passed on as usual).
    pub fn skip_repeated_header(mut self, header: &[String]) -> Self {
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        for h in header {
            bytes.extend_from_slice(h.as_bytes());
            ends.push(bytes.len());
        }
        self.header = Some((bytes, ends, false));
        self
    }

    /// Ends the data at a line holding only `marker`; it and every later line are skipped.
    pub fn stop_at(mut self, marker: &'static [u8]) -> Self {
        self.trailer = Some(marker);
        self
    }

    /// Reads a Zeek log whose `#fields` line named `fields` (from `#path` `path`): `#` lines are
    /// passed over, and the rows of a joined log with other fields are skipped.
    pub fn zeek_log(mut self, fields: &[String], path: &str) -> Self {
        self.zeek = Some(Box::new(ZeekLogs {
            fields: fields.iter().map(|f| f.as_bytes().to_vec()).collect(),
            path: path.to_owned(),
            ..ZeekLogs::default()
        }));
        self
    }

    /// Reads an ARFF file: its `@relation` / `@attribute` / `@data` lines are not rows.
    pub fn arff(mut self) -> Self {
        self.arff = true;
        self
    }

    /// Rewrites grouped numbers (`1,234.5`, `1.234,5`) as plain decimals before they are read.
    pub fn with_numbers(mut self, style: NumberStyle) -> Self {
        self.numbers = style;
        self
    }

    /// Notices about the lines passed over (repeated headers, rows with every field empty, a
    /// trailing summary block).
    pub fn notices(&self) -> Vec<String> {
        let mut out = Vec::new();
        let p = self.repeated_headers;
        if p.count > 0 {
            out.push(format!(
                "{} repeated header lines skipped (first on line {}): the file is several \
                 exports joined together; they are not data",
                p.count, p.first
            ));
        }
        let p = self.blank_rows;
        if p.count > 0 {
            out.push(format!(
                "{} rows with every field empty skipped (first on line {})",
                p.count, p.first
            ));
        }
        if let Some(z) = self.zeek.as_deref().filter(|z| z.foreign_rows.count > 0) {
            out.push(format!(
                "{} rows of another Zeek log ({}, first on line {}) skipped: this file joins \
                 logs with different columns and only the first one ({}) is read; load each log \
                 on its own",
                z.foreign_rows.count,
                if z.foreign_path.is_empty() {
                    "no #path"
                } else {
                    &z.foreign_path
                },
                z.foreign_rows.first,
                if z.path.is_empty() {
                    "no #path"
                } else {
                    &z.path
                },
            ));
        }
        let p = self.trailer_lines;
        if p.count > 0 {
            out.push(format!(
                "the summary block at the end (line {} on, {} lines) is not flow data: skipped",
                p.first, p.count
            ));
        }
        out
    }

    /// True when the record just read is not data (and was counted as such).
    fn pass_over(&mut self, line: u64) -> bool {
        let (data, ends) = (&self.out[..self.outlen], &self.ends[..self.endlen]);
        if self.in_trailer {
            self.trailer_lines.add(line);
            return true;
        }
        if let Some(marker) = self.trailer {
            if ends.len() == 1 && data.trim_ascii() == marker {
                self.in_trailer = true;
                self.trailer_lines.add(line);
                return true;
            }
        }
        if data.is_empty() && ends.len() > 1 {
            self.blank_rows.add(line);
            return true;
        }
        if self.arff && data.first() == Some(&b'@') {
            return true;
        }
        if let Some(z) = &mut self.zeek {
            if data.first() == Some(&b'#') {
                let field = |i: usize| {
                    let start = if i == 0 { 0 } else { ends[i - 1] };
                    data.get(start..ends[i]).unwrap_or(&[])
                };
                match field(0) {
                    b"#fields" => {
                        let same = ends.len() == z.fields.len() + 1
                            && (1..ends.len()).all(|i| field(i) == z.fields[i - 1].as_slice());
                        z.foreign = !same;
                    }
                    b"#path" if ends.len() > 1 => {
                        z.foreign_path = String::from_utf8_lossy(field(1)).into_owned();
                    }
                    _ => {}
                }
                return true;
            }
            if z.foreign {
                z.foreign_rows.add(line);
                return true;
            }
        }
        if let Some((h, e, seen)) = &mut self.header {
            if data.len() == h.len() && data == h.as_slice() && ends == e.as_slice() {
                if *seen {
                    self.repeated_headers.add(line);
                    return true;
                }
                *seen = true;
            }
        }
        false
    }

    /// Applies the number style to every field of the record just read.
    fn rewrite_numbers(&mut self) {
        let mut start = 0;
        let mut shift = 0;
        for i in 0..self.endlen {
            let end = self.ends[i];
            let field = &mut self.out[start..end];
            let n = match self.numbers.rewrite(field) {
                Some(n) => n,
                None => field.len(),
            };
            self.out.copy_within(start..start + n, start - shift);
            shift += (end - start) - n;
            self.ends[i] = end - shift;
            start = end;
        }
        self.outlen -= shift;
    }

    /// Feeds `input` (empty = end of data), calling `sink` for every complete record.
    pub fn feed(
        &mut self,
        input: &[u8],
        sink: &mut dyn FnMut(&Record) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let mut pos = 0;
        loop {
            let (res, nin, nout, nend) = self.rdr.read_record(
                &input[pos..],
                &mut self.out[self.outlen..],
                &mut self.ends[self.endlen..],
            );
            if nin > 0 {
                self.last_byte = input[pos + nin - 1];
            }
            pos += nin;
            self.outlen += nout;
            self.endlen += nend;
            use csv_core::ReadRecordResult as R;
            match res {
                R::InputEmpty => return Ok(()),
                R::OutputFull => {
                    if self.out.len() >= self.limits.max_record_bytes {
                        return Err(IngestError::new(
                            format!(
                                "a line is longer than {} bytes",
                                self.limits.max_record_bytes
                            ),
                            "this is probably not a line-based text file, or a quoted field is \
                             never closed (check the quotes on this line)",
                        )
                        .at_line(self.rdr.line()));
                    }
                    let n = (self.out.len() * 2).min(self.limits.max_record_bytes);
                    self.out.resize(n, 0);
                }
                R::OutputEndsFull => {
                    if self.ends.len() >= self.limits.max_columns {
                        return Err(IngestError::new(
                            format!("a line has more than {} columns", self.limits.max_columns),
                            "the delimiter may be wrong, or this is not a table; netsift reads \
                             at most this many columns",
                        )
                        .at_line(self.rdr.line()));
                    }
                    let n = (self.ends.len() * 2).min(self.limits.max_columns);
                    self.ends.resize(n, 0);
                }
                R::Record => {
                    // csv-core's line() is 1-based and already counts a consumed '\n'.
                    let line = if self.last_byte == b'\n' {
                        self.rdr.line().saturating_sub(1).max(1)
                    } else {
                        self.rdr.line()
                    };
                    let extras = self.header.is_some()
                        || self.trailer.is_some()
                        || self.zeek.is_some()
                        || self.arff;
                    if (extras || self.outlen == 0) && self.pass_over(line + self.line_offset) {
                        self.outlen = 0;
                        self.endlen = 0;
                        continue;
                    }
                    if self.numbers != NumberStyle::Plain {
                        self.rewrite_numbers();
                    }
                    let rec = Record {
                        data: &self.out[..self.outlen],
                        ends: &self.ends[..self.endlen],
                        line,
                    };
                    let r = sink(&rec);
                    self.outlen = 0;
                    self.endlen = 0;
                    r?;
                }
                R::End => return Ok(()),
            }
        }
    }

    /// Sets how many lines of the file were read elsewhere before the input fed next, so the
    /// notices name lines of the file.
    pub fn set_line_offset(&mut self, lines: u64) {
        self.line_offset = lines;
    }

    /// True when plain data lines need nothing from this reader: no number rewriting, no
    /// trailing block reached or awaited, not inside a joined Zeek log of another kind, not an ARFF
    /// file. Header copies and all-empty rows must still come here (see `Lines::wrap`).
    pub fn passes_plain_lines(&self) -> bool {
        self.numbers == NumberStyle::Plain
            && !self.in_trailer
            && !self.arff
            && self.zeek.as_deref().is_none_or(|z| !z.foreign)
    }

    /// The header as a line without quotes, when repeated headers are skipped.
    pub fn header_line(&self, delimiter: u8) -> Option<Vec<u8>> {
        let (bytes, ends, _) = self.header.as_ref()?;
        let mut line = Vec::with_capacity(bytes.len() + ends.len());
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate() {
            if i > 0 {
                line.push(delimiter);
            }
            line.extend_from_slice(&bytes[start..end]);
            start = end;
        }
        Some(line)
    }

    /// True when no record is half read. Asked right after a piece of input ending in `\n`, it
    /// tells whether csv-core is at the start of a record (a `\n` inside a quoted field is kept
    /// in the output; every other `\n` ends the record or comment it is in), so the next line
    /// may be split without it.
    pub fn at_record_start(&self) -> bool {
        self.outlen == 0 && self.endlen == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits {
        max_record_bytes: 1 << 20,
        max_columns: 4096,
    };

    fn collect(chunks: &[&[u8]], delim: u8) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(delim, true, None, LIM);
        let mut out = Vec::new();
        let mut sink = |rec: &Record| {
            out.push((
                rec.line,
                (0..rec.len())
                    .map(|i| String::from_utf8_lossy(rec.field(i)).into_owned())
                    .collect(),
            ));
            Ok(())
        };
        for c in chunks {
            r.feed(c, &mut sink).unwrap();
        }
        r.feed(&[], &mut sink).unwrap();
        out
    }

    #[test]
    fn records_split_across_chunks_keep_line_numbers() {
        let recs = collect(&[b"a,b\n1,", b"2\r\n\n3,\"x\ny\"\n4,5"], b',');
        let lines: Vec<u64> = recs.iter().map(|r| r.0).collect();
        assert_eq!(recs[1].1, vec!["1", "2"]);
        assert_eq!(recs[2].1, vec!["3", "x\ny"]);
        assert_eq!(recs[3].1, vec!["4", "5"]);
        assert_eq!(lines, vec![1, 2, 5, 6]);
    }

    #[test]
    fn grouped_numbers_are_rewritten_in_their_locale_only() {
        let us = NumberStyle::CommaThousands;
        assert_eq!(us.normalise("1,234,567.5").as_deref(), Some("1234567.5"));
        assert_eq!(us.normalise("-1,500").as_deref(), Some("-1500"));
        assert_eq!(us.normalise("1,5"), None); // a decimal comma, read as such later
        assert_eq!(us.normalise("12,34"), None);
        let eu = NumberStyle::DotThousands;
        assert_eq!(eu.normalise("1.234.567,5").as_deref(), Some("1234567.5"));
        assert_eq!(eu.normalise("0,5").as_deref(), Some("0.5"));
        assert_eq!(eu.normalise("1.500").as_deref(), Some("1500"));
        assert_eq!(eu.normalise("192.168.100.200"), None);
        assert_eq!(eu.normalise("10.0.0.1"), None);
        assert_eq!(eu.normalise("60"), None);
        assert_eq!(NumberStyle::Plain.normalise("1,234"), None);
    }

    #[test]
    fn the_style_comes_from_a_cell_only_grouping_explains() {
        assert_eq!(
            NumberStyle::detect(b',', ["1.5", "1,234"]),
            NumberStyle::CommaThousands
        );
        assert_eq!(NumberStyle::detect(b',', ["1.5", "2"]), NumberStyle::Plain);
        assert_eq!(
            NumberStyle::detect(b';', ["10.0.0.1", "0,5"]),
            NumberStyle::DotThousands
        );
        assert_eq!(
            NumberStyle::detect(b';', ["192.168.100.200", "1.5"]),
            NumberStyle::Plain
        );
    }

    #[test]
    fn repeated_headers_blank_rows_and_a_trailer_are_passed_over() {
        let mut r = RecordReader::new(b',', true, None, LIM)
            .skip_repeated_header(&["a".into(), "b".into()])
            .stop_at(b"Summary");
        let mut got = Vec::new();
        let mut sink = |rec: &Record| {
            got.push(rec.line);
            Ok(())
        };
        r.feed(b"a,b\n1,2\n,\na,b\n3,4\nSummary\nx,y,z\n", &mut sink)
            .unwrap();
        r.feed(&[], &mut sink).unwrap();
        assert_eq!(got, [1, 2, 5]);
        let n = r.notices();
        assert!(n[0].starts_with("1 repeated header lines skipped (first on line 4)"));
        assert!(n[1].starts_with("1 rows with every field empty skipped (first on line 3)"));
        assert!(n[2].contains("line 6 on, 2 lines"), "{n:?}");
    }

    #[test]
    fn too_many_columns_is_an_error() {
        let mut r = RecordReader::new(
            b',',
            true,
            None,
            Limits {
                max_record_bytes: 1 << 20,
                max_columns: 8,
            },
        );
        let e = r
            .feed(b"1,2,3,4,5,6,7,8,9,10\n", &mut |_| Ok(()))
            .unwrap_err();
        assert!(e.message.contains("more than 8 columns"), "{e}");
    }
}
