//! Application fields and ARP from captures: a small capture builder (DNS, TLS ClientHello,
//! HTTP, login sessions, ARP), the fields read into flows and tables, and tshark's agreement on
//! DNS names, TLS server names and HTTP hosts for every capture fixture and generated capture.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use etherparse::PacketBuilder;
use netsift::engine::data::Values;
use netsift::engine::ingest::capture::arp::{mac_string, ARP_REPLY, ARP_REQUEST};
use netsift::engine::ingest::capture::generate::{generate_capture, CaptureGenParams, PcapWriter};
use netsift::engine::ingest::capture::{
    flows_to_table, read_flows_from_bytes, AppFields, FlowConfig,
};

/// Capture start (2024-01-01T00:00:00Z), ns.
pub(crate) const T0: i64 = 1_704_067_200_000_000_000;
/// One second in ns.
pub(crate) const S: i64 = 1_000_000_000;

pub(crate) fn mac(ip: [u8; 4]) -> [u8; 6] {
    [2, 0, ip[0], ip[1], ip[2], ip[3]]
}

/// Frames with their times, written sorted by time as an Ethernet pcap.
#[derive(Default)]
pub(crate) struct Cap {
    frames: Vec<(i64, u64, Vec<u8>)>,
}

impl Cap {
    fn push(&mut self, t: i64, frame: Vec<u8>) {
        let order = self.frames.len() as u64;
        self.frames.push((t, order, frame));
    }

    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut f: Vec<&(i64, u64, Vec<u8>)> = self.frames.iter().collect();
        f.sort_by_key(|x| (x.0, x.1));
        let mut w = PcapWriter::new(1, 65_535, true, false);
        for (t, _, frame) in f {
            w.record(*t, frame);
        }
        w.into_bytes()
    }

    pub(crate) fn udp(
        &mut self,
        t: i64,
        (src, sp): ([u8; 4], u16),
        (dst, dp): ([u8; 4], u16),
        data: &[u8],
    ) {
        let mut v = Vec::new();
        PacketBuilder::ethernet2(mac(src), mac(dst))
            .ipv4(src, dst, 64)
            .udp(sp, dp)
            .write(&mut v, data)
            .unwrap();
        self.push(t, v);
    }

    #[allow(clippy::too_many_arguments)]
    fn tcp(
        &mut self,
        t: i64,
        (src, sp): ([u8; 4], u16),
        (dst, dp): ([u8; 4], u16),
        seq: u32,
        ack: Option<u32>,
        flags: &str,
        data: &[u8],
    ) {
        let mut b = PacketBuilder::ethernet2(mac(src), mac(dst))
            .ipv4(src, dst, 64)
            .tcp(sp, dp, seq, 64_240);
        for f in flags.chars() {
            b = match f {
                'S' => b.syn(),
                'F' => b.fin(),
                'R' => b.rst(),
                'P' => b.psh(),
                _ => b,
            };
        }
        if let Some(a) = ack {
            b = b.ack(a);
        }
        let mut v = Vec::new();
        b.write(&mut v, data).unwrap();
        self.push(t, v);
    }

    /// A whole TCP connection from `t`: handshake, the segments (`true` = from the client), each
    /// 1 ms apart, and a FIN exchange. Returns the time of its last packet.
    pub(crate) fn session(
        &mut self,
        t: i64,
        c: ([u8; 4], u16),
        s: ([u8; 4], u16),
        segments: &[(bool, &[u8])],
    ) -> i64 {
        let ms = 1_000_000;
        let (mut cs, mut ss) = (1000u32, 5000u32);
        self.tcp(t, c, s, cs, None, "S", &[]);
        self.tcp(t + ms, s, c, ss, Some(cs + 1), "S", &[]);
        cs += 1;
        ss += 1;
        self.tcp(t + 2 * ms, c, s, cs, Some(ss), "", &[]);
        let mut at = t + 3 * ms;
        for &(from_client, data) in segments {
            if from_client {
                self.tcp(at, c, s, cs, Some(ss), "P", data);
                cs += data.len() as u32;
            } else {
                self.tcp(at, s, c, ss, Some(cs), "P", data);
                ss += data.len() as u32;
            }
            at += ms;
        }
        self.tcp(at, c, s, cs, Some(ss), "F", &[]);
        self.tcp(at + ms, s, c, ss, Some(cs + 1), "F", &[]);
        self.tcp(at + 2 * ms, c, s, cs + 1, Some(ss + 1), "", &[]);
        at + 2 * ms
    }

    /// A DNS query from `client:port` to `server:53` and, `ms` later, its answer with `rcode`
    /// and A records (none for NXDOMAIN).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn dns(
        &mut self,
        t: i64,
        client: [u8; 4],
        port: u16,
        server: [u8; 4],
        name: &str,
        qtype: u16,
        rcode: u8,
        answers: &[[u8; 4]],
    ) {
        self.udp(
            t,
            (client, port),
            (server, 53),
            &dns_msg(port, name, qtype, None),
        );
        self.udp(
            t + 2_000_000,
            (server, 53),
            (client, port),
            &dns_msg(port, name, qtype, Some((rcode, answers))),
        );
    }

    /// An Ethernet/IPv4 ARP packet.
    pub(crate) fn arp(
        &mut self,
        t: i64,
        op: u16,
        (smac, sip): ([u8; 6], [u8; 4]),
        (tmac, tip): ([u8; 6], [u8; 4]),
    ) {
        let dst = if op == ARP_REQUEST { [0xff; 6] } else { tmac };
        let mut f = dst.to_vec();
        f.extend_from_slice(&smac);
        f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4]);
        f.extend_from_slice(&op.to_be_bytes());
        f.extend_from_slice(&smac);
        f.extend_from_slice(&sip);
        f.extend_from_slice(&tmac);
        f.extend_from_slice(&tip);
        f.resize(60, 0); // Ethernet minimum frame, padded as on the wire
        self.push(t, f);
    }
}

/// A DNS message: a query for `name`, or with `response` its answer (rcode, A records).
pub(crate) fn dns_msg(
    id: u16,
    name: &str,
    qtype: u16,
    response: Option<(u8, &[[u8; 4]])>,
) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    let (flags, an) = match response {
        None => (0x0100u16, 0u16),
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

/// A TLS 1.2 ClientHello record with `sni`, padded with a padding extension (RFC 7685) to
/// about `pad` bytes so that it can span segments.
pub(crate) fn client_hello(sni: &str, pad: usize) -> Vec<u8> {
    let mut ext = Vec::new();
    let n = sni.len() as u16;
    ext.extend_from_slice(&[0, 0]);
    ext.extend_from_slice(&(n + 5).to_be_bytes());
    ext.extend_from_slice(&(n + 3).to_be_bytes());
    ext.push(0);
    ext.extend_from_slice(&n.to_be_bytes());
    ext.extend_from_slice(sni.as_bytes());
    ext.extend_from_slice(&[0, 21]);
    ext.extend_from_slice(&(pad as u16).to_be_bytes());
    ext.extend(std::iter::repeat_n(0u8, pad));
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

pub(crate) fn http_get(host: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n")
        .into_bytes()
}

/// Ordinary office traffic of `hosts` clients 10.0.0.10.. over `minutes`: web over TLS and
/// HTTP, DNS lookups that mostly succeed, an SSH session and a mail poll per client.
pub(crate) fn benign(cap: &mut Cap, t0: i64, hosts: u8, minutes: i64) {
    let resolver = [10, 0, 0, 2];
    let sites = [
        "www.example.com",
        "mail.example.org",
        "cdn.assets.example.net",
        "news.example.co.uk",
        "login.example.com",
    ];
    let mut port = 30_000u16;
    for m in 0..minutes {
        for h in 0..hosts {
            let client = [10, 0, 0, 10 + h];
            let t = t0 + m * 60 * S + i64::from(h) * S;
            port += 1;
            let site = sites[(m as usize + usize::from(h)) % sites.len()];
            cap.dns(t, client, port, resolver, site, 1, 0, &[[93, 184, 216, 34]]);
            let server = [93, 184, 216, 34 + (h % 3)];
            port += 1;
            cap.session(
                t + S / 10,
                (client, port),
                (server, 443),
                &[
                    (true, &client_hello(site, 64)),
                    (false, &[0x16, 3, 3, 0, 4, 2, 0, 0, 0]),
                    (false, &[0x17; 700]),
                ],
            );
            if m % 5 == 0 {
                port += 1;
                cap.session(
                    t + S / 5,
                    (client, port),
                    ([10, 0, 0, 3], 143),
                    &[
                        (false, b"* OK IMAP ready\r\n"),
                        (true, b"a1 LOGIN user pass\r\n"),
                        (false, b"a1 OK\r\n"),
                    ],
                );
                port += 1;
                cap.session(
                    t + S / 3,
                    (client, port),
                    ([198, 51, 100, 5], 80),
                    &[
                        (true, &http_get("updates.example.com", "/check?v=1")),
                        (false, b"HTTP/1.1 204 No Content\r\n\r\n"),
                    ],
                );
            }
            if m % 7 == 3 {
                // A mistyped name now and then.
                port += 1;
                cap.dns(
                    t + S / 2,
                    client,
                    port,
                    resolver,
                    &format!("wwww{m}.example.com"),
                    1,
                    3,
                    &[],
                );
            }
        }
    }
    // One long SSH session and the ARP of a quiet LAN: requests and the right replies.
    let admin = [10, 0, 0, 10];
    let mut segs: Vec<(bool, &[u8])> = vec![
        (true, b"SSH-2.0-OpenSSH_9.6\r\n"),
        (false, b"SSH-2.0-OpenSSH_9.6\r\n"),
    ];
    let payload = [0u8; 4000];
    segs.extend(std::iter::repeat_n((true, &payload[..]), 5));
    cap.session(t0 + 5 * S, (admin, 50_022), ([10, 0, 0, 4], 22), &segs);
    let gw = [10, 0, 0, 1];
    for m in 0..minutes {
        for h in 0..hosts {
            let client = [10, 0, 0, 10 + h];
            let t = t0 + m * 60 * S + 30 * S + i64::from(h) * S;
            cap.arp(t, ARP_REQUEST, (mac(client), client), ([0; 6], gw));
            cap.arp(
                t + 1_000_000,
                ARP_REPLY,
                (mac(gw), gw),
                (mac(client), client),
            );
        }
    }
}

/// One capture with every application protocol the reader knows, and ARP.
fn app_capture() -> Vec<u8> {
    let mut cap = Cap::default();
    let (c, r) = ([10, 0, 0, 10], [10, 0, 0, 2]);
    cap.dns(
        T0,
        c,
        40_001,
        r,
        "www.example.com",
        1,
        0,
        &[[93, 184, 216, 34], [93, 184, 216, 35]],
    );
    cap.dns(T0 + S, c, 40_002, r, "nothere.example.org", 28, 3, &[]);
    cap.dns(
        T0 + 2 * S,
        c,
        40_003,
        r,
        "k2f9a.tunnel.example.net",
        16,
        0,
        &[],
    );
    // A ClientHello in one segment, and one of ~3 kB split over three segments.
    cap.session(
        T0 + 3 * S,
        (c, 50_001),
        ([93, 184, 216, 34], 443),
        &[(true, &client_hello("api.example.com", 16))],
    );
    let big = client_hello("big-hello.example.com", 3000);
    cap.session(
        T0 + 4 * S,
        (c, 50_002),
        ([93, 184, 216, 35], 443),
        &[
            (true, &big[..1400]),
            (true, &big[1400..2800]),
            (true, &big[2800..]),
        ],
    );
    cap.session(
        T0 + 5 * S,
        (c, 50_003),
        ([198, 51, 100, 7], 80),
        &[
            (true, &http_get("intranet.example.com", "/login?next=%2F")),
            (false, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ],
    );
    cap.session(
        T0 + 6 * S,
        (c, 50_004),
        ([10, 0, 0, 4], 22),
        &[(true, b"SSH-2.0-x\r\n")],
    );
    cap.arp(
        T0 + 7 * S,
        ARP_REQUEST,
        (mac(c), c),
        ([0; 6], [10, 0, 0, 1]),
    );
    cap.arp(
        T0 + 7 * S + 1000,
        ARP_REPLY,
        (mac([10, 0, 0, 1]), [10, 0, 0, 1]),
        (mac(c), c),
    );
    cap.bytes()
}

#[test]
fn dns_tls_and_http_fields_land_in_their_flows_and_columns() {
    let cf = read_flows_from_bytes(&app_capture(), FlowConfig::default()).unwrap();
    let app = |port: u16| {
        cf.flows
            .iter()
            .find(|f| f.src_port == port)
            .and_then(|f| f.app.as_deref().cloned())
            .unwrap_or_default()
    };
    let a = app(40_001);
    assert_eq!(a.dns_query.as_deref(), Some("www.example.com"));
    assert_eq!((a.dns_qtype, a.dns_rcode), (Some(1), Some(0)));
    assert_eq!(
        a.dns_answers.as_deref(),
        Some("93.184.216.34,93.184.216.35")
    );
    assert_eq!(
        (app(40_002).dns_qtype, app(40_002).dns_rcode),
        (Some(28), Some(3))
    );
    assert_eq!(app(50_001).tls_sni.as_deref(), Some("api.example.com"));
    assert_eq!(
        app(50_002).tls_sni.as_deref(),
        Some("big-hello.example.com"),
        "reassembled over 3 segments"
    );
    let h = app(50_003);
    assert_eq!(
        (
            h.http_method.as_deref(),
            h.http_host.as_deref(),
            h.http_path.as_deref()
        ),
        (
            Some("GET"),
            Some("intranet.example.com"),
            Some("/login?next=%2F")
        )
    );
    assert!(app(50_004).is_empty(), "SSH carries nothing read");

    let t = flows_to_table(&cf.flows);
    let col = |name: &str| t.columns.iter().find(|c| c.name == name).map(|c| &c.values);
    let Some(Values::Categorical { levels, .. }) = col("dns_rcode") else {
        panic!("no dns_rcode column")
    };
    assert_eq!(levels, &["NOERROR", "NXDOMAIN"]);
    let Some(Values::Categorical { levels, .. }) = col("dns_qtype") else {
        panic!("no dns_qtype column")
    };
    assert_eq!(levels, &["A", "AAAA", "TXT"]);
    let sni = col("tls_sni").unwrap();
    assert_eq!(
        (0..t.n_rows())
            .filter(|&r| !sni.display(r).is_empty())
            .count(),
        2,
        "missing elsewhere"
    );

    assert_eq!(cf.arp.records.len(), 2);
    let reply = cf.arp.records[1];
    assert_eq!(
        (reply.op, reply.sender_ip),
        (ARP_REPLY, Ipv4Addr::new(10, 0, 0, 1))
    );
    assert_eq!(mac_string(&reply.sender_mac), "02:00:0a:00:00:01");
    assert_eq!(
        cf.stats.not_ip, 2,
        "ARP is still not IP for the flow counts"
    );
}

#[test]
fn a_snaplen_cut_dns_answer_keeps_the_question_without_panicking() {
    let mut cap = Cap::default();
    cap.dns(
        T0,
        [10, 0, 0, 10],
        40_001,
        [10, 0, 0, 2],
        "www.example.com",
        1,
        0,
        &[[1, 2, 3, 4]],
    );
    let full = cap.bytes();
    // Re-write the same frames with a 60-byte snaplen: the answer (and the question) are cut.
    let mut w = PcapWriter::new(1, 60, true, false);
    let mut at = 24;
    while at + 16 <= full.len() {
        let cap_len = u32::from_le_bytes(full[at + 8..at + 12].try_into().unwrap()) as usize;
        let ts = i64::from(u32::from_le_bytes(full[at..at + 4].try_into().unwrap())) * S
            + i64::from(u32::from_le_bytes(full[at + 4..at + 8].try_into().unwrap()));
        w.record(ts, &full[at + 16..at + 16 + cap_len]);
        at += 16 + cap_len;
    }
    let cf = read_flows_from_bytes(&w.into_bytes(), FlowConfig::default()).unwrap();
    assert_eq!(cf.flows.len(), 1);
    assert!(
        cf.flows[0].app.is_none(),
        "a question cut mid-name is not guessed"
    );
}

// ---------------------------------------------------------------- tshark

type Getter = fn(&AppFields) -> Option<String>;

/// The distinct values of one tshark field, taking the first value of each TCP or UDP
/// conversation (netsift reads the first exchange of a flow; a flow that reuses its ports for
/// several DNS queries keeps the first).
fn tshark_values(path: &std::path::Path, field: &str) -> BTreeSet<String> {
    let o = std::process::Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-T",
            "fields",
            "-E",
            "occurrence=f",
            "-e",
            "tcp.stream",
            "-e",
            "udp.stream",
            "-e",
            field,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut seen = BTreeSet::new();
    let mut values = BTreeSet::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let mut cols = line.split('\t');
        let (tcp, udp, value) = (
            cols.next().unwrap_or(""),
            cols.next().unwrap_or(""),
            cols.next().unwrap_or("").trim(),
        );
        if value.is_empty() {
            continue;
        }
        if seen.insert((tcp.to_owned(), udp.to_owned())) {
            values.insert(value.to_owned());
        }
    }
    values
}

#[test]
fn tshark_agrees_on_dns_names_sni_and_http_hosts() {
    let Ok(out) = std::process::Command::new("tshark").arg("-v").output() else {
        eprintln!("NOTICE: tshark not installed; skipping the tshark cross-check");
        return;
    };
    assert!(out.status.success());
    let dir = std::env::temp_dir().join(format!("netsift-app-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for sub in ["network", "pcap"] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(sub))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        names.sort();
        for p in names {
            files.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    assert!(files.len() >= 4, "the committed capture fixtures");
    files.push(("app.pcap".into(), app_capture()));
    let mut office = Cap::default();
    benign(&mut office, T0, 3, 8);
    files.push(("benign.pcap".into(), office.bytes()));
    let generated = generate_capture(&CaptureGenParams {
        seed: 9,
        ..Default::default()
    })
    .unwrap();
    files.push(("generated.pcap".into(), generated.bytes));
    for (checked, (name, bytes)) in files.iter().enumerate() {
        let path = dir.join(format!("f{checked}.pcap"));
        std::fs::write(&path, bytes).unwrap();
        let cf = read_flows_from_bytes(bytes, FlowConfig::default()).unwrap();
        let ours = |get: Getter| -> BTreeSet<String> {
            cf.flows
                .iter()
                .filter_map(|f| f.app.as_deref().and_then(get))
                .collect()
        };
        let fields: [(&str, Getter); 3] = [
            ("dns.qry.name", |a| a.dns_query.clone()),
            ("tls.handshake.extensions_server_name", |a| {
                a.tls_sni.clone()
            }),
            ("http.host", |a| a.http_host.clone()),
        ];
        for (field, get) in fields {
            assert_eq!(ours(get), tshark_values(&path, field), "{name}: {field}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
