//! The CSV reader's fast path: plain lines split without csv-core, pushed column by column.
//!
//! Most large tables hold no quotes at all. A line with no quote byte (when quoting is on), no
//! `\r` but the one before its `\n`, not starting with the comment byte, shorter than the record
//! limit and with as many fields as the table has columns (or one more, empty) is split here on
//! the delimiter alone: csv-core would give exactly these fields (a test compares the two on
//! tricky input). Such lines are gathered in batches and handed over whole, so each column runs
//! its own typed loop. Every other line goes to csv-core ([`RecordReader`]) as before; when a
//! quoted field runs over the line end, the following lines go there too until csv-core ends a
//! record at a `\n`, where the fast path resumes.

use super::records::{Limits, Record, RecordReader};
use super::IngestError;

/// Rows gathered before they are handed over (their cell offsets stay in the cache).
const BATCH: usize = 256;

/// Where the rows go.
pub(super) trait RowSink {
    /// Columns of the table (0: every line goes to csv-core).
    fn n_cols(&self) -> usize;
    /// A record csv-core read, with its line number in the file.
    fn record(&mut self, rec: &Record, line: u64) -> Result<(), IngestError>;
    /// Plain rows: row `r`'s cell `i` is `data[offs[r * (n + 1) + i]..offs[r * (n + 1) + i + 1] - 1]`
    /// (`n` = [`RowSink::n_cols`]); `lines[r]` is its line number.
    fn plain_rows(&mut self, data: &[u8], offs: &[usize], lines: &[u64]);
}

/// Byte classes of the splitting loop.
const PLAIN: u8 = 0;
const DELIM: u8 = 1;
const NEWLINE: u8 = 2;
const SPECIAL: u8 = 3;

/// Splits plain lines itself and hands the rest to a [`RecordReader`] with the same settings.
pub(super) struct Lines {
    reader: RecordReader,
    /// The bytes that are not plain, each repeated over a word (for [`Events`]).
    wanted: [u64; 4],
    /// False for a delimiter that is also a line end or quote (all lines go to csv-core).
    enabled: bool,
    class: [u8; 256],
    delim: u8,
    comment: Option<u8>,
    max_line: usize,
    /// The start of a line whose `\n` is in a later chunk.
    carry: Vec<u8>,
    /// `\n` consumed here, and handed to csv-core: the line number is their sum + 1.
    fast_newlines: u64,
    slow_newlines: u64,
    /// csv-core holds part of a record: input goes to it until it ends one at a `\n`.
    slow: bool,
    /// The header line as it would be written without quotes (its copies go to the reader).
    header: Option<Vec<u8>>,
    offs: Vec<usize>,
    lines: Vec<u64>,
}

impl Lines {
    /// Splits plain lines itself and hands the rest to `reader`, built for the same `delimiter`
    /// and `quoting`. Lines starting with `slow_start` always go to `reader` (its comment byte, or
    /// lines it reads itself such as a Zeek log's `#` lines). Lines the reader must see to do its
    /// own bookkeeping go to it too: a copy of the header (repeated headers are counted and
    /// skipped there), a line whose fields are all empty (counted there), and every line while
    /// the reader rewrites or drops data lines ([`RecordReader::passes_plain_lines`]).
    pub(super) fn wrap(
        reader: RecordReader,
        delimiter: u8,
        quoting: bool,
        slow_start: Option<u8>,
        limits: Limits,
    ) -> Self {
        let comment = slow_start;
        let header = reader.header_line(delimiter);
        let mut class = [PLAIN; 256];
        class[usize::from(b'\r')] = SPECIAL;
        if quoting {
            class[usize::from(b'"')] = SPECIAL;
        }
        class[usize::from(delimiter)] = DELIM;
        class[usize::from(b'\n')] = NEWLINE;
        Self {
            reader,
            header,
            wanted: [delimiter, b'\n', b'\r', if quoting { b'"' } else { b'\n' }]
                .map(|b| u64::from(b) * ONES),
            enabled: !matches!(delimiter, b'\n' | b'\r' | b'"'),
            class,
            delim: delimiter,
            comment,
            max_line: limits.max_record_bytes.saturating_sub(1),
            carry: Vec::new(),
            fast_newlines: 0,
            slow_newlines: 0,
            slow: false,
            offs: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Feeds the next piece of text.
    pub(super) fn feed(
        &mut self,
        mut data: &[u8],
        rows: &mut dyn RowSink,
    ) -> Result<(), IngestError> {
        if !self.carry.is_empty() {
            match data.iter().position(|&b| b == b'\n') {
                None => {
                    self.carry.extend_from_slice(data);
                    if self.carry.len() >= self.max_line {
                        let carry = std::mem::take(&mut self.carry);
                        self.send_to_reader(&carry, rows)?;
                        self.slow = true;
                    }
                    return Ok(());
                }
                Some(p) => {
                    let mut line = std::mem::take(&mut self.carry);
                    line.extend_from_slice(&data[..=p]);
                    self.run(&line, rows)?;
                    data = &data[p + 1..];
                }
            }
        }
        self.run(data, rows)
    }

    /// Notices about the lines the reader passed over (see [`RecordReader::notices`]).
    pub(super) fn notices(&self) -> Vec<String> {
        self.reader.notices()
    }

    /// Ends the input (a last line without `\n` included).
    pub(super) fn finish(&mut self, rows: &mut dyn RowSink) -> Result<(), IngestError> {
        let carry = std::mem::take(&mut self.carry);
        if !carry.is_empty() {
            self.send_to_reader(&carry, rows)?;
        }
        let before = self.fast_newlines;
        self.reader.set_line_offset(before);
        self.reader
            .feed(&[], &mut |rec| rows.record(rec, rec.line + before))
            .map_err(|e| in_file_lines(e, before))
    }

    /// Hands `piece` to csv-core; its records get their line in the file.
    fn send_to_reader(&mut self, piece: &[u8], rows: &mut dyn RowSink) -> Result<(), IngestError> {
        let before = self.fast_newlines;
        self.reader.set_line_offset(before);
        self.slow_newlines += piece.iter().filter(|&&b| b == b'\n').count() as u64;
        self.reader
            .feed(piece, &mut |rec| rows.record(rec, rec.line + before))
            .map_err(|e| in_file_lines(e, before))
    }

    fn flush(&mut self, data: &[u8], rows: &mut dyn RowSink) {
        if !self.lines.is_empty() {
            rows.plain_rows(data, &self.offs, &self.lines);
            self.offs.clear();
            self.lines.clear();
        }
    }

    /// Splits `data`: plain lines here, the others through csv-core; keeps a partial last line.
    fn run(&mut self, data: &[u8], rows: &mut dyn RowSink) -> Result<(), IngestError> {
        let n = rows.n_cols();
        let len = data.len();
        let mut i = 0;
        let mut events = Events::at(0);
        while i < len {
            if self.slow
                || n == 0
                || !self.enabled
                || !self.reader.passes_plain_lines()
                || force_slow()
            {
                let end = data[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(len, |p| i + p + 1);
                self.send_to_reader(&data[i..end], rows)?;
                self.slow = end == len && data[len - 1] != b'\n' || !self.reader.at_record_start();
                i = end;
                events = Events::at(i);
                continue;
            }
            let start = i;
            let row = self.offs.len();
            self.offs.push(start);
            let mut fields = 1usize;
            let mut plain = true;
            i = len;
            while let Some((p, delim)) = events.next(data, &self.wanted, &self.class) {
                let c = data[p];
                if delim {
                    fields += 1;
                    if fields <= n + 1 {
                        self.offs.push(p + 1);
                    }
                } else if c == b'\n' {
                    i = p;
                    break;
                } else {
                    // A '\r' right before the '\n' ends the line; anything else goes to csv-core.
                    plain &= c == b'\r' && data.get(p + 1) == Some(&b'\n');
                }
            }
            if i == len {
                // No '\n' yet: keep the line for the next chunk.
                self.offs.truncate(row);
                self.flush(data, rows);
                let rest = &data[start..];
                if rest.len() >= self.max_line {
                    self.send_to_reader(rest, rows)?;
                    self.slow = true;
                } else {
                    self.carry.extend_from_slice(rest);
                }
                return Ok(());
            }
            // data[i] == '\n'
            let end = if i > start && data[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            if end == start {
                // A blank line: csv-core skips it too.
                self.offs.truncate(row);
                self.fast_newlines += 1;
                i += 1;
                continue;
            }
            plain &= self.comment != Some(data[start])
                && end - start < self.max_line
                // Every field empty: the reader counts and skips such a row.
                && end - start != fields - 1
                && self.header.as_deref() != Some(&data[start..end]);
            let complete = fields == n || (fields == n + 1 && data[end - 1] == self.delim);
            if plain && complete {
                if fields == n {
                    self.offs.push(end + 1);
                }
                self.lines.push(self.fast_newlines + self.slow_newlines + 1);
                self.fast_newlines += 1;
                if self.lines.len() == BATCH {
                    self.flush(data, rows);
                }
            } else {
                self.offs.truncate(row);
                self.flush(data, rows);
                self.send_to_reader(&data[start..=i], rows)?;
                self.slow = !self.reader.at_record_start();
                events = Events::at(i + 1);
            }
            i += 1;
        }
        self.flush(data, rows);
        Ok(())
    }
}

/// csv-core's errors (over-long line, too many columns) count only the lines it was given: adds
/// the `fast` lines split here before them.
fn in_file_lines(mut e: IngestError, fast: u64) -> IngestError {
    e.line = e.line.map(|l| l + fast);
    e
}

/// Positions of the bytes that matter (delimiter, `\n`, `\r`, quote) in order, found eight bytes
/// at a time: a word with none of them costs a few arithmetic steps instead of eight lookups.
struct Events {
    /// Start of the next word to load.
    next: usize,
    /// Start of the loaded word and its marks (0x80 on each byte that matters; `delims`: on
    /// each delimiter).
    base: usize,
    marks: u64,
    delims: u64,
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// 0x80 on each zero byte of `x`, exactly (no carry crosses a byte).
fn zero_bytes(x: u64) -> u64 {
    !(((x & (0x7F * ONES)) + 0x7F * ONES) | x | (0x7F * ONES))
}

impl Events {
    fn at(i: usize) -> Self {
        Self {
            next: i,
            base: i,
            marks: 0,
            delims: 0,
        }
    }

    /// The next position after the last one returned holding a byte of `wanted` (broadcast to
    /// every byte of a word, the delimiter first; the same bytes are the non-plain ones of
    /// `class`), and whether it is the delimiter.
    #[inline]
    fn next(&mut self, data: &[u8], wanted: &[u64; 4], class: &[u8; 256]) -> Option<(usize, bool)> {
        loop {
            if self.marks != 0 {
                let bit = self.marks & self.marks.wrapping_neg();
                self.marks ^= bit;
                let p = self.base + (bit.trailing_zeros() / 8) as usize;
                return Some((p, self.delims & bit != 0));
            }
            if let Some(w) = data.get(self.next..self.next + 8) {
                let mut b = [0u8; 8];
                b.copy_from_slice(w);
                let x = u64::from_le_bytes(b);
                self.delims = zero_bytes(x ^ wanted[0]);
                self.marks = self.delims
                    | zero_bytes(x ^ wanted[1])
                    | zero_bytes(x ^ wanted[2])
                    | zero_bytes(x ^ wanted[3]);
                self.base = self.next;
                self.next += 8;
                continue;
            }
            let p = self.next;
            let &c = data.get(p)?;
            self.next += 1;
            match class[usize::from(c)] {
                PLAIN => {}
                k => return Some((p, k == DELIM)),
            }
        }
    }
}

#[cfg(any(test, fuzzing))]
thread_local! {
    /// Tests and fuzzing: every line through csv-core (the general path), to compare with the
    /// fast one.
    static FORCE_SLOW: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(any(test, fuzzing))]
fn force_slow() -> bool {
    FORCE_SLOW.with(std::cell::Cell::get)
}

/// Tests and fuzzing: `true` sends every line of the readers on this thread through csv-core.
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub fn force_general_path(on: bool) {
    FORCE_SLOW.with(|f| f.set(on));
}

#[cfg(not(any(test, fuzzing)))]
#[inline(always)]
fn force_slow() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::super::{IngestOptions, StreamingReader};
    use super::force_general_path;
    use rand_core::Rng as _;

    /// Everything observable of a load, NaN and -0.0 included (Debug prints them).
    fn load(bytes: &[u8], cuts: &[usize], slow: bool) -> String {
        force_general_path(slow);
        let mut r = StreamingReader::new("t.csv", IngestOptions::default());
        let mut at = 0;
        let mut out = Ok(());
        for &c in cuts.iter().chain(std::iter::once(&bytes.len())) {
            let c = c.clamp(at, bytes.len());
            out = out.and_then(|()| r.push(&bytes[at..c]));
            at = c;
        }
        force_general_path(false);
        match out.and_then(|()| r.finish()) {
            Ok(got) => format!(
                "{:?}\n{}\n{:?}\n{}\n{:?}\n{:?}",
                got.table,
                got.format,
                got.warnings,
                got.skipped_rows,
                got.first_bad_rows,
                got.mapping
            ),
            Err(e) => format!("error: {e:?}"),
        }
    }

    /// Tricky cells: quotes (also over line ends), CRLF and lone CR, empty, null markers, ±∞ and
    /// NaN, leading '+', exponents, 17+ digit numbers, non-UTF-8, spaces, comment bytes.
    const CELLS: &[&[u8]] = &[
        b"0",
        b"1",
        b"17",
        b"443",
        b"-2.5",
        b"+3",
        b"1e5",
        b"2.5E-3",
        b"Infinity",
        b"-inf",
        b"NaN",
        b"-",
        b"",
        b"?",
        b"12345678901234567890",
        b"0.12345678901234567891",
        b"9007199254740993",
        b"1462.637526322903",
        b"0x1f",
        b"2,5",
        b" 7 ",
        b"tcp",
        b"SF",
        b"normal",
        b"\"q,x\"",
        b"\"a\nb\"",
        b"a\"b",
        b"\"\"",
        b"\xff\xfeab",
        b"caf\xc3\xa9",
        b"#c",
        b"1735689600.005",
        b"2024-01-02T03:04:05Z",
        b"x\ry",
    ];

    fn random_file(rng: &mut impl rand_core::Rng, delim: u8, zeek: bool) -> Vec<u8> {
        let n = (rng.next_u64() % 5 + 1) as usize;
        let mut f = Vec::new();
        if rng.next_u64().is_multiple_of(4) {
            f.extend_from_slice(&[0xef, 0xbb, 0xbf]);
        }
        if zeek {
            f.extend_from_slice(b"#separator \\x09\n#fields");
            for i in 0..n {
                f.extend_from_slice(format!("\tc{i}").as_bytes());
            }
            f.push(b'\n');
        } else {
            let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
            f.extend_from_slice(names.join(&(delim as char).to_string()).as_bytes());
            f.extend_from_slice(b"\r\n");
        }
        // Columns keep to a few cells each so their types settle as real files' do.
        let pools: Vec<Vec<&[u8]>> = (0..n)
            .map(|_| {
                (0..3)
                    .map(|_| CELLS[(rng.next_u64() % CELLS.len() as u64) as usize])
                    .collect()
            })
            .collect();
        for _ in 0..(rng.next_u64() % 400) {
            let fields = match rng.next_u64() % 20 {
                0 => n + 1,
                1 => n.saturating_sub(1).max(1),
                _ => n,
            };
            for i in 0..fields {
                if i > 0 {
                    f.push(delim);
                }
                let pool = &pools[i % n];
                let cell = if rng.next_u64().is_multiple_of(8) {
                    CELLS[(rng.next_u64() % CELLS.len() as u64) as usize]
                } else {
                    pool[(rng.next_u64() % 3) as usize]
                };
                f.extend_from_slice(cell);
            }
            match rng.next_u64() % 12 {
                0 => f.extend_from_slice(b"\r\n"),
                1 => f.push(b'\r'),
                2 => f.extend_from_slice(b"\n\n"),
                3 => f.extend_from_slice(b"\n#comment\n"),
                _ => f.push(b'\n'),
            }
        }
        if rng.next_u64().is_multiple_of(2) {
            f.pop();
        }
        f
    }

    #[test]
    fn fast_lines_load_exactly_what_csv_core_loads() {
        let mut rng = crate::engine::rng::seeded(11);
        for case in 0..600 {
            let (delim, zeek) = match case % 4 {
                0 => (b',', false),
                1 => (b';', false),
                2 => (b'\t', true),
                _ => (b'|', false),
            };
            let file = random_file(&mut rng, delim, zeek);
            let cuts: Vec<usize> = {
                let mut c: Vec<usize> = (0..rng.next_u64() % 6)
                    .map(|_| (rng.next_u64() % (file.len() as u64 + 1)) as usize)
                    .collect();
                c.sort_unstable();
                c
            };
            let fast = load(&file, &cuts, false);
            let slow = load(&file, &[], true);
            assert_eq!(
                fast,
                slow,
                "case {case}, cuts {cuts:?}, file {:?}",
                String::from_utf8_lossy(&file)
            );
        }
    }

    #[test]
    fn many_levels_load_exactly_what_csv_core_loads() {
        // The batch path caches category codes by their raw bytes: thousands of levels (slots
        // collide and are replaced), long levels (not cached), null markers, non-UTF-8 and
        // spaced cells, and a numeric-looking column that turns categorical midway.
        let mut rng = crate::engine::rng::seeded(23);
        let pool: Vec<Vec<u8>> = (0..3000)
            .map(|i| {
                let len = (rng.next_u64() % 24) as usize;
                let mut l: Vec<u8> = (0..len)
                    .map(|_| b'a' + (rng.next_u64() % 26) as u8)
                    .collect();
                match i % 50 {
                    0 => l = b"-".to_vec(),
                    1 => l = b"N/A".to_vec(),
                    2 => l.extend_from_slice(b"\xe9"),
                    3 => l.insert(0, b' '),
                    _ => {}
                }
                l
            })
            .collect();
        let mut file = b"kind,n,mixed\n".to_vec();
        for r in 0..5000u64 {
            let level = &pool[(rng.next_u64() % pool.len() as u64) as usize];
            file.extend_from_slice(level);
            file.extend_from_slice(format!(",{},", r % 997).as_bytes());
            if r > 2500 && r % 3 == 0 {
                file.extend_from_slice(b"text");
            } else {
                file.extend_from_slice(format!("{}.{:02}", r % 10, r % 100).as_bytes());
            }
            file.push(b'\n');
        }
        let cuts = [1000, 30_000, 30_001];
        assert_eq!(load(&file, &cuts, false), load(&file, &[], true));
    }

    #[test]
    fn csv_core_errors_name_the_line_in_the_file() {
        // Found by the fuzz target: a too-wide line after plain ones kept csv-core's own count.
        let file = b"a;b;c\n1;2;3\n4;5;6\n1;2;3;4;5;6;7;8;9\n";
        let opts = IngestOptions {
            max_columns: 4,
            ..IngestOptions::default()
        };
        for slow in [false, true] {
            force_general_path(slow);
            let mut r = StreamingReader::new("t.csv", opts.clone());
            let e = r.push(file).and_then(|()| r.finish().map(|_| ()));
            force_general_path(false);
            assert_eq!(e.map_err(|e| e.line), Err(Some(4)), "slow = {slow}");
        }
    }

    #[test]
    fn a_line_split_over_many_chunks_is_read_once() {
        let file = b"a,b,c\n1,2,3\n4,5,6\n\"x\ny\",7,8\n9,10,11";
        let bytes: Vec<usize> = (1..file.len()).collect();
        assert_eq!(load(file, &bytes, false), load(file, &[], true));
        assert!(load(file, &[], false).contains("x\\ny"));
    }
}
