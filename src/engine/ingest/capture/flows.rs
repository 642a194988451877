//! Packets → bidirectional flows with CICFlowMeter-style features.
//!
//! A flow is the set of packets sharing a 5-tuple (addresses, ports, IP protocol) in either
//! direction: the key is canonical (the lower `(address, port)` endpoint first), so A→B and B→A
//! land in one flow. "Forward" is the direction of the flow's first packet.
//!
//! A flow ends, and a later packet of the same 5-tuple starts a new one, when:
//! - **idle timeout** (default 120 s): the gap since the flow's last packet exceeds it;
//! - **active timeout** (default 3600 s): the packet is more than this after the flow's first;
//! - **RST**: a TCP packet with RST ends the flow, the RST included;
//! - **FIN**: once both sides have sent a FIN the flow is *closing*; the next packet that only
//!   acknowledges (ACK without FIN/SYN — the final ACK) is included and ends it. A SYN instead
//!   ends it and starts the next connection; nothing for `fin_timeout` (default 2 s) ends it too;
//! - **end of capture** ([`FlowTable::finish`]);
//! - **eviction**: more than `max_live_flows` flows open at once (see below).
//!
//! All times are the capture's own timestamps, never the wall clock, and the decision for each
//! packet depends only on the flow's own packets, so results do not depend on chunking or on when
//! expired flows are swept out. Sweeps run every `idle_timeout / 8` (clamped to 1–60 s) of
//! capture time and move expired flows to the finished list, which keeps memory proportional to
//! the flows active in the last idle timeout. If the live table still reaches
//! `max_live_flows` (default 262,144, about 100 MB), the eighth of the flows idle the longest are
//! ended early with [`CloseReason::Evicted`] and counted in [`FlowTable::evicted`]; later packets
//! of an evicted 5-tuple start a new flow.
//!
//! Packets whose timestamp goes backwards (out-of-order captures) count with an inter-arrival
//! time of 0 and never move a flow's clock back.
//!
//! Features follow CICFlowMeter's names and meanings with two deliberate differences: all
//! durations and inter-arrival times are in **seconds** (CICFlowMeter uses microseconds), and
//! rates of a zero-length flow are 0 (CICFlowMeter writes ∞/NaN). "Packet length" is the
//! transport payload, as in CICFlowMeter; `tot_bytes` counts whole IP packets. Standard
//! deviations are sample standard deviations (n − 1; 0 for fewer than two values).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::engine::error::ParamError;
use crate::engine::ingest::capture::app::{AppFields, Sniffer, APP_PACKETS};
use crate::engine::ingest::capture::arp::{ArpLog, ArpRecord};
use crate::engine::ingest::capture::decode::{Packet, ACK, FIN, RST, SYN};
use crate::engine::ingest::capture::pcap::PacketSink;

/// Flow timeouts and the live-table bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlowConfig {
    /// A gap longer than this (seconds) between a flow's packets starts a new flow. Default 120.
    pub idle_timeout_s: f64,
    /// A flow longer than this (seconds) is cut and continued in a new flow. Default 3600.
    pub active_timeout_s: f64,
    /// A TCP flow with FINs from both sides ends this long (seconds) after its last packet
    /// even without a final ACK. Default 2.
    pub fin_timeout_s: f64,
    /// Most flows kept open at once; above it the longest-idle eighth is ended early. Default 262,144.
    pub max_live_flows: usize,
}

impl Default for FlowConfig {
    fn default() -> Self {
        Self {
            idle_timeout_s: 120.0,
            active_timeout_s: 3600.0,
            fin_timeout_s: 2.0,
            max_live_flows: 1 << 18,
        }
    }
}

impl FlowConfig {
    /// Checks every field: timeouts positive and finite (at most ten years), table bound in
    /// [16, 2²⁶].
    pub fn validate(&self) -> Result<(), ParamError> {
        for (field, v) in [
            ("idle_timeout_s", self.idle_timeout_s),
            ("active_timeout_s", self.active_timeout_s),
            ("fin_timeout_s", self.fin_timeout_s),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 3.2e8) {
                return Err(ParamError::new(
                    field,
                    format!("must be a number of seconds in (0, 3.2e8], got {v}"),
                ));
            }
        }
        if !(16..=1 << 26).contains(&self.max_live_flows) {
            return Err(ParamError::new(
                "max_live_flows",
                format!("must be in [16, 67108864], got {}", self.max_live_flows),
            ));
        }
        Ok(())
    }
}

/// Why a flow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseReason {
    /// No packet for the idle timeout.
    Idle,
    /// Longer than the active timeout.
    Active,
    /// TCP FIN from both sides (and the final ACK, a new SYN, or the FIN timeout).
    Fin,
    /// TCP RST.
    Rst,
    /// The capture ended with the flow open.
    EndOfCapture,
    /// Ended early because the live table was full.
    Evicted,
}

impl CloseReason {
    /// Short lowercase name for tables and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Idle => "idle",
            CloseReason::Active => "active",
            CloseReason::Fin => "fin",
            CloseReason::Rst => "rst",
            CloseReason::EndOfCapture => "end",
            CloseReason::Evicted => "evicted",
        }
    }
}

/// One finished bidirectional flow: endpoints, times and features.
///
/// Lengths are transport payload bytes; times are seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// Creation order within the capture (0, 1, …): a stable tie-breaker.
    pub id: u64,
    /// Sender of the first packet.
    pub src_ip: IpAddr,
    /// Receiver of the first packet.
    pub dst_ip: IpAddr,
    /// Source port (0 for protocols without ports).
    pub src_port: u16,
    /// Destination port (0 for protocols without ports).
    pub dst_port: u16,
    /// IP protocol number.
    pub protocol: u8,
    /// First packet, ns since the epoch.
    pub start_ns: i64,
    /// Last packet, ns since the epoch.
    pub end_ns: i64,
    /// Why it ended.
    pub close: CloseReason,
    /// First packet, seconds since the epoch.
    pub timestamp: f64,
    /// Last packet − first packet, seconds (CICFlowMeter "Flow Duration", there in µs).
    pub flow_duration: f64,
    /// Packets sent forward ("Tot Fwd Pkts").
    pub tot_fwd_pkts: u64,
    /// Packets sent backward ("Tot Bwd Pkts").
    pub tot_bwd_pkts: u64,
    /// Payload bytes sent forward ("TotLen Fwd Pkts").
    pub totlen_fwd_pkts: u64,
    /// Payload bytes sent backward ("TotLen Bwd Pkts").
    pub totlen_bwd_pkts: u64,
    /// IP bytes (headers included) in both directions.
    pub tot_bytes: u64,
    /// Largest forward payload ("Fwd Pkt Len Max").
    pub fwd_pkt_len_max: f64,
    /// Smallest forward payload ("Fwd Pkt Len Min").
    pub fwd_pkt_len_min: f64,
    /// Mean forward payload ("Fwd Pkt Len Mean").
    pub fwd_pkt_len_mean: f64,
    /// Sample standard deviation of forward payloads ("Fwd Pkt Len Std").
    pub fwd_pkt_len_std: f64,
    /// Largest backward payload; 0 without backward packets ("Bwd Pkt Len Max").
    pub bwd_pkt_len_max: f64,
    /// Smallest backward payload; 0 without backward packets ("Bwd Pkt Len Min").
    pub bwd_pkt_len_min: f64,
    /// Mean backward payload ("Bwd Pkt Len Mean").
    pub bwd_pkt_len_mean: f64,
    /// Sample standard deviation of backward payloads ("Bwd Pkt Len Std").
    pub bwd_pkt_len_std: f64,
    /// Payload bytes per second, both directions; 0 for a zero-length flow ("Flow Byts/s").
    pub flow_byts_s: f64,
    /// Packets per second, both directions; 0 for a zero-length flow ("Flow Pkts/s").
    pub flow_pkts_s: f64,
    /// Forward packets per second ("Fwd Pkts/s").
    pub fwd_pkts_s: f64,
    /// Backward packets per second ("Bwd Pkts/s").
    pub bwd_pkts_s: f64,
    /// Mean gap between consecutive packets, seconds ("Flow IAT Mean").
    pub flow_iat_mean: f64,
    /// Sample standard deviation of those gaps ("Flow IAT Std").
    pub flow_iat_std: f64,
    /// Longest gap ("Flow IAT Max").
    pub flow_iat_max: f64,
    /// Shortest gap ("Flow IAT Min").
    pub flow_iat_min: f64,
    /// Sum of gaps between forward packets, seconds ("Fwd IAT Tot").
    pub fwd_iat_tot: f64,
    /// Mean gap between forward packets ("Fwd IAT Mean").
    pub fwd_iat_mean: f64,
    /// Sample standard deviation of forward gaps ("Fwd IAT Std").
    pub fwd_iat_std: f64,
    /// Longest forward gap ("Fwd IAT Max").
    pub fwd_iat_max: f64,
    /// Shortest forward gap ("Fwd IAT Min").
    pub fwd_iat_min: f64,
    /// Sum of gaps between backward packets, seconds ("Bwd IAT Tot").
    pub bwd_iat_tot: f64,
    /// Mean gap between backward packets ("Bwd IAT Mean").
    pub bwd_iat_mean: f64,
    /// Sample standard deviation of backward gaps ("Bwd IAT Std").
    pub bwd_iat_std: f64,
    /// Longest backward gap ("Bwd IAT Max").
    pub bwd_iat_max: f64,
    /// Shortest backward gap ("Bwd IAT Min").
    pub bwd_iat_min: f64,
    /// Packets with FIN set ("FIN Flag Cnt").
    pub fin_flag_cnt: u64,
    /// Packets with SYN set ("SYN Flag Cnt").
    pub syn_flag_cnt: u64,
    /// Packets with RST set ("RST Flag Cnt").
    pub rst_flag_cnt: u64,
    /// Packets with PSH set ("PSH Flag Cnt").
    pub psh_flag_cnt: u64,
    /// Packets with ACK set ("ACK Flag Cnt").
    pub ack_flag_cnt: u64,
    /// Packets with URG set ("URG Flag Cnt").
    pub urg_flag_cnt: u64,
    /// Backward packets per forward packet.
    pub down_up_ratio: f64,
    /// Smallest payload, both directions ("Pkt Len Min").
    pub pkt_len_min: f64,
    /// Largest payload, both directions ("Pkt Len Max").
    pub pkt_len_max: f64,
    /// Mean payload, both directions ("Pkt Len Mean").
    pub pkt_len_mean: f64,
    /// Sample standard deviation of payloads ("Pkt Len Std").
    pub pkt_len_std: f64,
    /// Sample variance of payloads ("Pkt Len Var").
    pub pkt_len_var: f64,
    /// 1 when the destination port is below 1024 (and the protocol has ports), else 0.
    pub well_known_port: u8,
    /// 1 when a TCP flow saw SYN → SYN+ACK → ACK in order, else 0.
    pub handshake_complete: u8,
    /// 1 for a TCP flow that opened with a bare SYN and never completed the handshake (half-open:
    /// SYN floods and SYN scans), else 0.
    pub syn_without_ack: u8,
    /// DNS, TLS and HTTP fields read from the flow's first packets ([`AppFields`]); `None` when
    /// none was found.
    #[serde(default)]
    pub app: Option<Box<AppFields>>,
}

impl Flow {
    /// Packets in both directions.
    pub fn tot_pkts(&self) -> u64 {
        self.tot_fwd_pkts + self.tot_bwd_pkts
    }
}

/// Running count, mean, M2 (Welford), min and max of a series, in a fixed update order.
#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    sum: f64,
}

impl Stats {
    #[inline]
    fn add(&mut self, x: f64) {
        self.n += 1;
        // Plain comparisons, not `f64::min`/`max` (a libm call on wasm32); `x` is never NaN here
        // (lengths and gaps are integers), so the result is the same.
        if self.n == 1 {
            self.min = x;
            self.max = x;
        } else {
            if x < self.min {
                self.min = x;
            }
            if x > self.max {
                self.max = x;
            }
        }
        self.sum += x;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    fn var(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    fn std(&self) -> f64 {
        crate::engine::math::sqrt(self.var())
    }

    /// The mean as sum / n (exact for integer data; Welford's running mean is only used for M2).
    fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }

    /// The values scaled by `k` (ns → s): (sum, mean, std, max, min).
    fn scaled(&self, k: f64) -> (f64, f64, f64, f64, f64) {
        (
            self.sum * k,
            self.mean() * k,
            self.std() * k,
            self.max * k,
            self.min * k,
        )
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Direction {
    len: Stats,
    iat: Stats,
    bytes: u64,
    last_ns: i64,
    fin: bool,
}

const HS_SYN: u8 = 1;
const HS_SYNACK: u8 = 2;
const HS_DONE: u8 = 3;

#[derive(Debug, Clone)]
struct Live {
    id: u64,
    key: Key,
    fwd_addr: [u8; 16],
    fwd_port: u16,
    bwd_addr: [u8; 16],
    bwd_port: u16,
    is_v6: bool,
    protocol: u8,
    start_ns: i64,
    last_ns: i64,
    fwd: Direction,
    bwd: Direction,
    len: Stats,
    iat: Stats,
    flags: [u64; 6],
    handshake: u8,
    first_bare_syn: bool,
    closing: bool,
    /// Application-layer parsing: `None` until the first payload, then until it is done.
    app: Option<Box<Sniffer>>,
    /// The sniffer has finished (or the flow carries nothing it reads).
    app_closed: bool,
}

/// The canonical (direction-free) 5-tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    lo: [u8; 16],
    hi: [u8; 16],
    lo_port: u16,
    hi_port: u16,
    protocol: u8,
    is_v6: bool,
}

impl Key {
    fn of(p: &Packet) -> Self {
        // Big-endian integers order like the byte arrays (one compare instead of a memcmp).
        let (s, d) = (u128::from_be_bytes(p.src), u128::from_be_bytes(p.dst));
        let (lo, lo_port, hi, hi_port) = if (s, p.src_port) <= (d, p.dst_port) {
            (p.src, p.src_port, p.dst, p.dst_port)
        } else {
            (p.dst, p.dst_port, p.src, p.src_port)
        };
        Key {
            lo,
            hi,
            lo_port,
            hi_port,
            protocol: p.protocol,
            is_v6: p.is_v6,
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let w = |b: &[u8; 16], i: usize| {
            u64::from_le_bytes([
                b[i],
                b[i + 1],
                b[i + 2],
                b[i + 3],
                b[i + 4],
                b[i + 5],
                b[i + 6],
                b[i + 7],
            ])
        };
        h.write_u64(w(&self.lo, 0) ^ w(&self.hi, 0).rotate_left(32));
        if self.is_v6 {
            h.write_u64(w(&self.lo, 8) ^ w(&self.hi, 8).rotate_left(32));
        }
        h.write_u64(
            u64::from(self.lo_port)
                | u64::from(self.hi_port) << 16
                | u64::from(self.protocol) << 32,
        );
    }
}

/// A small multiplicative hasher (FxHash-style): fast for fixed-size keys; iteration order is
/// never used for results.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // Mix the high bits down: hashbrown takes the top 7 bits as the tag, the low bits as the slot.
        self.0 ^ (self.0 >> 29)
    }
}

/// Turns packets into flows; the [`PacketSink`] the [`PcapReader`](super::PcapReader) feeds.
#[derive(Debug, Clone)]
pub struct FlowTable {
    idle_ns: i64,
    active_ns: i64,
    fin_ns: i64,
    sweep_ns: i64,
    max_live: usize,
    /// 5-tuple → index into `slots`.
    index: HashMap<Key, u32, BuildHasherDefault<KeyHasher>>,
    /// The open flows, densely packed (a removal moves the last one into the gap), so the hash
    /// map moves 4-byte indices rather than whole flow states and sweeps scan contiguous memory.
    slots: Vec<Live>,
    finished: Vec<Flow>,
    next_id: u64,
    next_sweep_ns: Option<i64>,
    now_ns: i64,
    evicted: u64,
    arp: ArpLog,
}

fn secs_to_ns(s: f64) -> i64 {
    (s * 1e9).round() as i64
}

impl FlowTable {
    /// An empty table; the configuration is validated first.
    pub fn new(config: FlowConfig) -> Result<Self, ParamError> {
        config.validate()?;
        let idle_ns = secs_to_ns(config.idle_timeout_s);
        Ok(Self {
            idle_ns,
            active_ns: secs_to_ns(config.active_timeout_s),
            fin_ns: secs_to_ns(config.fin_timeout_s),
            sweep_ns: (idle_ns / 8).clamp(1_000_000_000, 60_000_000_000),
            max_live: config.max_live_flows,
            index: HashMap::default(),
            slots: Vec::new(),
            finished: Vec::new(),
            next_id: 0,
            next_sweep_ns: None,
            now_ns: i64::MIN,
            evicted: 0,
            arp: ArpLog::default(),
        })
    }

    /// Flows open right now.
    pub fn live_flows(&self) -> usize {
        self.slots.len()
    }

    /// Flows ended early because the live table was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Takes the ARP records received so far (see [`arp`](super::arp)).
    pub fn take_arp(&mut self) -> ArpLog {
        std::mem::take(&mut self.arp)
    }

    /// Takes the flows finished so far (in the order they ended), so a streaming consumer can
    /// process them and keep memory bounded.
    pub fn take_finished(&mut self) -> Vec<Flow> {
        std::mem::take(&mut self.finished)
    }

    /// Ends the capture: every open flow ends with [`CloseReason::EndOfCapture`]. Returns the
    /// flows not yet taken, sorted by start time (then creation order).
    pub fn finish(mut self) -> Vec<Flow> {
        self.index.clear();
        let mut open = std::mem::take(&mut self.slots);
        open.sort_unstable_by_key(|l| l.id);
        self.finished.extend(
            open.into_iter()
                .map(|l| l.finish(CloseReason::EndOfCapture)),
        );
        self.finished.sort_by_key(|f| (f.start_ns, f.id));
        self.finished
    }

    /// Moves every flow that has expired by `now_ns` to the finished list, in creation order.
    fn sweep(&mut self, now_ns: i64) {
        let (idle, active, fin) = (self.idle_ns, self.active_ns, self.fin_ns);
        let mut expired: Vec<(u64, Key, CloseReason)> = self
            .slots
            .iter()
            .filter_map(|l| {
                l.expired(now_ns, idle, active, fin)
                    .map(|r| (l.id, l.key, r))
            })
            .collect();
        expired.sort_unstable_by_key(|e| e.0);
        for (_, k, r) in expired {
            self.end(&k, r);
        }
    }

    /// Ends the eighth of the flows idle the longest.
    fn evict(&mut self) {
        let mut by_age: Vec<(i64, u64, Key)> = self
            .slots
            .iter()
            .map(|l| (l.last_ns, l.id, l.key))
            .collect();
        by_age.sort_unstable_by_key(|e| (e.0, e.1));
        let n = (self.slots.len() / 8).max(1);
        for (_, _, k) in by_age.into_iter().take(n) {
            self.evicted += 1;
            self.end(&k, CloseReason::Evicted);
        }
    }

    /// Removes the open flow with key `k` and finishes it.
    fn end(&mut self, k: &Key, reason: CloseReason) {
        let Some(i) = self.index.remove(k) else {
            return;
        };
        let i = i as usize;
        if i >= self.slots.len() {
            return;
        }
        let l = self.slots.swap_remove(i);
        if let Some(moved) = self.slots.get(i) {
            if let Some(slot) = self.index.get_mut(&moved.key) {
                *slot = i as u32;
            }
        }
        self.finished.push(l.finish(reason));
    }

    fn add(&mut self, p: &Packet, payload: &[u8]) {
        let ts = p.ts_ns;
        if ts > self.now_ns {
            self.now_ns = ts;
        }
        match self.next_sweep_ns {
            None => self.next_sweep_ns = Some(ts.saturating_add(self.sweep_ns)),
            Some(t) if self.now_ns >= t => {
                let now = self.now_ns;
                self.sweep(now);
                self.next_sweep_ns = Some(now.saturating_add(self.sweep_ns));
            }
            Some(_) => {}
        }
        let key = Key::of(p);
        if let Some(l) = self
            .index
            .get(&key)
            .and_then(|&i| self.slots.get_mut(i as usize))
        {
            let ended = l.expired(ts, self.idle_ns, self.active_ns, self.fin_ns).or(
                if l.closing && p.tcp_flags & SYN != 0 {
                    Some(CloseReason::Fin)
                } else {
                    None
                },
            );
            match ended {
                None => {
                    if let Some(r) = l.update(p, payload) {
                        self.end(&key, r);
                    }
                    return;
                }
                Some(r) => self.end(&key, r),
            }
        }
        if self.slots.len() >= self.max_live {
            let now = self.now_ns;
            self.sweep(now);
            if self.slots.len() >= self.max_live {
                self.evict();
            }
        }
        let mut l = Live::new(self.next_id, key, p);
        self.next_id += 1;
        match l.update(p, payload) {
            Some(r) => self.finished.push(l.finish(r)),
            None => {
                self.index.insert(key, self.slots.len() as u32);
                self.slots.push(l);
            }
        }
    }
}

impl PacketSink for FlowTable {
    #[inline]
    fn packet(&mut self, packet: &Packet) {
        self.add(packet, &[]);
    }

    #[inline]
    fn packet_with_payload(&mut self, packet: &Packet, payload: &[u8]) {
        self.add(packet, payload);
    }

    fn arp(&mut self, record: &ArpRecord) {
        self.arp.push(*record);
    }
}

fn ip(addr: &[u8; 16], v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(*addr))
    } else {
        IpAddr::V4(Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]))
    }
}

impl Live {
    fn new(id: u64, key: Key, p: &Packet) -> Self {
        Live {
            id,
            key,
            fwd_addr: p.src,
            fwd_port: p.src_port,
            bwd_addr: p.dst,
            bwd_port: p.dst_port,
            is_v6: p.is_v6,
            protocol: p.protocol,
            start_ns: p.ts_ns,
            last_ns: p.ts_ns,
            fwd: Direction::default(),
            bwd: Direction::default(),
            len: Stats::default(),
            iat: Stats::default(),
            flags: [0; 6],
            handshake: 0,
            first_bare_syn: p.protocol == 6 && p.tcp_flags & (SYN | ACK) == SYN,
            closing: false,
            app: None,
            app_closed: false,
        }
    }

    /// Why this flow has ended by `now`, if it has.
    fn expired(&self, now: i64, idle: i64, active: i64, fin: i64) -> Option<CloseReason> {
        let gap = now.saturating_sub(self.last_ns);
        if self.closing && gap > fin {
            Some(CloseReason::Fin)
        } else if gap > idle {
            Some(CloseReason::Idle)
        } else if now.saturating_sub(self.start_ns) > active {
            Some(CloseReason::Active)
        } else {
            None
        }
    }

    /// Adds a packet (and its captured payload); returns a reason when the packet ends the flow.
    fn update(&mut self, p: &Packet, payload: &[u8]) -> Option<CloseReason> {
        let forward = p.src == self.fwd_addr && p.src_port == self.fwd_port;
        let n_before = self.len.n;
        if !self.app_closed && !payload.is_empty() {
            self.sniff(forward, payload, n_before);
        }
        let len = f64::from(p.payload_len);
        if n_before > 0 {
            self.iat
                .add(p.ts_ns.saturating_sub(self.last_ns).max(0) as f64);
        }
        self.len.add(len);
        let d = if forward {
            &mut self.fwd
        } else {
            &mut self.bwd
        };
        if d.len.n > 0 {
            d.iat.add(p.ts_ns.saturating_sub(d.last_ns).max(0) as f64);
        }
        d.len.add(len);
        d.bytes += u64::from(p.ip_len);
        d.last_ns = d.last_ns.max(p.ts_ns);
        if d.len.n == 1 {
            d.last_ns = p.ts_ns;
        }
        self.last_ns = self.last_ns.max(p.ts_ns);
        if self.protocol != 6 {
            return None;
        }
        let f = p.tcp_flags;
        // Branch-free: flag bit i (FIN, SYN, RST, PSH, ACK, URG) counts into flags[i].
        for (i, c) in self.flags.iter_mut().enumerate() {
            *c += u64::from((f >> i) & 1);
        }
        let syn_ack = f & (SYN | ACK);
        self.handshake = match (self.handshake, forward, syn_ack) {
            (0, true, SYN) => HS_SYN,
            (HS_SYN, false, x) if x == SYN | ACK => HS_SYNACK,
            (HS_SYNACK, true, ACK) => HS_DONE,
            (h, _, _) => h,
        };
        if f & RST != 0 {
            return Some(CloseReason::Rst);
        }
        let was_closing = self.closing;
        if f & FIN != 0 {
            d.fin = true;
        }
        if self.fwd.fin && self.bwd.fin {
            if was_closing && f & (ACK | FIN | SYN) == ACK {
                return Some(CloseReason::Fin);
            }
            self.closing = true;
        }
        None
    }

    /// Hands a payload of one of the flow's first [`APP_PACKETS`] packets to its sniffer.
    #[cold]
    fn sniff(&mut self, forward: bool, payload: &[u8], n_before: u64) {
        if n_before >= APP_PACKETS {
            self.app_closed = true;
            return;
        }
        if self.app.is_none() {
            match Sniffer::new(self.protocol, self.fwd_port, self.bwd_port) {
                Some(s) => self.app = Some(Box::new(s)),
                None => {
                    self.app_closed = true;
                    return;
                }
            }
        }
        if let Some(s) = self.app.as_mut() {
            s.payload(forward, payload);
            self.app_closed = s.done();
        }
    }

    fn finish(self, close: CloseReason) -> Flow {
        const S: f64 = 1e-9;
        let duration_ns = self.last_ns.saturating_sub(self.start_ns).max(0);
        let dur = duration_ns as f64 * S;
        let per_s = |x: f64| if dur > 0.0 { x / dur } else { 0.0 };
        let (fl, bl) = (&self.fwd.len, &self.bwd.len);
        let (_, iat_mean, iat_std, iat_max, iat_min) = self.iat.scaled(S);
        let (f_tot, f_mean, f_std, f_max, f_min) = self.fwd.iat.scaled(S);
        let (b_tot, b_mean, b_std, b_max, b_min) = self.bwd.iat.scaled(S);
        let totlen_fwd = fl.sum as u64;
        let totlen_bwd = bl.sum as u64;
        let has_ports = matches!(self.protocol, 6 | 17 | 136);
        Flow {
            id: self.id,
            src_ip: ip(&self.fwd_addr, self.is_v6),
            dst_ip: ip(&self.bwd_addr, self.is_v6),
            src_port: self.fwd_port,
            dst_port: self.bwd_port,
            protocol: self.protocol,
            start_ns: self.start_ns,
            end_ns: self.last_ns,
            close,
            timestamp: self.start_ns as f64 * S,
            flow_duration: dur,
            tot_fwd_pkts: fl.n,
            tot_bwd_pkts: bl.n,
            totlen_fwd_pkts: totlen_fwd,
            totlen_bwd_pkts: totlen_bwd,
            tot_bytes: self.fwd.bytes + self.bwd.bytes,
            fwd_pkt_len_max: fl.max,
            fwd_pkt_len_min: fl.min,
            fwd_pkt_len_mean: fl.mean(),
            fwd_pkt_len_std: fl.std(),
            bwd_pkt_len_max: bl.max,
            bwd_pkt_len_min: bl.min,
            bwd_pkt_len_mean: bl.mean(),
            bwd_pkt_len_std: bl.std(),
            flow_byts_s: per_s(fl.sum + bl.sum),
            flow_pkts_s: per_s((fl.n + bl.n) as f64),
            fwd_pkts_s: per_s(fl.n as f64),
            bwd_pkts_s: per_s(bl.n as f64),
            flow_iat_mean: iat_mean,
            flow_iat_std: iat_std,
            flow_iat_max: iat_max,
            flow_iat_min: iat_min,
            fwd_iat_tot: f_tot,
            fwd_iat_mean: f_mean,
            fwd_iat_std: f_std,
            fwd_iat_max: f_max,
            fwd_iat_min: f_min,
            bwd_iat_tot: b_tot,
            bwd_iat_mean: b_mean,
            bwd_iat_std: b_std,
            bwd_iat_max: b_max,
            bwd_iat_min: b_min,
            fin_flag_cnt: self.flags[0],
            syn_flag_cnt: self.flags[1],
            rst_flag_cnt: self.flags[2],
            psh_flag_cnt: self.flags[3],
            ack_flag_cnt: self.flags[4],
            urg_flag_cnt: self.flags[5],
            down_up_ratio: if fl.n > 0 {
                bl.n as f64 / fl.n as f64
            } else {
                0.0
            },
            pkt_len_min: self.len.min,
            pkt_len_max: self.len.max,
            pkt_len_mean: self.len.mean(),
            pkt_len_std: self.len.std(),
            pkt_len_var: self.len.var(),
            well_known_port: u8::from(has_ports && self.bwd_port < 1024),
            handshake_complete: u8::from(self.handshake == HS_DONE),
            syn_without_ack: u8::from(self.first_bare_syn && self.handshake != HS_DONE),
            app: self.app.and_then(|s| s.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(ts_s: f64, src: u8, sport: u16, dst: u8, dport: u16, flags: u8, payload: u32) -> Packet {
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        a[..4].copy_from_slice(&[10, 0, 0, src]);
        b[..4].copy_from_slice(&[10, 0, 0, dst]);
        Packet {
            ts_ns: secs_to_ns(ts_s),
            src: a,
            dst: b,
            is_v6: false,
            src_port: sport,
            dst_port: dport,
            protocol: 6,
            tcp_flags: flags,
            ip_len: 40 + payload,
            payload_len: payload,
            snap_truncated: false,
            fragment: crate::engine::ingest::capture::decode::Fragment::Whole,
        }
    }

    fn run(pkts: &[Packet], cfg: FlowConfig) -> Vec<Flow> {
        let mut t = FlowTable::new(cfg).unwrap();
        for p in pkts {
            t.packet(p);
        }
        t.finish()
    }

    #[test]
    fn both_directions_merge_into_one_flow() {
        let f = run(
            &[
                pkt(0.0, 1, 5000, 2, 80, SYN, 0),
                pkt(0.5, 2, 80, 1, 5000, SYN | ACK, 0),
            ],
            FlowConfig::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].tot_fwd_pkts, f[0].tot_bwd_pkts), (1, 1));
        assert_eq!(f[0].src_port, 5000);
    }

    #[test]
    fn idle_gap_splits_a_flow() {
        let cfg = FlowConfig {
            idle_timeout_s: 10.0,
            ..FlowConfig::default()
        };
        let f = run(
            &[pkt(0.0, 1, 5, 2, 6, ACK, 1), pkt(10.5, 1, 5, 2, 6, ACK, 1)],
            cfg,
        );
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].close, CloseReason::Idle);
    }

    #[test]
    fn rst_ends_the_flow_and_is_counted_in_it() {
        let f = run(
            &[
                pkt(0.0, 1, 5, 2, 6, SYN, 0),
                pkt(0.1, 2, 6, 1, 5, RST | ACK, 0),
                pkt(0.2, 1, 5, 2, 6, SYN, 0),
            ],
            FlowConfig::default(),
        );
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].close, f[0].tot_pkts(), f[0].rst_flag_cnt),
            (CloseReason::Rst, 2, 1)
        );
        assert_eq!(f[0].syn_without_ack, 1);
    }

    #[test]
    fn config_rejects_nonpositive_timeouts() {
        let e = FlowTable::new(FlowConfig {
            idle_timeout_s: 0.0,
            ..FlowConfig::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "idle_timeout_s");
    }
}
