//! JSON records, streamed: a small scanner finds each record's bytes (tracking strings, escapes
//! and nesting) so only one record is held at a time; serde_json parses that record.
//!
//! Flavours: newline-delimited objects (NDJSON, Zeek's JSON logs), a top-level array of objects,
//! and an object wrapping an array of objects (`{"flows": [...]}`). Nested objects are
//! flattened with `.` (`{"id": {"orig_h": …}}` → `id.orig_h`); arrays stay as JSON text.
//! serde_json orders keys alphabetically, so JSON columns come out sorted by name.

use super::IngestError;

/// Receives each record's bytes and its first line.
pub type RecordSink<'a> = dyn FnMut(&[u8], u64) -> Result<(), IngestError> + 'a;

/// A flattened JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number.
    Num(f64),
    /// Text (strings, booleans, arrays as JSON).
    Text(String),
    /// `null`.
    Null,
}

impl Cell {
    /// The cell as text ("" for null).
    pub fn text(&self) -> String {
        match self {
            Cell::Num(x) => crate::engine::text::number(*x),
            Cell::Text(s) => s.clone(),
            Cell::Null => String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ndjson,
    Array,
    Wrapped,
}

/// Largest accepted JSON record.
const MAX_RECORD: usize = 16 << 20;
/// Deepest accepted nesting.
const MAX_DEPTH: usize = 256;

/// Finds record boundaries in a JSON byte stream.
pub struct Splitter {
    mode: Mode,
    stack: Vec<u8>,
    in_str: bool,
    esc: bool,
    capturing: bool,
    capture_depth: usize,
    cur: Vec<u8>,
    line: u64,
    start_line: u64,
    not_records: Option<String>,
}

/// What a JSON value starting with `b` is, in words.
fn kind_of(b: u8) -> &'static str {
    match b {
        b'[' => "array",
        b'"' => "string",
        b'n' => "null",
        b't' | b'f' => "true/false value",
        b'{' => "object",
        _ => "number",
    }
}

/// Why the start of a JSON document holds no records, if it plainly does not: a top-level
/// scalar (`null`, `3`), or an array whose first element is not an object (`[1, 2, 3]`).
pub(super) fn not_records(head: &[u8]) -> Option<String> {
    let first = *head.first()?;
    if first == b'[' {
        let inner = head[1..].iter().find(|b| !b.is_ascii_whitespace())?;
        if *inner == b'{' || *inner == b']' {
            return None;
        }
        return Some(format!(
            "the JSON is an array of {}s, not of records (objects such as {{\"src_ip\": \"10.0.0.1\", \"bytes\": 1200}})",
            kind_of(*inner)
        ));
    }
    if first == b'{' {
        return None;
    }
    Some(format!(
        "the JSON is a single {}, not records (objects such as {{\"src_ip\": \"10.0.0.1\", \"bytes\": 1200}}, one per line or in an array)",
        kind_of(first)
    ))
}

impl Splitter {
    /// Decides the flavour from the first bytes (starting at the first non-blank byte).
    pub fn new(head: &[u8]) -> Self {
        let mode = if head.first() == Some(&b'[') {
            Mode::Array
        } else {
            let mut lines = head
                .split(|&b| b == b'\n')
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
            let first_line = lines.next().unwrap_or(&[]);
            match serde_json::from_slice::<serde_json::Value>(first_line) {
                Ok(serde_json::Value::Object(m))
                    if m.values().any(|v| {
                        v.as_array()
                            .is_some_and(|a| a.first().is_some_and(|x| x.is_object()))
                    }) =>
                {
                    Mode::Wrapped
                }
                Ok(_) => Mode::Ndjson,
                // A first line that is not JSON: a pretty-printed wrapper (`{"flows": [`), or
                // NDJSON whose first record is broken. NDJSON when most of the next lines are
                // whole objects (so one bad first line does not lose the file).
                Err(_) => {
                    let (mut objects, mut others) = (0usize, 0usize);
                    for l in lines.take(16) {
                        match serde_json::from_slice::<serde_json::Value>(l) {
                            Ok(serde_json::Value::Object(_)) => objects += 1,
                            _ => others += 1,
                        }
                    }
                    if objects > 0 && objects > others {
                        Mode::Ndjson
                    } else {
                        Mode::Wrapped
                    }
                }
            }
        };
        Self {
            mode,
            stack: Vec::new(),
            in_str: false,
            esc: false,
            capturing: false,
            capture_depth: 0,
            cur: Vec::new(),
            line: 1,
            start_line: 1,
            not_records: not_records(head),
        }
    }

    /// Why the document holds no records, when its start shows it (a top-level `null`, number
    /// or string, or an array of non-objects): the message for a file that gave no rows.
    pub fn not_records(&self) -> Option<&str> {
        self.not_records.as_deref()
    }

    /// Human name of the flavour.
    pub fn flavour(&self) -> &'static str {
        match self.mode {
            Mode::Ndjson => "newline-delimited records",
            Mode::Array => "array of records",
            Mode::Wrapped => "object with an array of records",
        }
    }

    fn at_record_start(&self) -> bool {
        match self.mode {
            Mode::Ndjson => self.stack.is_empty(),
            Mode::Array => self.stack == [b'['],
            Mode::Wrapped => self.stack == [b'{', b'['],
        }
    }

    /// Scans `data`, calling `sink(record_bytes, line)` for each complete record.
    pub fn feed(&mut self, data: &[u8], sink: &mut RecordSink<'_>) -> Result<(), IngestError> {
        for &b in data {
            if b == b'\n' {
                self.line += 1;
                // NDJSON: a record never spans lines (JSON strings cannot hold a raw newline),
                // so an open record at a line end is broken: hand it over (it fails to parse
                // and is counted with its line) and start afresh on the next line.
                if self.mode == Mode::Ndjson && (self.capturing || !self.stack.is_empty()) {
                    self.in_str = false;
                    self.esc = false;
                    self.stack.clear();
                    if self.capturing {
                        self.capturing = false;
                        sink(&self.cur, self.start_line)?;
                        self.cur.clear();
                    }
                    continue;
                }
            }
            if self.capturing {
                self.cur.push(b);
                if self.cur.len() > MAX_RECORD {
                    return Err(IngestError::new(
                        format!("a JSON record is larger than {} MiB", MAX_RECORD >> 20),
                        "split the file into smaller records (one flow per record)",
                    )
                    .at_line(self.start_line));
                }
            }
            if self.in_str {
                if self.esc {
                    self.esc = false;
                } else if b == b'\\' {
                    self.esc = true;
                } else if b == b'"' {
                    self.in_str = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_str = true,
                b'{' | b'[' => {
                    if !self.capturing && b == b'{' && self.at_record_start() {
                        self.capturing = true;
                        self.cur.clear();
                        self.cur.push(b);
                        self.capture_depth = self.stack.len();
                        self.start_line = self.line;
                    }
                    self.stack.push(b);
                    if self.stack.len() > MAX_DEPTH {
                        return Err(IngestError::new(
                            format!("JSON nested deeper than {MAX_DEPTH} levels"),
                            "this is not a table of records",
                        )
                        .at_line(self.line));
                    }
                }
                b'}' | b']' => {
                    self.stack.pop();
                    if self.capturing && self.stack.len() == self.capture_depth {
                        self.capturing = false;
                        sink(&self.cur, self.start_line)?;
                        self.cur.clear();
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Ends the stream: a record cut short is handed to `sink` (it fails to parse and is counted).
    pub fn finish(&mut self, sink: &mut RecordSink<'_>) -> Result<(), IngestError> {
        if self.capturing {
            self.capturing = false;
            let cur = std::mem::take(&mut self.cur);
            sink(&cur, self.start_line)?;
        }
        Ok(())
    }
}

/// Parses one record into flattened (key, cell) pairs.
pub fn parse_record(bytes: &[u8]) -> Result<Vec<(String, Cell)>, String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let serde_json::Value::Object(map) = v else {
        return Err("a record must be a JSON object".to_string());
    };
    let mut out = Vec::with_capacity(map.len());
    flatten("", map, &mut out, 0);
    Ok(out)
}

fn flatten(
    prefix: &str,
    map: serde_json::Map<String, serde_json::Value>,
    out: &mut Vec<(String, Cell)>,
    depth: usize,
) {
    for (k, v) in map {
        let key = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            serde_json::Value::Object(m) if depth < 16 => flatten(&key, m, out, depth + 1),
            serde_json::Value::Null => out.push((key, Cell::Null)),
            serde_json::Value::Number(n) => {
                out.push((key, n.as_f64().map_or(Cell::Null, Cell::Num)))
            }
            serde_json::Value::String(s) => out.push((key, Cell::Text(s))),
            serde_json::Value::Bool(b) => out.push((key, Cell::Text(b.to_string()))),
            other => out.push((key, Cell::Text(other.to_string()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(data: &[u8]) -> Vec<(u64, String)> {
        let mut s = Splitter::new(data);
        let mut out = Vec::new();
        let mut sink = |b: &[u8], l: u64| {
            out.push((l, String::from_utf8_lossy(b).into_owned()));
            Ok(())
        };
        for c in data.chunks(3) {
            s.feed(c, &mut sink).unwrap();
        }
        s.finish(&mut sink).unwrap();
        out
    }

    #[test]
    fn wrapped_array_records_are_found() {
        let r = records(b"{\"flows\": [{\"a\": 1, \"s\": \"}\"}, {\"a\": 2}]}");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].1, "{\"a\": 1, \"s\": \"}\"}");
    }

    #[test]
    fn a_broken_first_ndjson_line_does_not_hide_the_rest() {
        let good = "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n";
        for first in ["{\"a\": ,}", "{\"a\": \"open", "{\"a\": [1,"] {
            let data = format!("{first}\n{good}");
            let r = records(data.as_bytes());
            let lines: Vec<u64> = r.iter().map(|x| x.0).collect();
            assert_eq!(lines, vec![1, 2, 3, 4], "{first}: {r:?}");
            assert!(parse_record(r[0].1.as_bytes()).is_err());
            assert!(parse_record(r[3].1.as_bytes()).is_ok());
        }
        // A pretty-printed wrapper still reads as one.
        let r = records(b"{\"flows\": [\n{\"a\": 1},\n{\"a\": 2}\n]}\n");
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn scalars_and_arrays_of_scalars_are_named() {
        for (doc, words) in [
            ("[1,2,3]", "array of numbers"),
            ("null", "single null"),
            ("[\"a\"]", "array of strings"),
            ("42", "single number"),
        ] {
            let s = Splitter::new(doc.as_bytes());
            let why = s.not_records().unwrap_or_default().to_string();
            assert!(why.contains(words), "{doc}: {why}");
        }
        assert!(Splitter::new(b"[{\"a\":1}]").not_records().is_none());
        assert!(Splitter::new(b"{\"a\":1}").not_records().is_none());
    }

    #[test]
    fn ndjson_records_keep_line_numbers() {
        let r = records(b"{\"a\": 1}\n{\"a\": {\"b\": 2}}\n");
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2]);
        let flat = parse_record(r[1].1.as_bytes()).unwrap();
        assert_eq!(flat, vec![("a.b".to_string(), Cell::Num(2.0))]);
    }
}
