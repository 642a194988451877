//! Weka's ARFF files (the NSL-KDD download ships KDDTrain+.arff and KDDTest+.arff beside the
//! .txt files): `%` comments, `@relation`, one `@attribute 'name' type` line per column, then
//! `@data` and comma-separated rows. The attribute names are the header; the rows are CSV.

use super::IngestError;

/// True when the text starts (after blank and `%` comment lines) with `@relation`.
pub fn is_arff(buf: &[u8]) -> bool {
    lines(buf)
        .next()
        .is_some_and(|(_, l)| starts_with_ci(l, b"@relation"))
}

/// The attribute names, in order, from the header (which must end with `@data` within `buf`).
pub fn attributes(buf: &[u8]) -> Result<Vec<String>, IngestError> {
    let mut names = Vec::new();
    for (n, line) in lines(buf) {
        if starts_with_ci(line, b"@data") {
            if names.is_empty() {
                return Err(IngestError::new(
                    "this ARFF file declares no @attribute before @data",
                    "the header is damaged; export the file again",
                )
                .at_line(n));
            }
            return Ok(names);
        }
        if starts_with_ci(line, b"@attribute") {
            let rest = String::from_utf8_lossy(&line[b"@attribute".len()..]);
            names.push(attribute_name(rest.trim_start()));
        }
    }
    Err(IngestError::new(
        "the ARFF header has no @data line in its first 256 KiB",
        "check that this is a complete ARFF file, or export the data as CSV",
    )
    .at_line(1))
}

/// `'name' type`, `"name" type` or `name type` → `name`.
fn attribute_name(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(q @ ('\'' | '"')) => chars.take_while(|&c| c != q).collect(),
        _ => s.split_whitespace().next().unwrap_or("").to_owned(),
    }
}

/// Non-blank, non-comment lines with their 1-based numbers.
fn lines(buf: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    buf.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_ascii()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with(b"%"))
}

fn starts_with_ci(line: &[u8], word: &[u8]) -> bool {
    line.len() >= word.len() && line[..word.len()].eq_ignore_ascii_case(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_come_quoted_or_plain() {
        let head = b"% NSL-KDD\n@relation 'KDDTrain'\n\n@attribute 'duration' real\n\
                     @ATTRIBUTE protocol_type {'tcp','udp', 'icmp'}\n@attribute \"class\" \
                     {'normal', 'anomaly'}\n@data\n0,tcp,normal\n";
        assert!(is_arff(head));
        assert_eq!(
            attributes(head).unwrap(),
            ["duration", "protocol_type", "class"]
        );
        assert!(!is_arff(b"a,b\n1,2\n"));
    }

    #[test]
    fn a_header_without_data_is_an_error() {
        let e = attributes(b"@relation x\n@attribute a real\n").unwrap_err();
        assert!(e.message.contains("no @data line"), "{e}");
    }
}
