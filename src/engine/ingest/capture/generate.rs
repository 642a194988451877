//! Seeded synthetic packet captures with ground truth: real classic-pcap bytes (Ethernet + IPv4 +
//! TCP/UDP/ICMP, valid header checksums, written with `etherparse`'s packet builder) of normal
//! client/server traffic plus five attacks, each from known hosts in a known time window.
//!
//! | traffic | hosts | shape |
//! |---|---|---|
//! | web (normal) | clients 10.0.0.10–59 → 10.0.1.10/11, 93.184.216.34, 151.101.1.69 : 80 (HTTP) / 443 (TLS records) | handshake, request, 1–8 response segments, FIN close |
//! | DNS (normal) | clients → 10.0.1.53:53/udp | one query, one A answer |
//! | SSH (normal) | clients → 10.0.1.22:22 | banners, then keystroke/echo traffic for 1–5 min, FIN close |
//! | ping (normal) | clients → 10.0.2.x | 3–6 ICMP echo request/reply pairs |
//! | port scan | 198.51.100.66 → 10.0.1.10, ports 1..=`scan_ports` | SYN scan from one source port, at 10 % of the capture; open ports (22, 80, 443) answer SYN+ACK and get a RST, closed ones answer RST+ACK |
//! | SYN flood | spoofed 100.64.0.0/10 → 10.0.1.11:80 | `syn_flood_pkts` bare SYNs in 5 s at 30 % |
//! | DDoS | `ddos_bots` bots 172.16.x.y → 10.0.1.53:53/udp | random-subdomain DNS query flood, 20 queries/s per bot, at 50 % |
//! | exfiltration | 10.0.0.77 → 203.0.113.200:443 | `exfil_bytes` uploaded in TLS-record segments over ~80 s, at 70 % |
//! | beaconing | 10.0.0.88 → 198.51.100.23:80 | a tiny HTTP exchange every `beacon_interval_s` (±1 %) |
//!
//! Every generated conversation is exactly one flow under the default [`FlowConfig`](super::FlowConfig)
//! (unique client ports, no idle gap ≥ 120 s, TCP sessions end with FIN/ACK or RST), and
//! [`GeneratedCapture::truth`] lists them: 5-tuple, first-packet time, packet count and kind.
//!
//! ```
//! use netsift::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
//! let cap = generate_capture(&CaptureGenParams { seed: 7, ..Default::default() }).unwrap();
//! assert!(cap.packets > 2000);
//! assert!(cap.truth.iter().any(|t| t.kind.is_attack()));
//! ```

use std::net::{IpAddr, Ipv4Addr};

use etherparse::PacketBuilder;
use serde::{Deserialize, Serialize};

use crate::engine::error::ParamError;
use crate::engine::rng::{self, EngineRng};

/// What the generator produces and how much of it. Counts of 0 switch a kind off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureGenParams {
    /// PRNG seed: the same seed gives the same bytes.
    pub seed: u64,
    /// Capture start, seconds since the epoch. Default 1,700,000,000 (2023-11-14).
    pub start_s: u32,
    /// Capture length in seconds. Default 600.
    pub duration_s: f64,
    /// Normal web sessions. Default 150.
    pub web_sessions: u32,
    /// Normal DNS lookups. Default 200.
    pub dns_queries: u32,
    /// Normal SSH sessions. Default 4.
    pub ssh_sessions: u32,
    /// Normal ping sessions. Default 10.
    pub pings: u32,
    /// Ports probed by the port scan (1..=n). Default 200.
    pub scan_ports: u16,
    /// SYNs in the SYN flood. Default 500.
    pub syn_flood_pkts: u32,
    /// Hosts in the DDoS. Default 40.
    pub ddos_bots: u32,
    /// Queries sent by each DDoS host. Default 25.
    pub ddos_pkts_per_bot: u32,
    /// Bytes exfiltrated. Default 2,000,000.
    pub exfil_bytes: u64,
    /// Seconds between beacons (0 = none). Default 30.
    pub beacon_interval_s: f64,
    /// Bytes of each frame stored (the rest is cut as by `tcpdump -s`). Default 65,535.
    pub snaplen: u32,
}

impl Default for CaptureGenParams {
    fn default() -> Self {
        Self {
            seed: 0,
            start_s: 1_700_000_000,
            duration_s: 600.0,
            web_sessions: 150,
            dns_queries: 200,
            ssh_sessions: 4,
            pings: 10,
            scan_ports: 200,
            syn_flood_pkts: 500,
            ddos_bots: 40,
            ddos_pkts_per_bot: 25,
            exfil_bytes: 2_000_000,
            beacon_interval_s: 30.0,
            snaplen: 65_535,
        }
    }
}

impl CaptureGenParams {
    /// Checks the ranges: duration in [60, 86 400] s, snaplen ≥ 64, beacon interval 0 or in
    /// [1, 3600] s, at most 65,536 DDoS hosts, 4,194,304 flood SYNs and 1 GB exfiltrated.
    pub fn validate(&self) -> Result<(), ParamError> {
        if !(self.duration_s.is_finite() && (60.0..=86_400.0).contains(&self.duration_s)) {
            return Err(ParamError::new(
                "duration_s",
                format!("must be in [60, 86400] seconds, got {}", self.duration_s),
            ));
        }
        if self.snaplen < 64 {
            return Err(ParamError::new(
                "snaplen",
                format!("must be at least 64 bytes, got {}", self.snaplen),
            ));
        }
        let b = self.beacon_interval_s;
        if !(b == 0.0 || (b.is_finite() && (1.0..=3600.0).contains(&b))) {
            return Err(ParamError::new(
                "beacon_interval_s",
                format!("must be 0 or in [1, 3600] seconds, got {b}"),
            ));
        }
        if self.exfil_bytes > 1_000_000_000 {
            return Err(ParamError::new(
                "exfil_bytes",
                format!("at most 1000000000, got {}", self.exfil_bytes),
            ));
        }
        if self.ddos_bots > 1 << 16 {
            return Err(ParamError::new(
                "ddos_bots",
                format!("at most 65536, got {}", self.ddos_bots),
            ));
        }
        if self.syn_flood_pkts > 1 << 22 {
            return Err(ParamError::new(
                "syn_flood_pkts",
                format!("at most 4194304, got {}", self.syn_flood_pkts),
            ));
        }
        Ok(())
    }
}

/// What a generated conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TrafficKind {
    /// Normal HTTP/TLS session.
    Web,
    /// Normal DNS lookup.
    Dns,
    /// Normal interactive SSH.
    Ssh,
    /// Normal ICMP echo.
    Ping,
    /// One probe of a port scan.
    PortScan,
    /// One spoofed SYN of a SYN flood.
    SynFlood,
    /// One bot's share of a DDoS.
    Ddos,
    /// Large outbound upload.
    Exfiltration,
    /// One periodic call-home.
    Beaconing,
}

impl TrafficKind {
    /// True for the attack kinds.
    pub fn is_attack(self) -> bool {
        !matches!(
            self,
            TrafficKind::Web | TrafficKind::Dns | TrafficKind::Ssh | TrafficKind::Ping
        )
    }

    /// The label: `normal` for normal kinds, else the attack's name (`port_scan`, `syn_flood`,
    /// `ddos`, `exfiltration`, `beaconing`).
    pub fn label(self) -> &'static str {
        match self {
            TrafficKind::Web | TrafficKind::Dns | TrafficKind::Ssh | TrafficKind::Ping => "normal",
            TrafficKind::PortScan => "port_scan",
            TrafficKind::SynFlood => "syn_flood",
            TrafficKind::Ddos => "ddos",
            TrafficKind::Exfiltration => "exfiltration",
            TrafficKind::Beaconing => "beaconing",
        }
    }
}

/// One generated conversation: the flow it must become.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthFlow {
    /// Sender of the first packet.
    pub src_ip: IpAddr,
    /// Receiver of the first packet.
    pub dst_ip: IpAddr,
    /// Source port (0 for ICMP).
    pub src_port: u16,
    /// Destination port (0 for ICMP).
    pub dst_port: u16,
    /// IP protocol number.
    pub protocol: u8,
    /// First packet, ns since the epoch (microsecond resolution).
    pub start_ns: i64,
    /// Packets in both directions.
    pub packets: u64,
    /// What it is.
    pub kind: TrafficKind,
}

/// A generated capture.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedCapture {
    /// Classic little-endian microsecond pcap, link type Ethernet.
    pub bytes: Vec<u8>,
    /// One entry per conversation, sorted by start time.
    pub truth: Vec<TruthFlow>,
    /// Packets written.
    pub packets: u64,
}

/// Writes classic pcap files: a header, then one record per frame.
#[derive(Debug, Clone)]
pub struct PcapWriter {
    bytes: Vec<u8>,
    snaplen: u32,
    nanos: bool,
    big_endian: bool,
}

impl PcapWriter {
    /// A file of LINKTYPE `link_type`, storing at most `snaplen` bytes per frame, with
    /// nanosecond or microsecond timestamps, in either byte order.
    pub fn new(link_type: u32, snaplen: u32, nanos: bool, big_endian: bool) -> Self {
        let mut w = Self {
            bytes: Vec::new(),
            snaplen,
            nanos,
            big_endian,
        };
        w.u32(if nanos { 0xA1B2_3C4D } else { 0xA1B2_C3D4 });
        w.u16(2);
        w.u16(4);
        w.u32(0);
        w.u32(0);
        w.u32(snaplen);
        w.u32(link_type);
        w
    }

    fn u32(&mut self, x: u32) {
        self.bytes.extend_from_slice(&if self.big_endian {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        });
    }

    fn u16(&mut self, x: u16) {
        self.bytes.extend_from_slice(&if self.big_endian {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        });
    }

    /// Appends one frame captured at `ts_ns` (cut to the snaplen; the record keeps the full length).
    pub fn record(&mut self, ts_ns: i64, frame: &[u8]) {
        let ts = ts_ns.max(0);
        let sec = (ts / 1_000_000_000) as u32;
        let sub = ts % 1_000_000_000;
        let frac = if self.nanos { sub } else { sub / 1000 } as u32;
        let cap = frame.len().min(self.snaplen as usize);
        self.u32(sec);
        self.u32(frac);
        self.u32(cap as u32);
        self.u32(frame.len() as u32);
        self.bytes.extend_from_slice(&frame[..cap]);
    }

    /// The file's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

const SYN: u8 = 0x02;
const FIN: u8 = 0x01;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

/// The bytes a packet carries, generated when the frame is written.
#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    /// `n` filler bytes.
    Fill(u16),
    /// One TLS application-data record of `n` bytes in all.
    Tls(u16),
    /// An HTTP GET for a path of `n` characters.
    HttpGet(u16),
    /// Bytes `[off, off + n)` of an HTTP response whose body is `body` bytes.
    HttpResp {
        body: u32,
        off: u32,
        n: u16,
    },
    /// A DNS query (`resp` = with one A answer) for name number `name`.
    Dns {
        id: u16,
        name: u32,
        resp: bool,
        torture: bool,
    },
    /// An SSH identification line.
    SshBanner(bool),
    /// An ICMP echo request or reply.
    Echo {
        id: u16,
        seq: u16,
        reply: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Event {
    ts_us: i64,
    order: u64,
    src: [u8; 4],
    dst: [u8; 4],
    sport: u16,
    dport: u16,
    proto: u8,
    flags: u8,
    seq: u32,
    ack: u32,
    body: Body,
}

const DNS_NAMES: [&str; 8] = [
    "example.com",
    "intranet.corp.example",
    "mail.example.org",
    "cdn.example.net",
    "updates.example.com",
    "api.example.io",
    "www.example.edu",
    "time.example.org",
];

fn http_head(body: u32) -> String {
    format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body}\r\n\r\n")
}

fn fill(out: &mut Vec<u8>, n: usize, salt: usize) {
    out.extend((0..n).map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789"[(i + salt) % 36]));
}

fn dns_name(out: &mut Vec<u8>, name: u32, torture: bool) {
    let mut push = |s: &str| {
        for label in s.split('.') {
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
    };
    if torture {
        push(&format!("x{name:08x}.victim-corp.example"));
    } else {
        push(DNS_NAMES[name as usize % DNS_NAMES.len()]);
    }
    out.push(0);
}

impl Body {
    fn write(&self, out: &mut Vec<u8>) {
        out.clear();
        match *self {
            Body::None => {}
            Body::Fill(n) => fill(out, usize::from(n), 0),
            Body::Tls(n) => {
                let n = usize::from(n).max(5);
                out.extend_from_slice(&[0x17, 0x03, 0x03]);
                out.extend_from_slice(&((n - 5) as u16).to_be_bytes());
                fill(out, n - 5, 3);
            }
            Body::HttpGet(n) => {
                out.extend_from_slice(b"GET /");
                fill(out, usize::from(n), 7);
                out.extend_from_slice(b" HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: netsift-gen\r\nAccept: */*\r\n\r\n");
            }
            Body::HttpResp { body, off, n } => {
                let head = http_head(body);
                let head = head.as_bytes();
                for i in off as usize..off as usize + usize::from(n) {
                    out.push(match head.get(i) {
                        Some(&b) => b,
                        None => b"<p>netsift</p>\n"[(i - head.len()) % 15],
                    });
                }
            }
            Body::Dns {
                id,
                name,
                resp,
                torture,
            } => {
                out.extend_from_slice(&id.to_be_bytes());
                out.extend_from_slice(if resp { &[0x81, 0x80] } else { &[0x01, 0x00] });
                out.extend_from_slice(&[0, 1, 0, u8::from(resp), 0, 0, 0, 0]);
                dns_name(out, name, torture);
                out.extend_from_slice(&[0, 1, 0, 1]);
                if resp {
                    out.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x01, 0x2C, 0, 4]);
                    out.extend_from_slice(&[93, 184, (name >> 8) as u8, name as u8]);
                }
            }
            Body::SshBanner(client) => out.extend_from_slice(if client {
                b"SSH-2.0-OpenSSH_9.6\r\n"
            } else {
                b"SSH-2.0-OpenSSH_8.9p1\r\n"
            }),
            Body::Echo { .. } => fill(out, 56, 11),
        }
    }

    /// Length without building the bytes (TCP sequence numbers need it).
    fn len(&self) -> u32 {
        let mut v = Vec::new();
        match *self {
            Body::None => 0,
            Body::Fill(n) | Body::HttpResp { n, .. } => u32::from(n),
            Body::Tls(n) => u32::from(n).max(5),
            _ => {
                self.write(&mut v);
                v.len() as u32
            }
        }
    }
}

/// Generator state: the PRNG, the events so far, the truth list.
struct Gen {
    rng: EngineRng,
    start_us: i64,
    events: Vec<Event>,
    truth: Vec<TruthFlow>,
    next_port: Vec<u16>,
}

/// One TCP conversation being written: keeps both sides' sequence numbers right.
struct Tcp {
    sess: u64,
    n: u64,
    c: ([u8; 4], u16),
    s: ([u8; 4], u16),
    cseq: u32,
    sseq: u32,
    t: i64,
}

impl Gen {
    fn us(&self, s: f64) -> i64 {
        self.start_us + (s * 1e6) as i64
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        rng::uniform_range(&mut self.rng, lo, hi)
    }

    fn below(&mut self, n: u64) -> u64 {
        rng::below(&mut self.rng, n.max(1))
    }

    /// A fresh ephemeral port for client number `c` (never reused within 28,000 sessions).
    fn port(&mut self, c: usize) -> u16 {
        let p = self.next_port[c];
        self.next_port[c] = if p >= 60_999 { 32_768 } else { p + 1 };
        p
    }

    #[allow(clippy::too_many_arguments)]
    fn begin(
        &mut self,
        src: [u8; 4],
        sport: u16,
        dst: [u8; 4],
        dport: u16,
        proto: u8,
        t: i64,
        kind: TrafficKind,
    ) -> u64 {
        self.truth.push(TruthFlow {
            src_ip: IpAddr::V4(Ipv4Addr::from(src)),
            dst_ip: IpAddr::V4(Ipv4Addr::from(dst)),
            src_port: sport,
            dst_port: dport,
            protocol: proto,
            start_ns: t * 1000,
            packets: 0,
            kind,
        });
        (self.truth.len() - 1) as u64
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        sess: u64,
        n: u64,
        t: i64,
        src: [u8; 4],
        sport: u16,
        dst: [u8; 4],
        dport: u16,
        proto: u8,
        flags: u8,
        seq: u32,
        ack: u32,
        body: Body,
    ) {
        if let Some(tr) = self.truth.get_mut(sess as usize) {
            tr.packets += 1;
        }
        self.events.push(Event {
            ts_us: t,
            order: (sess << 20) | n.min(0xF_FFFF),
            src,
            dst,
            sport,
            dport,
            proto,
            flags,
            seq,
            ack,
            body,
        });
    }

    fn tcp_open(&mut self, c: ([u8; 4], u16), s: ([u8; 4], u16), t: i64, kind: TrafficKind) -> Tcp {
        let sess = self.begin(c.0, c.1, s.0, s.1, 6, t, kind);
        let cseq = self.rng_u32();
        let sseq = self.rng_u32();
        Tcp {
            sess,
            n: 0,
            c,
            s,
            cseq,
            sseq,
            t,
        }
    }

    fn rng_u32(&mut self) -> u32 {
        self.below(1 << 32) as u32
    }

    /// Sends one segment `dt_us` after the previous one.
    fn seg(&mut self, tcp: &mut Tcp, from_client: bool, flags: u8, body: Body, dt_us: i64) {
        tcp.t += dt_us.max(0);
        let len = body.len();
        let bump = len + u32::from(flags & SYN != 0) + u32::from(flags & FIN != 0);
        let (src, dst, seq, ack) = if from_client {
            let s = tcp.cseq;
            tcp.cseq = tcp.cseq.wrapping_add(bump);
            (tcp.c, tcp.s, s, tcp.sseq)
        } else {
            let s = tcp.sseq;
            tcp.sseq = tcp.sseq.wrapping_add(bump);
            (tcp.s, tcp.c, s, tcp.cseq)
        };
        let ack = if flags & ACK != 0 { ack } else { 0 };
        self.emit(
            tcp.sess, tcp.n, tcp.t, src.0, src.1, dst.0, dst.1, 6, flags, seq, ack, body,
        );
        tcp.n += 1;
    }

    fn handshake(&mut self, tcp: &mut Tcp, rtt: i64) {
        self.seg(tcp, true, SYN, Body::None, 0);
        self.seg(tcp, false, SYN | ACK, Body::None, rtt);
        self.seg(tcp, true, ACK, Body::None, rtt);
    }

    fn close(&mut self, tcp: &mut Tcp, rtt: i64) {
        self.seg(tcp, true, FIN | ACK, Body::None, rtt);
        self.seg(tcp, false, FIN | ACK, Body::None, rtt);
        self.seg(tcp, true, ACK, Body::None, rtt);
    }

    fn web(&mut self, t: f64, c: usize, clients: &[[u8; 4]]) {
        const SERVERS: [[u8; 4]; 4] = [
            [10, 0, 1, 10],
            [10, 0, 1, 11],
            [93, 184, 216, 34],
            [151, 101, 1, 69],
        ];
        let server = SERVERS[self.below(4) as usize];
        let tls = self.below(10) < 3;
        let rtt = if server[0] == 10 {
            300 + self.below(700) as i64
        } else {
            8_000 + self.below(30_000) as i64
        };
        let sport = self.port(c);
        let t0 = self.us(t);
        let mut tcp = self.tcp_open(
            (clients[c], sport),
            (server, if tls { 443 } else { 80 }),
            t0,
            TrafficKind::Web,
        );
        self.handshake(&mut tcp, rtt);
        let segments = 1 + self.below(8) as u32;
        if tls {
            let req = 200 + self.below(400) as u16;
            self.seg(&mut tcp, true, PSH | ACK, Body::Tls(req), 200);
            for i in 0..segments {
                let n = if i + 1 == segments {
                    100 + self.below(1300) as u16
                } else {
                    1448
                };
                let flags = if i + 1 == segments { PSH | ACK } else { ACK };
                self.seg(
                    &mut tcp,
                    false,
                    flags,
                    Body::Tls(n),
                    if i == 0 { rtt } else { 100 },
                );
                if i % 2 == 1 || i + 1 == segments {
                    self.seg(&mut tcp, true, ACK, Body::None, 50);
                }
            }
        } else {
            let path = 5 + self.below(60) as u16;
            self.seg(&mut tcp, true, PSH | ACK, Body::HttpGet(path), 200);
            let body = (segments - 1) * 1448 + 200 + self.below(1200) as u32;
            let total = http_head(body).len() as u32 + body;
            let mut off = 0u32;
            let mut i = 0;
            while off < total {
                let n = (total - off).min(1448) as u16;
                let last = off + u32::from(n) >= total;
                self.seg(
                    &mut tcp,
                    false,
                    if last { PSH | ACK } else { ACK },
                    Body::HttpResp { body, off, n },
                    if i == 0 { rtt } else { 100 },
                );
                off += u32::from(n);
                if i % 2 == 1 || last {
                    self.seg(&mut tcp, true, ACK, Body::None, 50);
                }
                i += 1;
            }
        }
        let think = 1_000 + self.below(2_000_000) as i64;
        self.seg(&mut tcp, true, FIN | ACK, Body::None, think);
        self.seg(&mut tcp, false, FIN | ACK, Body::None, rtt);
        self.seg(&mut tcp, true, ACK, Body::None, rtt);
    }

    fn dns(&mut self, t: f64, c: usize, clients: &[[u8; 4]]) {
        let server = [10, 0, 1, 53];
        let sport = self.port(c);
        let t0 = self.us(t);
        let sess = self.begin(clients[c], sport, server, 53, 17, t0, TrafficKind::Dns);
        let id = self.below(65_536) as u16;
        let name = self.below(1 << 16) as u32;
        self.emit(
            sess,
            0,
            t0,
            clients[c],
            sport,
            server,
            53,
            17,
            0,
            0,
            0,
            Body::Dns {
                id,
                name,
                resp: false,
                torture: false,
            },
        );
        let dt = 200 + self.below(3000) as i64;
        self.emit(
            sess,
            1,
            t0 + dt,
            server,
            53,
            clients[c],
            sport,
            17,
            0,
            0,
            0,
            Body::Dns {
                id,
                name,
                resp: true,
                torture: false,
            },
        );
    }

    fn ssh(&mut self, t: f64, c: usize, clients: &[[u8; 4]], end_s: f64) {
        let sport = self.port(c);
        let t0 = self.us(t);
        let mut tcp = self.tcp_open(
            (clients[c], sport),
            ([10, 0, 1, 22], 22),
            t0,
            TrafficKind::Ssh,
        );
        let rtt = 400;
        self.handshake(&mut tcp, rtt);
        self.seg(&mut tcp, false, PSH | ACK, Body::SshBanner(false), 2_000);
        self.seg(&mut tcp, true, PSH | ACK, Body::SshBanner(true), 1_000);
        let len_s = self.uniform(60.0, 300.0);
        let length_us = self.us((t + len_s).min(end_s - 1.0));
        while tcp.t < length_us {
            let gap = (rng::exponential(&mut self.rng, 1.5).min(60.0) * 1e6) as i64;
            if self.below(10) == 0 {
                let n = 100 + self.below(1300) as u16;
                self.seg(&mut tcp, false, PSH | ACK, Body::Fill(n), gap);
                self.seg(&mut tcp, true, ACK, Body::None, rtt);
            } else {
                self.seg(&mut tcp, true, PSH | ACK, Body::Fill(36), gap);
                self.seg(&mut tcp, false, PSH | ACK, Body::Fill(36), rtt);
                self.seg(&mut tcp, true, ACK, Body::None, rtt);
            }
        }
        self.close(&mut tcp, rtt);
    }

    fn ping(&mut self, t: f64, i: u32, c: usize, clients: &[[u8; 4]]) {
        let target = [10, 0, 2, 1 + (i / clients.len() as u32 % 250) as u8];
        let mut t0 = self.us(t);
        let sess = self.begin(clients[c], 0, target, 0, 1, t0, TrafficKind::Ping);
        let id = self.below(65_536) as u16;
        let n = 3 + self.below(4) as u16;
        for seq in 0..n {
            let rtt = 200 + self.below(800) as i64;
            self.emit(
                sess,
                u64::from(seq) * 2,
                t0,
                clients[c],
                0,
                target,
                0,
                1,
                0,
                0,
                0,
                Body::Echo {
                    id,
                    seq,
                    reply: false,
                },
            );
            self.emit(
                sess,
                u64::from(seq) * 2 + 1,
                t0 + rtt,
                target,
                0,
                clients[c],
                0,
                1,
                0,
                0,
                0,
                Body::Echo {
                    id,
                    seq,
                    reply: true,
                },
            );
            t0 += 1_000_000;
        }
    }

    fn port_scan(&mut self, t: f64, ports: u16) {
        let scanner = [198, 51, 100, 66];
        let victim = [10, 0, 1, 10];
        let sport = 40_000 + self.below(20_000) as u16;
        let mut order: Vec<u16> = (1..=ports).collect();
        rng::shuffle(&mut self.rng, &mut order);
        let mut now = self.us(t);
        for port in order {
            now += 1_000 + self.below(4_000) as i64;
            let mut tcp =
                self.tcp_open((scanner, sport), (victim, port), now, TrafficKind::PortScan);
            self.seg(&mut tcp, true, SYN, Body::None, 0);
            if matches!(port, 22 | 80 | 443) {
                self.seg(&mut tcp, false, SYN | ACK, Body::None, 300);
                self.seg(&mut tcp, true, RST, Body::None, 300);
            } else {
                self.seg(&mut tcp, false, RST | ACK, Body::None, 300);
            }
        }
    }

    fn syn_flood(&mut self, t: f64, n: u32) {
        let victim = ([10, 0, 1, 11], 80);
        let t0 = self.us(t);
        for i in 0..n {
            let src = [100, 64 + ((i >> 16) & 63) as u8, (i >> 8) as u8, i as u8];
            let sport = 1024 + self.below(64_000) as u16;
            let at = t0 + (u64::from(i) * 5_000_000 / u64::from(n.max(1))) as i64;
            let mut tcp = self.tcp_open((src, sport), victim, at, TrafficKind::SynFlood);
            self.seg(&mut tcp, true, SYN, Body::None, 0);
        }
    }

    fn ddos(&mut self, t: f64, bots: u32, per_bot: u32) {
        let victim = [10, 0, 1, 53];
        for b in 0..bots {
            let src = [
                172,
                16 + (b >> 8) as u8 % 16,
                b as u8,
                1 + self.below(250) as u8,
            ];
            let sport = 1024 + self.below(64_000) as u16;
            let jitter = self.uniform(0.0, 1.0);
            let mut at = self.us(t + jitter);
            let sess = self.begin(src, sport, victim, 53, 17, at, TrafficKind::Ddos);
            for k in 0..per_bot {
                let id = self.below(65_536) as u16;
                let name = self.rng_u32();
                self.emit(
                    sess,
                    u64::from(k),
                    at,
                    src,
                    sport,
                    victim,
                    53,
                    17,
                    0,
                    0,
                    0,
                    Body::Dns {
                        id,
                        name,
                        resp: false,
                        torture: true,
                    },
                );
                at += 40_000 + self.below(20_000) as i64;
            }
        }
    }

    fn exfil(&mut self, t: f64, bytes: u64) {
        let t0 = self.us(t);
        let port = 49_152 + self.below(1000) as u16;
        let mut tcp = self.tcp_open(
            ([10, 0, 0, 77], port),
            ([203, 0, 113, 200], 443),
            t0,
            TrafficKind::Exfiltration,
        );
        let rtt = 25_000;
        self.handshake(&mut tcp, rtt);
        let mut left = bytes;
        let mut i = 0u64;
        while left > 0 {
            let n = left.min(1400) as u16;
            left -= u64::from(n);
            let gap = 40_000 + self.below(30_000) as i64;
            self.seg(&mut tcp, true, PSH | ACK, Body::Tls(n.max(5)), gap);
            if i % 2 == 1 || left == 0 {
                self.seg(&mut tcp, false, ACK, Body::None, rtt / 2);
            }
            i += 1;
        }
        self.close(&mut tcp, rtt);
    }

    fn beacon(&mut self, t: f64, k: u32) {
        let port = 50_000 + (k % 10_000) as u16;
        let t0 = self.us(t);
        let mut tcp = self.tcp_open(
            ([10, 0, 0, 88], port),
            ([198, 51, 100, 23], 80),
            t0,
            TrafficKind::Beaconing,
        );
        let rtt = 40_000;
        self.handshake(&mut tcp, rtt);
        self.seg(&mut tcp, true, PSH | ACK, Body::HttpGet(16), 500);
        self.seg(
            &mut tcp,
            false,
            PSH | ACK,
            Body::HttpResp {
                body: 2,
                off: 0,
                n: http_head(2).len() as u16 + 2,
            },
            rtt,
        );
        self.seg(&mut tcp, true, ACK, Body::None, 500);
        self.close(&mut tcp, rtt);
    }
}

fn write_pcap(events: &[Event], snaplen: u32) -> Vec<u8> {
    let mut w = PcapWriter::new(1, snaplen, false, false);
    w.bytes.reserve(events.len() * 120);
    let mut body = Vec::with_capacity(1600);
    let mut frame = Vec::with_capacity(1600);
    for (i, e) in events.iter().enumerate() {
        e.body.write(&mut body);
        frame.clear();
        let mac = |ip: [u8; 4]| [0x02, 0x00, ip[0], ip[1], ip[2], ip[3]];
        let ip = PacketBuilder::ethernet2(mac(e.src), mac(e.dst)).ipv4(e.src, e.dst, 64);
        let written = match (e.proto, e.body) {
            (6, _) => {
                let mut b = ip.tcp(e.sport, e.dport, e.seq, 64_240);
                for (bit, set) in [(SYN, 0), (FIN, 1), (RST, 2), (PSH, 3)] {
                    if e.flags & bit != 0 {
                        b = match set {
                            0 => b.syn(),
                            1 => b.fin(),
                            2 => b.rst(),
                            _ => b.psh(),
                        };
                    }
                }
                if e.flags & ACK != 0 {
                    b = b.ack(e.ack);
                }
                b.write(&mut frame, &body).is_ok()
            }
            (17, _) => ip.udp(e.sport, e.dport).write(&mut frame, &body).is_ok(),
            (
                _,
                Body::Echo {
                    id,
                    seq,
                    reply: false,
                },
            ) => ip
                .icmpv4_echo_request(id, seq)
                .write(&mut frame, &body)
                .is_ok(),
            (
                _,
                Body::Echo {
                    id,
                    seq,
                    reply: true,
                },
            ) => ip
                .icmpv4_echo_reply(id, seq)
                .write(&mut frame, &body)
                .is_ok(),
            _ => false,
        };
        debug_assert!(written, "event {i} could not be written");
        w.record(e.ts_us * 1000, &frame);
    }
    w.into_bytes()
}

/// Generates a capture; see the module doc for what it contains.
pub fn generate_capture(p: &CaptureGenParams) -> Result<GeneratedCapture, ParamError> {
    p.validate()?;
    let clients: Vec<[u8; 4]> = (10..60).map(|h| [10, 0, 0, h]).collect();
    let mut g = Gen {
        rng: rng::seeded(p.seed),
        start_us: i64::from(p.start_s) * 1_000_000,
        events: Vec::new(),
        truth: Vec::new(),
        next_port: Vec::new(),
    };
    g.next_port = (0..clients.len())
        .map(|_| 32_768 + g.below(20_000) as u16)
        .collect();
    let d = p.duration_s;
    let n_clients = clients.len() as u64;
    for _ in 0..p.web_sessions {
        let (t, c) = (g.uniform(0.0, d - 15.0), g.below(n_clients) as usize);
        g.web(t, c, &clients);
    }
    for _ in 0..p.dns_queries {
        let (t, c) = (g.uniform(0.0, d - 1.0), g.below(n_clients) as usize);
        g.dns(t, c, &clients);
    }
    for _ in 0..p.ssh_sessions {
        let (t, c) = (g.uniform(0.0, d * 0.5), g.below(n_clients) as usize);
        g.ssh(t, c, &clients, d);
    }
    for i in 0..p.pings {
        let (t, c) = (g.uniform(0.0, d - 10.0), (i as u64 % n_clients) as usize);
        g.ping(t, i, c, &clients);
    }
    if p.scan_ports > 0 {
        g.port_scan(d * 0.10, p.scan_ports);
    }
    if p.syn_flood_pkts > 0 {
        g.syn_flood(d * 0.30, p.syn_flood_pkts);
    }
    if p.ddos_bots > 0 && p.ddos_pkts_per_bot > 0 {
        g.ddos(d * 0.50, p.ddos_bots, p.ddos_pkts_per_bot);
    }
    if p.exfil_bytes > 0 {
        g.exfil(d * 0.70, p.exfil_bytes);
    }
    if p.beacon_interval_s > 0.0 {
        let mut t = 5.0;
        let mut k = 0;
        while t < d - 5.0 {
            g.beacon(t, k);
            k += 1;
            t += p.beacon_interval_s * g.uniform(0.99, 1.01);
        }
    }
    let mut events = std::mem::take(&mut g.events);
    events.sort_unstable_by_key(|e| (e.ts_us, e.order));
    let bytes = write_pcap(&events, p.snaplen);
    let mut truth = g.truth;
    truth.retain(|t| t.packets > 0);
    truth.sort_by_key(|t| t.start_ns);
    Ok(GeneratedCapture {
        bytes,
        truth,
        packets: events.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_bytes() {
        let a = generate_capture(&CaptureGenParams {
            seed: 3,
            ..Default::default()
        })
        .unwrap();
        let b = generate_capture(&CaptureGenParams {
            seed: 3,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(a, b);
        let c = generate_capture(&CaptureGenParams {
            seed: 4,
            ..Default::default()
        })
        .unwrap();
        assert_ne!(a.bytes, c.bytes);
    }

    #[test]
    fn duration_must_be_at_least_a_minute() {
        let e = generate_capture(&CaptureGenParams {
            duration_s: 10.0,
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "duration_s");
    }
}
