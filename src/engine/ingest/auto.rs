//! One streaming reader for every supported file: the first bytes decide whether the chunks go
//! to the packet-capture reader (pcap, pcapng → bidirectional flows) or to the tabular reader
//! (CSV, TSV, Zeek, JSON, optionally gzip-compressed).

use crate::engine::error::Result;
use crate::engine::ingest::capture::{FlowConfig, FlowTable, PcapReader};
use crate::engine::ingest::{
    capture_to_ingested, container, CaptureFlows, Container, IngestOptions, Ingested,
    StreamingReader,
};

/// Bytes needed to recognise a capture (the longest magic number).
const MAGIC_BYTES: usize = 4;

enum Inner {
    /// Not enough bytes seen yet to decide.
    Undecided(Vec<u8>),
    Table(Box<StreamingReader>),
    Capture(Box<(PcapReader, FlowTable)>),
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
            _ => Inner::Table(Box::new(StreamingReader::new(
                &self.name,
                self.opts.clone(),
            ))),
        };
        Ok(())
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        let name = &self.name;
        match &mut self.inner {
            Inner::Undecided(_) => Ok(()),
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
