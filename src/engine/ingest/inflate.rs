//! gzip decompression with limits: at most `max_bytes` of output and at most `max_ratio` output
//! bytes per input byte (checked once [`RATIO_GRACE_BYTES`] are out), so a small `.gz` that
//! expands to gigabytes is refused after a bounded amount of work and memory. Members are decoded
//! one after another (a multi-member file is one stream, as gzip(1) reads it); bytes after the
//! last member that do not start another member are ignored with a warning, as gzip(1) does.

use std::io::Write;

use flate2::write::GzDecoder;

use super::limits::RATIO_GRACE_BYTES;
use super::IngestError;

/// Compressed bytes handed to the decoder at a time (bounds the output of one step: deflate
/// expands at most about 1,030 : 1).
const PIECE: usize = 16 * 1024;

/// A streaming, limited gzip decoder.
pub struct Inflater {
    dec: Option<GzDecoder<Vec<u8>>>,
    /// Bytes after a member's end not yet known to start another member (fewer than 2).
    pending: Vec<u8>,
    read: u64,
    written: u64,
    max_bytes: u64,
    max_ratio: u64,
    grace: u64,
    trailing: u64,
}

impl Inflater {
    /// A decoder allowing at most `max_bytes` of output and `max_ratio` : 1.
    pub fn new(max_bytes: u64, max_ratio: u64) -> Self {
        Self {
            dec: Some(GzDecoder::new(Vec::new())),
            pending: Vec::new(),
            read: 0,
            written: 0,
            max_bytes,
            max_ratio,
            grace: RATIO_GRACE_BYTES,
            trailing: 0,
        }
    }

    /// Checks the ratio from `bytes` of output on instead of [`RATIO_GRACE_BYTES`].
    pub fn with_ratio_grace(mut self, bytes: u64) -> Self {
        self.grace = bytes;
        self
    }

    /// Decompressed bytes so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Bytes ignored after the last gzip member.
    pub fn trailing_bytes(&self) -> u64 {
        self.trailing
    }

    /// The warning for ignored trailing bytes, if any.
    pub fn trailing_warning(&self) -> Option<String> {
        (self.trailing > 0).then(|| {
            format!(
                "{} bytes after the end of the gzip data were ignored (as gzip(1) does)",
                self.trailing
            )
        })
    }

    /// Decompresses `data`, handing each piece of output to `sink`.
    pub fn push(
        &mut self,
        data: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        if !self.pending.is_empty() {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(data);
            return self.push_inner(&joined, sink);
        }
        self.push_inner(data, sink)
    }

    fn push_inner(
        &mut self,
        data: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        for piece in data.chunks(PIECE) {
            let mut rest = piece;
            while !rest.is_empty() {
                let Some(dec) = &mut self.dec else {
                    // After the last member: another member, or trailing bytes.
                    if rest.len() < 2 && rest[0] == 0x1f {
                        self.pending.extend_from_slice(rest);
                        return Ok(());
                    }
                    if rest.starts_with(&[0x1f, 0x8b]) {
                        self.dec = Some(GzDecoder::new(Vec::new()));
                        continue;
                    }
                    self.trailing += rest.len() as u64;
                    break;
                };
                let n = dec.write(rest).map_err(corrupt)?;
                self.read += n as u64;
                let out = std::mem::take(dec.get_mut());
                if n == 0 {
                    // The member ended: check its CRC and length, then look at what follows.
                    dec.try_finish().map_err(corrupt)?;
                    let tail = std::mem::take(dec.get_mut());
                    self.emit(&out, sink)?;
                    self.emit(&tail, sink)?;
                    self.dec = None;
                    continue;
                }
                self.emit(&out, sink)?;
                rest = &rest[n..];
            }
        }
        Ok(())
    }

    fn emit(
        &mut self,
        out: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        if out.is_empty() {
            return Ok(());
        }
        self.written += out.len() as u64;
        if self.written > self.max_bytes {
            return Err(IngestError::new(
                format!(
                    "the gzip data expands beyond the {} limit on decompressed size (stopped after {} compressed bytes)",
                    size(self.max_bytes),
                    self.read
                ),
                "decompress it yourself if you trust it; netsift-cli raises the limit with --max-decompressed-mb",
            ));
        }
        if self.written > self.grace
            && self.written > self.read.max(1).saturating_mul(self.max_ratio)
        {
            return Err(IngestError::new(
                format!(
                    "the gzip data expands more than {} : 1 ({} from {} compressed bytes) — a decompression bomb, or data too repetitive to be a real capture or table",
                    self.max_ratio,
                    size(self.written),
                    self.read
                ),
                "netsift-cli raises the limit with --max-ratio",
            ));
        }
        sink(out)
    }

    /// Ends the input: a member cut short is an error.
    pub fn finish(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        if !self.pending.is_empty() {
            self.trailing += self.pending.len() as u64;
            self.pending.clear();
        }
        if let Some(dec) = &mut self.dec {
            // Nothing after a complete member is fine; a member that started must end.
            if self.read > 0 || self.written == 0 {
                dec.try_finish().map_err(|e| {
                    IngestError::new(
                        format!("the gzip data ends early ({e})"),
                        "the file was cut short while downloading or copying; fetch it again",
                    )
                })?;
                let tail = std::mem::take(dec.get_mut());
                self.emit(&tail, sink)?;
            }
        }
        Ok(())
    }
}

fn corrupt(e: std::io::Error) -> IngestError {
    IngestError::new(
        format!("the gzip data is corrupt ({e})"),
        "the file was damaged while downloading or copying; fetch it again",
    )
}

/// A byte count in the largest whole unit (`4 GiB`, `512 MiB`, `3 KiB`).
pub fn size(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift {
            let v = bytes as f64 / (1u64 << shift) as f64;
            return if v >= 10.0 || v.fract() == 0.0 {
                format!("{v:.0} {unit}")
            } else {
                format!("{v:.1} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn inflate(
        data: &[u8],
        chunk: usize,
        max: u64,
        ratio: u64,
    ) -> Result<(Vec<u8>, u64), IngestError> {
        let mut inf = Inflater::new(max, ratio);
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| {
            out.extend_from_slice(b);
            Ok(())
        };
        for c in data.chunks(chunk) {
            inf.push(c, &mut sink)?;
        }
        inf.finish(&mut sink)?;
        Ok((out, inf.trailing_bytes()))
    }

    #[test]
    fn members_are_joined_and_trailing_bytes_ignored_with_a_count() {
        let mut data = gz(b"a,b\n1,2\n");
        data.extend(gz(b"3,4\n"));
        data.extend(b"\0\0garbage");
        for chunk in [1, 2, 3, 7, 1 << 20] {
            let (out, trailing) = inflate(&data, chunk, 1 << 20, 200).unwrap();
            assert_eq!(out, b"a,b\n1,2\n3,4\n", "chunk {chunk}");
            assert_eq!(trailing, 9, "chunk {chunk}");
        }
    }

    #[test]
    fn output_beyond_the_limit_is_refused() {
        let data = gz(&vec![b'0'; 300_000]);
        let e = inflate(&data, 4096, 100_000, 10_000).unwrap_err();
        assert!(
            e.message.contains("97.7 KiB") || e.message.contains("limit"),
            "{e}"
        );
        assert!(e.hint.contains("--max-decompressed-mb"), "{e}");
    }

    #[test]
    fn a_ratio_beyond_the_limit_is_refused_after_the_grace() {
        let data = gz(&vec![b'0'; 2_000_000]);
        let mut inf = Inflater::new(u64::MAX, 50).with_ratio_grace(100_000);
        let mut out = 0usize;
        let e = inf
            .push(&data, &mut |b: &[u8]| {
                out += b.len();
                Ok(())
            })
            .unwrap_err();
        assert!(e.message.contains("50 : 1"), "{e}");
        assert!(e.hint.contains("--max-ratio"), "{e}");
        assert!(out < 1_000_000, "stopped early, after {out} bytes");
    }

    #[test]
    fn a_member_cut_short_is_an_error() {
        let data = gz(&vec![b'x'; 10_000]);
        let e = inflate(&data[..data.len() - 6], 1000, 1 << 20, 200).unwrap_err();
        assert!(e.message.contains("ends early"), "{e}");
    }
}
