//! One streaming reader for every supported file: the first bytes decide whether the chunks go
//! to the packet-capture reader (pcap, pcapng → bidirectional flows) or to the tabular reader
//! (CSV, TSV, Zeek, JSON, optionally gzip-compressed). A gzip-compressed capture (`.pcap.gz`,
//! `.pcapng.gz`) is decompressed here, with the limits of [`Inflater`], and read as a capture;
//! compressed text goes to the tabular reader as it is (that reader decompresses it itself).

use crate::engine::error::Result;
use crate::engine::ingest::capture::{FlowConfig, FlowTable, PcapReader};
use crate::engine::ingest::inflate::Inflater;
use crate::engine::ingest::{
    capture_to_ingested, container, CaptureFlows, Container, IngestError, IngestOptions, Ingested,
    StreamingReader,
};

/// Bytes needed to recognise a capture (the longest magic number).
const MAGIC_BYTES: usize = 4;

/// Compressed bytes decoded at a time until the content is recognised (bounds the decompressed
/// bytes held meanwhile to about 1,030 times this).
const GZ_PROBE: usize = 256;

enum Inner {
    /// Not enough bytes seen yet to decide.
    Undecided(Vec<u8>),
    /// gzip: not enough decompressed bytes seen yet to decide. Holds the compressed bytes (for
    /// the tabular reader, which decompresses itself) and the decompressed ones.
    GzUndecided(Box<GzProbe>),
    Table(Box<StreamingReader>),
    Capture(Box<(PcapReader, FlowTable)>),
    /// A gzip-compressed capture.
    GzCapture(Box<(Inflater, PcapReader, FlowTable)>),
}

struct GzProbe {
    raw: Vec<u8>,
    inflater: Inflater,
    head: Vec<u8>,
}

/// Streams any supported file: push chunks of any size, then [`AutoReader::finish`].
pub struct AutoReader {
    name: String,
    opts: IngestOptions,
    flows: FlowConfig,
    inner: Inner,
    bytes: u64,
}

impl AutoReader {
    /// A reader for the file `name` (used in messages) with tabular options and flow settings.
    pub fn new(name: &str, opts: IngestOptions, flows: FlowConfig) -> Self {
        Self {
            name: name.to_owned(),
            opts,
            flows,
            inner: Inner::Undecided(Vec::new()),
            bytes: 0,
        }
    }

    /// Bytes pushed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// True once the input is known to be a packet capture.
    pub fn is_capture(&self) -> bool {
        matches!(self.inner, Inner::Capture(_))
    }

    /// Feeds the next chunk.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.bytes += chunk.len() as u64;
        if let Inner::Undecided(head) = &mut self.inner {
            head.extend_from_slice(chunk);
            if head.len() < MAGIC_BYTES {
                return Ok(());
            }
            let head = std::mem::take(head);
            self.decide(&head)?;
            return self.feed(&head);
        }
        self.feed(chunk)
    }

    fn decide(&mut self, head: &[u8]) -> Result<()> {
        self.inner = match container(head) {
            Container::Pcap | Container::Pcapng => {
                Inner::Capture(Box::new((PcapReader::new(), FlowTable::new(self.flows)?)))
            }
            Container::Gzip => Inner::GzUndecided(Box::new(GzProbe {
                raw: Vec::new(),
                inflater: Inflater::new(
                    self.opts.max_decompressed_bytes,
                    self.opts.max_compression_ratio,
                ),
                head: Vec::new(),
            })),
            _ => Inner::Table(Box::new(StreamingReader::new(
                &self.name,
                self.opts.clone(),
            ))),
        };
        Ok(())
    }

    /// Decodes compressed bytes a little at a time until the decompressed head shows what the
    /// content is, then switches to the capture reader or hands the compressed bytes to the
    /// tabular reader.
    fn probe_gz(&mut self, chunk: &[u8]) -> Result<()> {
        let mut rest = chunk;
        while let Inner::GzUndecided(p) = &mut self.inner {
            let decided = p.head.len() >= MAGIC_BYTES;
            if !decided && rest.is_empty() {
                return Ok(());
            }
            if !decided {
                let step = rest.len().min(GZ_PROBE);
                let (now, later) = rest.split_at(step);
                rest = later;
                p.raw.extend_from_slice(now);
                let head = &mut p.head;
                p.inflater
                    .push(now, &mut |b: &[u8]| {
                        head.extend_from_slice(b);
                        Ok(())
                    })
                    .map_err(|e| self.in_file(e))?;
                continue;
            }
            let Inner::GzUndecided(p) =
                std::mem::replace(&mut self.inner, Inner::Undecided(Vec::new()))
            else {
                unreachable!("matched above")
            };
            let GzProbe {
                raw,
                inflater,
                head,
            } = *p;
            match container(&head) {
                Container::Pcap | Container::Pcapng => {
                    let mut reader = PcapReader::new();
                    let mut flows = FlowTable::new(self.flows)?;
                    reader
                        .push(&head, &mut flows)
                        .map_err(|e| e.in_file(self.name.clone()))?;
                    self.inner = Inner::GzCapture(Box::new((inflater, reader, flows)));
                }
                _ => {
                    let mut opts = self.opts.clone();
                    opts.size_hint = None;
                    let mut r = StreamingReader::new(&self.name, opts);
                    r.push(&raw)?;
                    self.inner = Inner::Table(Box::new(r));
                }
            }
            return self.feed(rest);
        }
        Ok(())
    }

    fn in_file(&self, mut e: IngestError) -> IngestError {
        if e.file.is_none() {
            e.file = Some(self.name.clone());
        }
        e
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        if matches!(self.inner, Inner::GzUndecided(_)) {
            return self.probe_gz(chunk);
        }
        let name = &self.name;
        match &mut self.inner {
            Inner::Undecided(_) | Inner::GzUndecided(_) => Ok(()),
            Inner::GzCapture(c) => {
                let (inflater, reader, flows) = &mut **c;
                inflater
                    .push(chunk, &mut |b: &[u8]| reader.push(b, flows))
                    .map_err(|e| e.in_file(name.clone()))?;
                Ok(())
            }
            Inner::Table(r) => Ok(r.push(chunk)?),
            Inner::Capture(c) => {
                let (reader, flows) = &mut **c;
                reader
                    .push(chunk, flows)
                    .map_err(|e| e.in_file(name.clone()))?;
                Ok(())
            }
        }
    }

    /// Ends the input and returns the table.
    pub fn finish(self) -> Result<Ingested> {
        match self.inner {
            Inner::Undecided(head) => {
                // Shorter than a magic number: the tabular reader says what is wrong with it.
                let mut r = StreamingReader::new(&self.name, self.opts);
                r.push(&head)?;
                Ok(r.finish()?)
            }
            Inner::GzUndecided(p) => {
                // Fewer decompressed bytes than a magic number: the tabular reader says what
                // is wrong with the file.
                let mut r = StreamingReader::new(&self.name, self.opts);
                r.push(&p.raw)?;
                Ok(r.finish()?)
            }
            Inner::Table(r) => Ok(r.finish()?),
            Inner::Capture(c) => {
                let (reader, mut flows) = *c;
                let stats = reader.finish().map_err(|e| e.in_file(self.name.clone()))?;
                let evicted = flows.evicted();
                let arp = flows.take_arp();
                Ok(capture_to_ingested(CaptureFlows {
                    flows: flows.finish(),
                    stats,
                    evicted,
                    arp,
                }))
            }
            Inner::GzCapture(c) => {
                let (mut inflater, mut reader, mut flows) = *c;
                let name = self.name.clone();
                inflater
                    .finish(&mut |b: &[u8]| reader.push(b, &mut flows))
                    .map_err(|e| e.in_file(name.clone()))?;
                let stats = reader.finish().map_err(|e| e.in_file(name.clone()))?;
                let evicted = flows.evicted();
                let arp = flows.take_arp();
                let mut ingested = capture_to_ingested(CaptureFlows {
                    flows: flows.finish(),
                    stats,
                    evicted,
                    arp,
                });
                ingested.format = format!("gzip-compressed {}", ingested.format);
                ingested.warnings.extend(inflater.trailing_warning());
                Ok(ingested)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::capture::generate::generate_capture;

    fn read_in_chunks(name: &str, bytes: &[u8], chunk: usize) -> Result<Ingested> {
        let mut r = AutoReader::new(name, IngestOptions::default(), FlowConfig::default());
        for c in bytes.chunks(chunk) {
            r.push(c)?;
        }
        r.finish()
    }

    #[test]
    fn captures_become_flows_whatever_the_chunk_size() {
        let cap = generate_capture(&Default::default()).unwrap();
        let whole = read_in_chunks("a.pcap", &cap.bytes, cap.bytes.len()).unwrap();
        let tiny = read_in_chunks("a.pcap", &cap.bytes, 3).unwrap();
        assert!(whole.capture.is_some_and(|c| c.flows > 10));
        assert_eq!(whole.table, tiny.table);
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_compressed_captures_are_read_as_captures() {
        let cap = generate_capture(&Default::default()).unwrap();
        let plain = read_in_chunks("a.pcap", &cap.bytes, cap.bytes.len()).unwrap();
        let mut gz = gzip(&cap.bytes);
        for chunk in [1, 1000, gz.len()] {
            let r = read_in_chunks("a.pcap.gz", &gz, chunk).unwrap();
            assert_eq!(r.table, plain.table, "chunk {chunk}");
            assert!(r.format.starts_with("gzip-compressed"), "{}", r.format);
        }
        gz.extend(b"junk");
        let r = read_in_chunks("a.pcap.gz", &gz, 4096).unwrap();
        assert_eq!(r.table, plain.table);
        assert!(r
            .warnings
            .iter()
            .any(|w| w.contains("4 bytes after the end of the gzip")));
    }

    #[test]
    fn a_compressed_capture_beyond_the_size_limit_is_refused_naming_the_file() {
        let cap = generate_capture(&Default::default()).unwrap();
        let gz = gzip(&cap.bytes);
        let opts = IngestOptions {
            max_decompressed_bytes: 10_000,
            ..IngestOptions::default()
        };
        let mut r = AutoReader::new("big.pcap.gz", opts, FlowConfig::default());
        let e = gz
            .chunks(4096)
            .try_for_each(|c| r.push(c))
            .and_then(|()| r.finish().map(drop))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("big.pcap.gz: "), "{e}");
        assert!(
            e.contains("decompressed size") && e.contains("--max-decompressed-mb"),
            "{e}"
        );
    }

    #[test]
    fn text_goes_to_the_tabular_reader() {
        let csv = b"a,b,label\n1,2,0\n3,4,1\n5,6,0\n";
        let r = read_in_chunks("t.csv", csv, 1).unwrap();
        assert_eq!(r.table.n_rows(), 3);
        assert!(r.capture.is_none());
    }

    #[test]
    fn a_file_shorter_than_a_magic_number_gets_the_tabular_message() {
        let err = read_in_chunks("x.csv", b"ab", 1).unwrap_err();
        assert!(!err.to_string().is_empty());
        let err = read_in_chunks("empty.csv", b"", 1).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
