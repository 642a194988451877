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

/// Splits bytes into records.
pub struct RecordReader {
    rdr: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    outlen: usize,
    endlen: usize,
    limits: Limits,
    last_byte: u8,
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
        }
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
