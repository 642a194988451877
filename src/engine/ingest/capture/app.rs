//! Application fields read from the first packets of a flow ([`AppFields`]): the DNS question,
//! response code and answers, the TLS server name (SNI) of a ClientHello, and the method, Host
//! and path of an unencrypted HTTP request.
//!
//! The work per flow is bounded: only the payloads of a flow's first [`APP_PACKETS`] packets are
//! looked at, each parser stops at the first thing it recognises, and the only reassembly is of a
//! TLS ClientHello split over a few client segments (at most [`MAX_HELLO`] bytes, in arrival
//! order — no sequence-number tracking). What is recognised, by what:
//!
//! | protocol | flows looked at | read |
//! |---|---|---|
//! | DNS (RFC 1035) | UDP or TCP with port 53, 5353 (mDNS) or 5355 (LLMNR) on either side | the first query's name and type; the first response's code and its A, AAAA and CNAME answers |
//! | TLS | TCP whose client's first payload is a handshake record (0x16 0x03) | `server_name` (RFC 6066) of the ClientHello |
//! | HTTP/1.x | TCP whose client's first payload starts with a request method and a space | method, request target (path), `Host` header |
//!
//! Names are kept as written, bytes outside printable ASCII replaced by `?`; lengths are capped
//! ([`MAX_TEXT`]).

use serde::{Deserialize, Serialize};

/// Payloads of a flow's first this many packets are looked at.
pub const APP_PACKETS: u64 = 10;
/// Most client bytes buffered to complete a ClientHello split over segments.
pub const MAX_HELLO: usize = 8 << 10;
/// Longest text kept for a name, path or answer list (bytes).
pub const MAX_TEXT: usize = 512;
/// Most DNS answers kept.
const MAX_ANSWERS: usize = 8;

/// What the first packets of a flow said at the application layer; `None` when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppFields {
    /// DNS question name (`www.example.com`).
    pub dns_query: Option<String>,
    /// DNS question type (1 A, 28 AAAA, 16 TXT, 10 NULL, …); see [`dns_type_name`].
    pub dns_qtype: Option<u16>,
    /// DNS response code (0 NOERROR, 3 NXDOMAIN, …); see [`dns_rcode_name`].
    pub dns_rcode: Option<u8>,
    /// A, AAAA and CNAME answers of the first response, comma-separated.
    pub dns_answers: Option<String>,
    /// TLS server name from the ClientHello.
    pub tls_sni: Option<String>,
    /// HTTP request method.
    pub http_method: Option<String>,
    /// HTTP `Host` header.
    pub http_host: Option<String>,
    /// HTTP request target.
    pub http_path: Option<String>,
}

impl AppFields {
    /// True when nothing was read.
    pub fn is_empty(&self) -> bool {
        *self == AppFields::default()
    }
}

/// Zeek's and Wireshark's name of a DNS type, or its number.
pub fn dns_type_name(t: u16) -> String {
    match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        10 => "NULL",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        64 => "SVCB",
        65 => "HTTPS",
        255 => "ANY",
        _ => return t.to_string(),
    }
    .to_owned()
}

/// The name of a DNS response code (RFC 1035 §4.1.1, RFC 2136), or its number.
pub fn dns_rcode_name(r: u8) -> String {
    match r {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => return r.to_string(),
    }
    .to_owned()
}

const DNS_PORTS: [u16; 3] = [53, 5353, 5355];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unknown,
    Dns,
    Tls,
    Done,
}

/// Per-flow parsing state, created at the flow's first payload.
#[derive(Debug, Clone)]
pub(crate) struct Sniffer {
    kind: Kind,
    tcp: bool,
    fields: AppFields,
    hello: Vec<u8>,
}

impl Sniffer {
    /// A sniffer for a flow of `protocol` between these ports, or `None` when nothing here is
    /// read from such a flow.
    pub(crate) fn new(protocol: u8, src_port: u16, dst_port: u16) -> Option<Self> {
        let tcp = match protocol {
            6 => true,
            17 => false,
            _ => return None,
        };
        let dns = DNS_PORTS.contains(&src_port) || DNS_PORTS.contains(&dst_port);
        if !tcp && !dns {
            return None;
        }
        Some(Sniffer {
            kind: if dns { Kind::Dns } else { Kind::Unknown },
            tcp,
            fields: AppFields::default(),
            hello: Vec::new(),
        })
    }

    /// True when nothing more will be read.
    pub(crate) fn done(&self) -> bool {
        self.kind == Kind::Done
    }

    /// Looks at one packet's captured payload (`forward`: from the flow's initiator).
    pub(crate) fn payload(&mut self, forward: bool, data: &[u8]) {
        match self.kind {
            Kind::Done => {}
            Kind::Dns => {
                let msg = if self.tcp {
                    data.get(2..).unwrap_or(&[])
                } else {
                    data
                };
                dns(msg, &mut self.fields);
                if self.fields.dns_rcode.is_some() {
                    self.kind = Kind::Done;
                }
            }
            Kind::Unknown if forward => {
                if data.len() >= 3 && data[0] == 0x16 && data[1] == 3 {
                    self.kind = Kind::Tls;
                    self.tls(data);
                } else {
                    http_request(data, &mut self.fields);
                    self.kind = Kind::Done;
                }
            }
            Kind::Unknown => {}
            Kind::Tls if forward => self.tls(data),
            Kind::Tls => {}
        }
    }

    fn tls(&mut self, data: &[u8]) {
        let room = MAX_HELLO.saturating_sub(self.hello.len());
        self.hello.extend_from_slice(&data[..data.len().min(room)]);
        match client_hello_sni(&self.hello) {
            Hello::Incomplete if self.hello.len() < MAX_HELLO => {}
            Hello::Sni(name) => {
                self.fields.tls_sni = Some(name);
                self.kind = Kind::Done;
            }
            _ => self.kind = Kind::Done,
        }
        if self.kind == Kind::Done {
            self.hello = Vec::new();
        }
    }

    /// The fields read, or `None` when nothing was.
    pub(crate) fn finish(self) -> Option<Box<AppFields>> {
        (!self.fields.is_empty()).then(|| Box::new(self.fields))
    }
}

/// Printable ASCII kept, anything else `?`, at most [`MAX_TEXT`] bytes.
fn text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(MAX_TEXT)
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '?'
            }
        })
        .collect()
}

#[inline]
fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn be24(d: &[u8], at: usize) -> Option<usize> {
    Some(
        usize::from(*d.get(at)?) << 16
            | usize::from(*d.get(at + 1)?) << 8
            | usize::from(*d.get(at + 2)?),
    )
}

// ---------------------------------------------------------------- DNS

/// Reads a (possibly compressed) name at `at`; returns it and the offset after it in the
/// original position. Pointer loops and over-long names give `None`.
fn dns_name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut out: Vec<u8> = Vec::new();
    let mut after = None;
    for _ in 0..128 {
        let len = *msg.get(at)?;
        match len & 0xC0 {
            0x00 => {
                if len == 0 {
                    let end = after.unwrap_or(at + 1);
                    let name = if out.is_empty() {
                        "<Root>".to_owned()
                    } else {
                        text(&out)
                    };
                    return Some((name, end));
                }
                let label = msg.get(at + 1..at + 1 + usize::from(len))?;
                if !out.is_empty() {
                    out.push(b'.');
                }
                out.extend_from_slice(label);
                if out.len() > 255 {
                    return None;
                }
                at += 1 + usize::from(len);
            }
            0xC0 => {
                let ptr = usize::from(be16(msg, at)? & 0x3FFF);
                after.get_or_insert(at + 2);
                at = ptr;
            }
            _ => return None,
        }
    }
    None
}

/// Reads one DNS message into `f`: the first query's question, or a response's code, question
/// (when no query was seen) and answers.
fn dns(msg: &[u8], f: &mut AppFields) -> Option<()> {
    let flags = be16(msg, 2)?;
    let response = flags & 0x8000 != 0;
    let qd = be16(msg, 4)?;
    let an = be16(msg, 6)?;
    let mut at = 12;
    if qd == 0 {
        if response {
            f.dns_rcode = Some((flags & 0x000F) as u8);
        }
        return Some(());
    }
    let (qname, next) = dns_name(msg, at)?;
    let qtype = be16(msg, next)?;
    if f.dns_query.is_none() {
        f.dns_query = Some(qname);
        f.dns_qtype = Some(qtype);
    }
    if !response {
        return Some(());
    }
    f.dns_rcode = Some((flags & 0x000F) as u8);
    at = next + 4;
    for _ in 1..qd {
        let (_, n) = dns_name(msg, at)?;
        at = n + 4;
    }
    let mut answers: Vec<String> = Vec::new();
    for _ in 0..an.min(64) {
        let (_, n) = dns_name(msg, at)?;
        let rtype = be16(msg, n)?;
        let rdlen = usize::from(be16(msg, n + 8)?);
        let rdata = msg.get(n + 10..n + 10 + rdlen)?;
        let answer = match (rtype, rdata.len()) {
            (1, 4) => {
                Some(std::net::Ipv4Addr::new(rdata[0], rdata[1], rdata[2], rdata[3]).to_string())
            }
            (28, 16) => {
                let mut a = [0u8; 16];
                a.copy_from_slice(rdata);
                Some(std::net::Ipv6Addr::from(a).to_string())
            }
            (5, _) => dns_name(msg, n + 10).map(|(name, _)| name),
            _ => None,
        };
        if let Some(a) = answer {
            if answers.len() < MAX_ANSWERS {
                answers.push(a);
            }
        }
        at = n + 10 + rdlen;
    }
    if !answers.is_empty() {
        let mut joined = answers.join(",");
        joined.truncate(MAX_TEXT);
        f.dns_answers = Some(joined);
    }
    Some(())
}

// ---------------------------------------------------------------- TLS

enum Hello {
    /// More bytes of the record are needed.
    Incomplete,
    /// Not a ClientHello, or a damaged one.
    No,
    /// A complete ClientHello without a server name.
    NoSni,
    /// The server name.
    Sni(String),
}

/// The server name in a TLS record stream that starts with a ClientHello.
fn client_hello_sni(d: &[u8]) -> Hello {
    // Record header: type 22 (handshake), version 3.x, length.
    let Some(rec_len) = be16(d, 3) else {
        return Hello::Incomplete;
    };
    if d[0] != 0x16 || d[1] != 3 {
        return Hello::No;
    }
    let Some(&hs_type) = d.get(5) else {
        return Hello::Incomplete;
    };
    if hs_type != 1 {
        return Hello::No;
    }
    let Some(hs_len) = be24(d, 6) else {
        return Hello::Incomplete;
    };
    // The handshake message may continue in the next record; read the bytes of this message
    // that are in the first record, or in the data when it is one message over several records
    // (rare: only the first record's body is used).
    let body_end = 9 + hs_len.min(usize::from(rec_len).saturating_sub(4));
    if d.len() < body_end {
        return Hello::Incomplete;
    }
    let h = &d[9..body_end];
    parse_hello(h).unwrap_or(Hello::No)
}

fn parse_hello(h: &[u8]) -> Option<Hello> {
    // client_version (2), random (32), session id.
    let mut at = 34;
    at += 1 + usize::from(*h.get(at)?);
    at += 2 + usize::from(be16(h, at)?); // cipher suites
    at += 1 + usize::from(*h.get(at)?); // compression methods
    let Some(ext_len) = be16(h, at) else {
        return Some(Hello::NoSni);
    };
    at += 2;
    let end = (at + usize::from(ext_len)).min(h.len());
    while at + 4 <= end {
        let ty = be16(h, at)?;
        let len = usize::from(be16(h, at + 2)?);
        let data = h.get(at + 4..at + 4 + len)?;
        if ty == 0 {
            // server_name_list: length, then (type, length, name) entries; type 0 is host_name.
            let mut p = 2;
            while p + 3 <= data.len() {
                let n = usize::from(be16(data, p + 1)?);
                let name = data.get(p + 3..p + 3 + n)?;
                if data[p] == 0 {
                    return Some(Hello::Sni(text(name)));
                }
                p += 3 + n;
            }
        }
        at += 4 + len;
    }
    Some(Hello::NoSni)
}

// ---------------------------------------------------------------- HTTP

const METHODS: [&str; 9] = [
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
];

/// Reads the request line and the `Host` header of an HTTP/1.x request, looking at most at
/// the first 4 KiB.
fn http_request(data: &[u8], f: &mut AppFields) {
    let data = &data[..data.len().min(4096)];
    let Some(sp) = data.iter().position(|&b| b == b' ') else {
        return;
    };
    let Some(method) = METHODS.iter().find(|m| m.as_bytes() == &data[..sp]) else {
        return;
    };
    let line_end = data
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(data.len());
    let line = &data[sp + 1..line_end.max(sp + 1)];
    let target = match line.iter().rposition(|&b| b == b' ') {
        Some(i) if line[i + 1..].starts_with(b"HTTP/") => &line[..i],
        _ => line,
    };
    f.http_method = Some((*method).to_owned());
    if !target.is_empty() {
        f.http_path = Some(text(target));
    }
    let mut rest = data.get(line_end + 2..).unwrap_or(&[]);
    while !rest.is_empty() {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(rest.len());
        let header = &rest[..end];
        if header.is_empty() {
            break;
        }
        if header.len() > 5 && header[..5].eq_ignore_ascii_case(b"host:") {
            let v = header[5..].trim_ascii();
            if !v.is_empty() {
                f.http_host = Some(text(v));
            }
            break;
        }
        rest = rest.get(end + 2..).unwrap_or(&[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DNS query for `name` of type `qtype`, or its response with `rcode` and A answers.
    pub(crate) fn dns_msg(name: &str, qtype: u16, response: Option<(u8, &[[u8; 4]])>) -> Vec<u8> {
        let mut m = vec![0x12, 0x34];
        let (flags, an) = match response {
            None => (0x0100u16, 0),
            Some((rcode, a)) => (0x8180 | u16::from(rcode), a.len() as u16),
        };
        m.extend_from_slice(&flags.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        m.extend_from_slice(&an.to_be_bytes());
        m.extend_from_slice(&[0, 0, 0, 0]);
        for label in name.split('.') {
            m.push(label.len() as u8);
            m.extend_from_slice(label.as_bytes());
        }
        m.push(0);
        m.extend_from_slice(&qtype.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        for a in response.map_or(&[][..], |r| r.1) {
            m.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            m.extend_from_slice(a);
        }
        m
    }

    #[test]
    fn a_dns_query_then_its_response_fill_the_dns_fields() {
        let mut s = Sniffer::new(17, 40000, 53).unwrap();
        s.payload(true, &dns_msg("www.example.com", 1, None));
        assert!(!s.done());
        s.payload(
            false,
            &dns_msg(
                "www.example.com",
                1,
                Some((0, &[[93, 184, 216, 34], [1, 2, 3, 4]])),
            ),
        );
        assert!(s.done());
        let f = s.finish().unwrap();
        assert_eq!(f.dns_query.as_deref(), Some("www.example.com"));
        assert_eq!((f.dns_qtype, f.dns_rcode), (Some(1), Some(0)));
        assert_eq!(f.dns_answers.as_deref(), Some("93.184.216.34,1.2.3.4"));
    }

    #[test]
    fn dns_pointer_loops_and_cut_messages_give_nothing_and_do_not_panic() {
        let mut m = dns_msg("a.b", 16, None);
        m[12] = 0xC0;
        m[13] = 12; // the name points at itself
        let mut f = AppFields::default();
        assert_eq!(dns(&m, &mut f), None);
        let full = dns_msg("x.example.org", 16, Some((3, &[])));
        for n in 0..full.len() {
            let mut f = AppFields::default();
            let _ = dns(&full[..n], &mut f);
        }
        let mut f = AppFields::default();
        dns(&full, &mut f);
        assert_eq!(f.dns_rcode, Some(3));
        assert_eq!(dns_rcode_name(3), "NXDOMAIN");
        assert_eq!(dns_type_name(16), "TXT");
    }

    /// A minimal TLS 1.2 ClientHello record carrying `sni`.
    pub(crate) fn client_hello(sni: &str) -> Vec<u8> {
        let mut ext = Vec::new();
        let n = sni.len() as u16;
        ext.extend_from_slice(&[0, 0]);
        ext.extend_from_slice(&(n + 5).to_be_bytes());
        ext.extend_from_slice(&(n + 3).to_be_bytes());
        ext.push(0);
        ext.extend_from_slice(&n.to_be_bytes());
        ext.extend_from_slice(sni.as_bytes());
        ext.extend_from_slice(&[0, 23, 0, 0]); // extended_master_secret, empty
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.push(0);
        body.extend_from_slice(&[0, 2, 0xC0, 0x2F, 1, 0]);
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
        let mut hs = vec![1, 0, (body.len() >> 8) as u8, body.len() as u8];
        hs.extend_from_slice(&body);
        let mut rec = vec![0x16, 3, 1];
        rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn the_sni_is_read_from_a_client_hello_split_over_segments() {
        let hello = client_hello("api.example.net");
        let mut s = Sniffer::new(6, 50000, 443).unwrap();
        s.payload(true, &hello[..20]);
        assert!(!s.done());
        s.payload(false, b"ignored: server bytes");
        s.payload(true, &hello[20..]);
        assert!(s.done());
        assert_eq!(
            s.finish().unwrap().tls_sni.as_deref(),
            Some("api.example.net")
        );
        for n in 0..hello.len() {
            let _ = client_hello_sni(&hello[..n]);
        }
    }

    #[test]
    fn an_http_request_gives_method_host_and_path() {
        let mut s = Sniffer::new(6, 50000, 80).unwrap();
        s.payload(
            true,
            b"GET /index.html?q=1 HTTP/1.1\r\nUser-Agent: x\r\nHOST:  example.com:8080 \r\n\r\n",
        );
        assert!(s.done());
        let f = s.finish().unwrap();
        assert_eq!(f.http_method.as_deref(), Some("GET"));
        assert_eq!(f.http_path.as_deref(), Some("/index.html?q=1"));
        assert_eq!(f.http_host.as_deref(), Some("example.com:8080"));
        let mut s = Sniffer::new(6, 50000, 22).unwrap();
        s.payload(true, b"SSH-2.0-OpenSSH_9.6\r\n");
        assert!(s.done());
        assert_eq!(s.finish(), None);
    }
}
