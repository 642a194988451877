//! Guesses made from the first bytes of a file: compression, binary or text, delimiter, header.

use super::columns::{parse_num, Num};
use super::IngestError;

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// gzip (magic 1f 8b).
    Gzip,
    /// Classic pcap (either byte order, µs or ns).
    Pcap,
    /// pcapng.
    Pcapng,
    /// Anything else (decided later: text or binary).
    Other,
}

/// Classifies a file from its first bytes (at least 4 for pcap detection).
pub fn container(head: &[u8]) -> Container {
    match head {
        [0x1f, 0x8b, ..] => Container::Gzip,
        [0xd4, 0xc3, 0xb2, 0xa1, ..]
        | [0x34, 0xcd, 0xb2, 0xa1, ..]
        | [0xa1, 0xb2, 0xcd, 0x34, ..]
        | [0xa1, 0xb2, 0xc3, 0xd4, ..]
        | [0x4d, 0x3c, 0xb2, 0xa1, ..]
        | [0xa1, 0xb2, 0x3c, 0x4d, ..] => Container::Pcap,
        [0x0a, 0x0d, 0x0d, 0x0a, ..] => Container::Pcapng,
        _ => Container::Other,
    }
}

/// Rejects text that is really binary: NUL bytes or many control characters in the first bytes.
pub fn check_text(head: &[u8]) -> Result<(), IngestError> {
    let kind = match container(head) {
        Container::Pcap => Some("a classic pcap packet capture"),
        Container::Pcapng => Some("a pcapng packet capture"),
        _ => None,
    };
    if let Some(kind) = kind {
        return Err(IngestError::new(
            format!("this is {kind}, not a table"),
            "open it as a packet capture (.pcap / .pcapng): netsift turns its packets into flows",
        )
        .at_byte(0));
    }
    let sample = &head[..head.len().min(65_536)];
    let nul = sample.iter().position(|&b| b == 0);
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if nul.is_some() || control * 100 > sample.len().max(1) {
        let what = match nul {
            Some(at) => format!("a NUL byte at byte {at}"),
            None => format!(
                "{control} control characters in the first {} bytes",
                sample.len()
            ),
        };
        return Err(IngestError::new(
            format!("this looks like a binary file ({what}), not CSV/JSON text"),
            "if it is a packet capture, open it as .pcap/.pcapng; if it is compressed other than \
             gzip, decompress it first; otherwise export the data as CSV",
        )
        .at_byte(nul.unwrap_or(0) as u64));
    }
    Ok(())
}

/// Candidate delimiters, in tie-break order.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Human name of a delimiter.
pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "pipe",
        b' ' => "space",
        _ => "custom delimiter",
    }
}

/// Fields per line for `delim`, honouring double quotes (a simple scan, for sniffing only).
fn count_fields(line: &[u8], delim: u8) -> usize {
    let mut n = 1;
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delim && !quoted {
            n += 1;
        }
    }
    n
}

/// Picks the delimiter giving the same field count (> 1) on most of the first lines.
pub fn sniff_delimiter(text: &[u8], complete: bool) -> u8 {
    let mut lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty() && !l.starts_with(b"#"))
        .take(51)
        .collect();
    if !complete && lines.len() > 1 {
        lines.pop(); // the last line may be cut by the chunk boundary
    }
    let mut best = (b',', 0usize, 0usize); // (delimiter, lines agreeing, fields)
    for &d in &DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_fields(l, d)).collect();
        // the most common count
        let mut mode = (0usize, 0usize);
        for &c in &counts {
            let n = counts.iter().filter(|&&x| x == c).count();
            if n > mode.1 || (n == mode.1 && c > mode.0) {
                mode = (c, n);
            }
        }
        if mode.0 > 1 && (mode.1 > best.1 || (mode.1 == best.1 && mode.0 > best.2)) {
            best = (d, mode.1, mode.0);
        }
    }
    best.0
}

/// True when the first sampled row is a header: it holds no numbers, and either some column is
/// numeric below it, or none of its cells repeats in its column below.
pub fn looks_like_header(sample: &[Vec<String>]) -> bool {
    let Some(first) = sample.first() else {
        return false;
    };
    let is_num = |s: &str| matches!(parse_num(s), Num::Value(_));
    if first.iter().any(|c| is_num(c)) {
        return false;
    }
    let rest = &sample[1..];
    if rest.is_empty() {
        return true;
    }
    let numeric_below = (0..first.len()).any(|i| {
        let cells: Vec<&str> = rest
            .iter()
            .filter_map(|r| r.get(i).map(|s| s.trim()))
            .filter(|s| !s.is_empty())
            .collect();
        !cells.is_empty() && cells.iter().filter(|s| is_num(s)).count() * 10 >= cells.len() * 9
    });
    if numeric_below {
        return true;
    }
    first.iter().enumerate().all(|(i, h)| {
        !h.trim().is_empty()
            && rest
                .iter()
                .all(|r| r.get(i).map(|s| s.trim()) != Some(h.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(s: &[&[&str]]) -> Vec<Vec<String>> {
        s.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn delimiter_is_the_consistent_one() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n", true), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n", true), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n\"x,y\"|2\n", true), b'|');
    }

    #[test]
    fn header_is_text_over_numbers() {
        assert!(looks_like_header(&rows(&[&["a", "b"], &["1", "2"]])));
        assert!(!looks_like_header(&rows(&[&["0", "tcp"], &["1", "udp"]])));
        assert!(looks_like_header(&rows(&[
            &["name", "kind"],
            &["x", "y"],
            &["z", "y"]
        ])));
        assert!(!looks_like_header(&rows(&[&["x", "y"], &["x", "y"]])));
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let e = check_text(b"abc\0def").unwrap_err();
        assert!(e.message.contains("binary file"), "{e}");
        assert_eq!(container(&[0xd4, 0xc3, 0xb2, 0xa1]), Container::Pcap);
        assert!(check_text(&[0x0a, 0x0d, 0x0d, 0x0a, 1, 2])
            .unwrap_err()
            .message
            .contains("pcapng"));
    }
}
