//! A seeded traffic simulator for live mode: a steady stream of client → server flows (with
//! five kinds of per-record anomaly: odd ports, packets, durations, protocols and sizes), and
//! attack bursts the behaviour rules should catch (port scan, IP scan, SYN flood, DDoS,
//! exfiltration, beaconing).
//!
//! # Normal traffic
//! 120 clients `192.168.1.1–120` each talk to three of 30 internal servers `10.0.0.1–30`, so no
//! server sees more than about 12 distinct clients (below the DDoS rule's 20) and each
//! client–server pair uses the server's one service port (80, 443, 25, 8080, 53): no port-scan or
//! beacon look-alikes. A proxy `192.168.1.250` fetches from twelve public hosts (5 % of flows, 200–600 bytes up per flow; never a record anomaly). Flow starts are a
//! Poisson process at `rate` flows per second; sizes are 100–1,500 bytes
//! per packet, 50–500 ms), with 1–40 packets per flow and completed TCP handshakes.
//!
//! # Per-record anomalies (share `anomaly_ratio`, default 0.2)
//! Chosen with equal probability: *port* (source port 1337/9999/6666 toward one of
//! four ports in 60000–65535 per client, so a busy pair never looks like a port scan), *packet* (2,000–10,000 bytes per packet), *duration* (2–5 s),
//! *protocol* (an unknown protocol), and *size* (packets of N(500, 100) bytes from
//! port 8080/9999 with one packet per flow).
//!
//! # Attack bursts (when `attacks` is on)
//! One burst every `attack_every_s` stream seconds (the first after 5 s), cycling through:
//!
//! | burst | what | the rule it should raise |
//! |---|---|---|
//! | port scan | `203.0.113.66` probes 40 ports of one server in 8 s (SYN, RST back) | `port_scan` |
//! | SYN flood | 300 half-open SYNs from spoofed `198.51.100.x` to one server in 5 s | `syn_flood` |
//! | DDoS | 40 sources `198.18.0.x`, 8 full connections each, to one server in 15 s | `ddos` |
//! | exfiltration | `192.168.1.77` uploads 4 × 4 MB to `185.220.101.5:443` in 12 s | `large_outbound` |
//! | beaconing | `192.168.1.66` calls `45.33.32.156:8443` every 2 s (± 50 ms), 320 bytes, 30 times | `beaconing` |
//! | IP scan | `203.0.113.99` probes port 445 on 60 hosts `10.0.1.x` in 10 s | `ip_scan` |
//!
//! Everything is drawn from [`crate::engine::rng`] with the given seed: the same parameters give
//! the same flows.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::engine::error::ParamError;
use crate::engine::rng::{self, EngineRng};
use crate::engine::rules::FlowRecord;

/// Lowest rate: one record every 2 s (the slowest stream worth showing).
pub const MIN_RATE: f64 = 0.5;
/// Highest rate, flows per stream second.
pub const MAX_RATE: f64 = 1000.0;

/// Simulator settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimParams {
    /// Seed of every random choice. Default 7.
    pub seed: u64,
    /// Flows per stream second, in [`MIN_RATE`] ..= [`MAX_RATE`]. Default 50.
    pub rate: f64,
    /// Share of background flows that are per-record anomalies, in [0, 0.5]. Default 0.2.
    pub anomaly_ratio: f64,
    /// Inject attack bursts. Default true.
    pub attacks: bool,
    /// Stream seconds between two bursts, in [10, 3600]. Default 40.
    pub attack_every_s: f64,
    /// Stream start, epoch seconds. Default Monday 2025-01-06T09:00:00Z (business hours, so
    /// ordinary traffic is not "off-hours activity").
    pub start: f64,
}

impl Default for SimParams {
    fn default() -> Self {
        Self {
            seed: 7,
            rate: 50.0,
            anomaly_ratio: 0.2,
            attacks: true,
            attack_every_s: 40.0,
            start: 1_736_154_000.0,
        }
    }
}

impl SimParams {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), ParamError> {
        if !(MIN_RATE..=MAX_RATE).contains(&self.rate) {
            return Err(ParamError::new(
                "rate",
                format!(
                    "must be between {MIN_RATE} and {MAX_RATE} flows per second, got {}",
                    self.rate
                ),
            ));
        }
        if !(0.0..=0.5).contains(&self.anomaly_ratio) {
            return Err(ParamError::new(
                "anomaly_ratio",
                format!("must be in [0, 0.5], got {}", self.anomaly_ratio),
            ));
        }
        if !(10.0..=3600.0).contains(&self.attack_every_s) {
            return Err(ParamError::new(
                "attack_every_s",
                format!("must be in [10, 3600] seconds, got {}", self.attack_every_s),
            ));
        }
        if !self.start.is_finite() {
            return Err(ParamError::new(
                "start",
                "must be a finite number of seconds",
            ));
        }
        Ok(())
    }
}

/// What a simulated flow really is (the ground truth the tests check against).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Truth {
    /// Background traffic.
    Normal,
    /// A known-bad source port toward a high port.
    SuspiciousPort,
    /// Very large packets.
    LargePacket,
    /// A long flow.
    LongDuration,
    /// A protocol nobody uses.
    UnknownProtocol,
    /// A mid-size single packet from an odd port.
    UnusualSize,
    /// Port-scan burst.
    PortScan,
    /// IP-scan burst.
    IpScan,
    /// SYN-flood burst.
    SynFlood,
    /// DDoS burst.
    Ddos,
    /// Exfiltration burst.
    Exfiltration,
    /// Beaconing burst.
    Beaconing,
}

impl Truth {
    /// The attack bursts, in the order they are injected.
    pub const BURSTS: [Truth; 6] = [
        Truth::PortScan,
        Truth::SynFlood,
        Truth::Ddos,
        Truth::Exfiltration,
        Truth::Beaconing,
        Truth::IpScan,
    ];

    /// The rule id a burst should raise (`None` for record-level kinds).
    pub fn rule_id(self) -> Option<&'static str> {
        match self {
            Truth::PortScan => Some("port_scan"),
            Truth::IpScan => Some("ip_scan"),
            Truth::SynFlood => Some("syn_flood"),
            Truth::Ddos => Some("ddos"),
            Truth::Exfiltration => Some("large_outbound"),
            Truth::Beaconing => Some("beaconing"),
            _ => None,
        }
    }
}

/// One simulated flow: the record and what it really is.
#[derive(Debug, Clone, PartialEq)]
pub struct SimFlow {
    /// The flow.
    pub record: FlowRecord,
    /// Protocol as written (`tcp`, `udp`, `UNKNOWN`).
    pub protocol_name: &'static str,
    /// Ground truth.
    pub truth: Truth,
}

/// No login port (SSH, FTP, …): at 1,000 flows/s a client's short flows to one server would be
/// hundreds of "login attempts" for the password-guessing rule.
const SERVICE_PORTS: [u16; 5] = [80, 443, 25, 8080, 53];
const PUBLIC: [&str; 12] = [
    "93.184.216.34",
    "151.101.1.69",
    "140.82.112.3",
    "151.101.65.69",
    "151.101.129.69",
    "104.16.132.229",
    "104.16.133.229",
    "142.250.74.110",
    "142.250.74.142",
    "13.107.42.14",
    "23.215.0.136",
    "185.199.108.153",
];
const N_CLIENTS: u64 = 120;
const N_SERVERS: u64 = 30;

/// The simulator: call [`Simulator::advance`] with slices of stream time.
#[derive(Debug, Clone)]
pub struct Simulator {
    params: SimParams,
    rng: EngineRng,
    /// Stream time reached, epoch seconds.
    now: f64,
    /// Start of the next background flow.
    next_flow: f64,
    /// Start of the next burst.
    next_burst: f64,
    burst_index: usize,
    /// Burst flows not yet emitted, in time order.
    queue: VecDeque<SimFlow>,
    /// Flows emitted so far (the `row` of the next one).
    emitted: u64,
}

impl Simulator {
    /// A simulator at `params.start`; the params are validated first.
    pub fn new(params: SimParams) -> Result<Self, ParamError> {
        params.validate()?;
        let mut rng = rng::seeded(params.seed);
        let start = params.start;
        let first = start + rng::exponential(&mut rng, 1.0 / params.rate);
        Ok(Self {
            next_burst: start + 5.0,
            params,
            rng,
            now: start,
            next_flow: first,
            burst_index: 0,
            queue: VecDeque::new(),
            emitted: 0,
        })
    }

    /// The settings.
    pub fn params(&self) -> &SimParams {
        &self.params
    }

    /// Stream time reached, epoch seconds.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Burst flows queued but not yet emitted (at most one burst's worth).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// The flows starting in `[now, now + dt)`, in time order; `row` numbers them from 0 over
    /// the whole stream (wrapping at `usize::MAX`). Non-finite or negative `dt` emits nothing.
    pub fn advance(&mut self, dt: f64) -> Vec<SimFlow> {
        let mut out = Vec::new();
        if !(dt.is_finite() && dt > 0.0) {
            return out;
        }
        let end = self.now + dt;
        if self.params.attacks {
            while self.next_burst < end {
                let kind = Truth::BURSTS[self.burst_index % Truth::BURSTS.len()];
                self.burst_index += 1;
                let t0 = self.next_burst;
                self.queue_burst(kind, t0);
                self.next_burst += self.params.attack_every_s;
            }
        }
        let mut background = Vec::new();
        while self.next_flow < end {
            let t = self.next_flow;
            background.push(self.background(t));
            self.next_flow += rng::exponential(&mut self.rng, 1.0 / self.params.rate);
        }
        // Merge the background with the due burst flows, in time order.
        let mut bg = background.into_iter().peekable();
        loop {
            let take_queue = match (self.queue.front(), bg.peek()) {
                (Some(q), Some(b)) => q.record.ts < end && q.record.ts <= b.record.ts,
                (Some(q), None) => q.record.ts < end,
                (None, _) => false,
            };
            let next = if take_queue {
                self.queue.pop_front()
            } else {
                bg.next()
            };
            let Some(mut f) = next else { break };
            f.record.row = self.emitted as usize;
            self.emitted = self.emitted.wrapping_add(1);
            out.push(f);
        }
        self.now = end;
        out
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[rng::index(&mut self.rng, items.len())]
    }

    fn int(&mut self, lo: u64, hi: u64) -> u64 {
        lo + rng::below(&mut self.rng, hi - lo + 1)
    }

    fn background(&mut self, t: f64) -> SimFlow {
        let client = self.int(1, N_CLIENTS);
        let proxy = rng::uniform(&mut self.rng) < 0.05;
        let (src, dst, port) = if proxy {
            let host = self.pick(&PUBLIC);
            ("192.168.1.250".to_owned(), host.to_owned(), 443)
        } else {
            let links = [
                client % N_SERVERS,
                (client * 7 + 11) % N_SERVERS,
                (client * 13 + 5) % N_SERVERS,
            ];
            let server = self.pick(&links);
            (
                format!("192.168.1.{client}"),
                format!("10.0.0.{}", server + 1),
                SERVICE_PORTS[(server % 5) as usize],
            )
        };
        let protocol: u8 = if port == 53 { 17 } else { 6 };
        let mut f = flow(
            t,
            src,
            dst,
            self.int(1024, 65535) as u16,
            port,
            protocol,
            self.int(1, 40),
            self.int(100, 1500) as f64,
            self.int(50, 500) as f64 / 1000.0,
        );
        if proxy {
            // The proxy fetches: a small request out, the page back (an hour of its uploads to
            // one host stays well below the large-outbound rule's 10 MB even at 1,000 flows/s).
            f.record.bytes_fwd = Some(self.int(200, 600));
        }
        let mut truth = Truth::Normal;
        // Record anomalies come from the clients (the proxy's few pairs carry so many flows that
        // random odd ports on them would look like port scans).
        if rng::uniform(&mut self.rng) < self.params.anomaly_ratio && !proxy {
            truth = match rng::index(&mut self.rng, 5) {
                0 => {
                    f.record.src_port = Some(self.pick(&[1337u16, 9999, 6666]));
                    // One of four high ports per client: random ports over a minute of a
                    // busy pair would look like a port scan to the 60-second window.
                    let k = self.int(0, 3);
                    f.record.dst_port = Some((60000 + (client * 37 + k * 911) % 5536) as u16);
                    Truth::SuspiciousPort
                }
                1 => {
                    let size = self.int(2000, 10000);
                    let p = f.record.packets_fwd.unwrap_or(1);
                    f.record.bytes_fwd = Some(size * p);
                    Truth::LargePacket
                }
                2 => {
                    f.record.end = t + self.int(2000, 5000) as f64 / 1000.0;
                    Truth::LongDuration
                }
                3 => {
                    f.record.protocol = None;
                    f.protocol_name = "UNKNOWN";
                    Truth::UnknownProtocol
                }
                _ => {
                    let len = rng::normal(&mut self.rng, 500.0, 100.0).max(1.0).round() as u64;
                    f.record.src_port = Some(self.pick(&[8080u16, 9999]));
                    f.record.packets_fwd = Some(1);
                    f.record.packets_bwd = Some(0);
                    f.record.bytes_fwd = Some(len);
                    f.record.bytes_bwd = Some(0);
                    Truth::UnusualSize
                }
            };
        }
        f.truth = truth;
        f
    }

    fn queue_burst(&mut self, kind: Truth, t0: f64) {
        let mut flows = Vec::new();
        let server = |i: u64| format!("10.0.0.{}", i % N_SERVERS + 1);
        match kind {
            Truth::PortScan => {
                let target = server(self.int(0, N_SERVERS - 1));
                for i in 0..40u64 {
                    let t = t0 + i as f64 * 0.2;
                    let port = (i * 23 + 1) as u16;
                    let mut f = flow(
                        t,
                        "203.0.113.66".into(),
                        target.clone(),
                        51000,
                        port,
                        6,
                        1,
                        60.0,
                        0.0,
                    );
                    f.record.packets_bwd = Some(1);
                    f.record.bytes_bwd = Some(54);
                    f.record.rst = Some(1);
                    f.record.handshake_complete = Some(false);
                    flows.push(f);
                }
            }
            Truth::IpScan => {
                for i in 0..60u64 {
                    let t = t0 + i as f64 * (10.0 / 60.0);
                    let mut f = flow(
                        t,
                        "203.0.113.99".into(),
                        format!("10.0.1.{}", i + 1),
                        52000,
                        445,
                        6,
                        1,
                        60.0,
                        0.0,
                    );
                    f.record.rst = Some(1);
                    f.record.handshake_complete = Some(false);
                    flows.push(f);
                }
            }
            Truth::SynFlood => {
                let target = server(self.int(0, N_SERVERS - 1));
                for i in 0..300u64 {
                    let t = t0 + i as f64 * (5.0 / 300.0);
                    let src = format!("198.51.100.{}", self.int(1, 254));
                    let mut f = flow(
                        t,
                        src,
                        target.clone(),
                        self.int(1024, 65535) as u16,
                        80,
                        6,
                        1,
                        60.0,
                        0.0,
                    );
                    f.record.packets_bwd = Some(0);
                    f.record.bytes_bwd = Some(0);
                    f.record.ack = Some(0);
                    f.record.syn = Some(1);
                    f.record.handshake_complete = Some(false);
                    flows.push(f);
                }
            }
            Truth::Ddos => {
                let target = server(self.int(0, N_SERVERS - 1));
                for i in 0..320u64 {
                    let t = t0 + i as f64 * (15.0 / 320.0);
                    let src = format!("198.18.0.{}", i % 40 + 1);
                    let f = flow(
                        t,
                        src,
                        target.clone(),
                        self.int(1024, 65535) as u16,
                        443,
                        6,
                        self.int(20, 40),
                        1200.0,
                        0.2,
                    );
                    flows.push(f);
                }
            }
            Truth::Exfiltration => {
                for i in 0..4u64 {
                    let t = t0 + i as f64 * 3.0;
                    let mut f = flow(
                        t,
                        "192.168.1.77".into(),
                        "185.220.101.5".into(),
                        50500 + i as u16,
                        443,
                        6,
                        2800,
                        1430.0,
                        2.5,
                    );
                    f.record.bytes_fwd = Some(4_000_000);
                    f.record.packets_bwd = Some(900);
                    f.record.bytes_bwd = Some(60_000);
                    flows.push(f);
                }
            }
            Truth::Beaconing => {
                for i in 0..30u64 {
                    let jitter = rng::uniform_range(&mut self.rng, -0.05, 0.05);
                    let t = t0 + i as f64 * 2.0 + jitter;
                    let mut f = flow(
                        t,
                        "192.168.1.66".into(),
                        "45.33.32.156".into(),
                        40000 + i as u16,
                        8443,
                        6,
                        4,
                        80.0,
                        0.1,
                    );
                    f.record.bytes_fwd = Some(320);
                    f.record.bytes_bwd = Some(0);
                    f.record.packets_bwd = Some(0);
                    flows.push(f);
                }
            }
            _ => {}
        }
        for f in &mut flows {
            f.truth = kind;
        }
        flows.sort_by(|a, b| a.record.ts.total_cmp(&b.record.ts));
        // Bursts never overlap (they are ≥ 10 s apart and last ≤ 60 s… except beaconing); merge
        // into the queue in time order all the same.
        let mut merged: Vec<SimFlow> = self.queue.drain(..).chain(flows).collect();
        merged.sort_by(|a, b| a.record.ts.total_cmp(&b.record.ts));
        self.queue = merged.into();
    }
}

/// A completed flow with even byte counts both ways.
#[allow(clippy::too_many_arguments)]
fn flow(
    t: f64,
    src: String,
    dst: String,
    src_port: u16,
    dst_port: u16,
    protocol: u8,
    packets: u64,
    packet_size: f64,
    duration: f64,
) -> SimFlow {
    let fwd = packets.div_ceil(2).max(1);
    let bwd = packets.saturating_sub(fwd);
    let tcp = protocol == 6;
    SimFlow {
        record: FlowRecord {
            ts: t,
            end: t + duration,
            src,
            dst,
            src_port: Some(src_port),
            dst_port: Some(dst_port),
            protocol: Some(protocol),
            packets_fwd: Some(fwd),
            packets_bwd: Some(bwd),
            bytes_fwd: Some((fwd as f64 * packet_size) as u64),
            bytes_bwd: Some((bwd as f64 * packet_size) as u64),
            syn: tcp.then_some(2),
            ack: tcp.then_some(packets.saturating_sub(1).max(1)),
            fin: tcp.then_some(2),
            rst: tcp.then_some(0),
            handshake_complete: tcp.then_some(true),
            dns: None,
            row: 0,
        },
        protocol_name: match protocol {
            6 => "tcp",
            17 => "udp",
            _ => "UNKNOWN",
        },
        truth: Truth::Normal,
    }
}
