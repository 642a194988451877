//! Packet captures → flows: every container variant and link type, flow semantics, exact feature
//! values on a hand-made capture, the generator's ground truth, bad input, tshark and pcap-parser
//! cross-checks, and an (ignored) throughput benchmark.

use std::net::IpAddr;

use etherparse::PacketBuilder;
use netsift::engine::data::{Meaning, Role, Values};
use netsift::engine::ingest::capture::decode::{ACK, FIN, PSH, RST, SYN};
use netsift::engine::ingest::capture::generate::{
    generate_capture, CaptureGenParams, PcapWriter, TrafficKind,
};
use netsift::engine::ingest::capture::{
    flows_to_table, read_flows_from_bytes, CaptureFormat, CloseReason, Flow, FlowConfig, FlowTable,
    Packet, PcapReader,
};
use proptest::prelude::*;

pub(crate) const T0: i64 = 1_700_000_000_000_000_000; // ns

// ---------------------------------------------------------------- frame builders

fn tcp_builder(
    b: etherparse::PacketBuilderStep<etherparse::IpHeaders>,
    sp: u16,
    dp: u16,
    flags: u8,
) -> etherparse::PacketBuilderStep<etherparse::TcpHeader> {
    let mut t = b.tcp(sp, dp, 1000, 64_000);
    if flags & SYN != 0 {
        t = t.syn();
    }
    if flags & FIN != 0 {
        t = t.fin();
    }
    if flags & RST != 0 {
        t = t.rst();
    }
    if flags & PSH != 0 {
        t = t.psh();
    }
    if flags & ACK != 0 {
        t = t.ack(1);
    }
    t
}

/// A bare IPv4/TCP packet (no link layer).
pub(crate) fn ip4_tcp(
    src: [u8; 4],
    sp: u16,
    dst: [u8; 4],
    dp: u16,
    flags: u8,
    payload: usize,
) -> Vec<u8> {
    let mut v = Vec::new();
    let b = PacketBuilder::ip(etherparse::IpHeaders::Ipv4(
        etherparse::Ipv4Header::new(0, 64, etherparse::IpNumber::TCP, src, dst).unwrap(),
        Default::default(),
    ));
    tcp_builder(b, sp, dp, flags)
        .write(&mut v, &vec![b'x'; payload])
        .unwrap();
    v
}

/// A bare IPv6/UDP packet.
pub(crate) fn ip6_udp(payload: usize) -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ipv6(v6(1), v6(2), 64)
        .udp(40001, 9)
        .write(&mut v, &vec![0u8; payload])
        .unwrap();
    v
}

pub(crate) fn v6(last: u8) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = 0xb8;
    a[15] = last;
    a
}

pub(crate) fn eth(ethertype: u16, ip: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(ip);
    f
}

/// An Ethernet/IPv4/TCP frame.
pub(crate) fn eth_tcp(src: u8, sp: u16, dst: u8, dp: u16, flags: u8, payload: usize) -> Vec<u8> {
    eth(
        0x0800,
        &ip4_tcp([10, 0, 0, src], sp, [10, 0, 0, dst], dp, flags, payload),
    )
}

pub(crate) fn eth_udp(src: u8, sp: u16, dst: u8, dp: u16, payload: usize) -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ethernet2([2; 6], [4; 6])
        .ipv4([10, 0, 0, src], [10, 0, 0, dst], 64)
        .udp(sp, dp)
        .write(&mut v, &vec![0u8; payload])
        .unwrap();
    v
}

pub(crate) fn pcap(link: u32, frames: &[(i64, Vec<u8>)]) -> Vec<u8> {
    let mut w = PcapWriter::new(link, 65_535, false, false);
    for (ts, f) in frames {
        w.record(*ts, f);
    }
    w.into_bytes()
}

pub(crate) fn packets(
    bytes: &[u8],
) -> (Vec<Packet>, netsift::engine::ingest::capture::CaptureStats) {
    let mut r = PcapReader::new();
    let mut out = Vec::new();
    r.push(bytes, &mut out).unwrap();
    (out, r.finish().unwrap())
}

pub(crate) fn flows(bytes: &[u8]) -> Vec<Flow> {
    read_flows_from_bytes(bytes, FlowConfig::default())
        .unwrap()
        .flows
}

/// pcapng writer for the tests (either byte order).
pub(crate) struct Ng {
    be: bool,
    pub(crate) out: Vec<u8>,
}

impl Ng {
    pub(crate) fn new(be: bool) -> Self {
        let mut n = Ng {
            be,
            out: Vec::new(),
        };
        n.shb();
        n
    }
    pub(crate) fn big_endian(&self) -> bool {
        self.be
    }
    pub(crate) fn u32(&self, v: &mut Vec<u8>, x: u32) {
        v.extend_from_slice(&if self.be {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        });
    }
    pub(crate) fn u16(&self, v: &mut Vec<u8>, x: u16) {
        v.extend_from_slice(&if self.be {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        });
    }
    pub(crate) fn block(&mut self, ty: u32, body: &[u8]) {
        let pad = (4 - body.len() % 4) % 4;
        let total = (12 + body.len() + pad) as u32;
        let mut v = Vec::new();
        self.u32(&mut v, ty);
        self.u32(&mut v, total);
        v.extend_from_slice(body);
        v.extend(std::iter::repeat_n(0u8, pad));
        self.u32(&mut v, total);
        self.out.extend_from_slice(&v);
    }
    pub(crate) fn shb(&mut self) {
        let mut b = Vec::new();
        self.u32(&mut b, 0x1A2B_3C4D);
        self.u16(&mut b, 1);
        self.u16(&mut b, 0);
        b.extend_from_slice(&[0xFF; 8]);
        self.block(0x0A0D_0D0A, &b);
    }
    pub(crate) fn idb(&mut self, link: u16, tsresol: Option<u8>) {
        let mut b = Vec::new();
        self.u16(&mut b, link);
        self.u16(&mut b, 0);
        self.u32(&mut b, 0);
        if let Some(r) = tsresol {
            self.u16(&mut b, 9);
            self.u16(&mut b, 1);
            b.extend_from_slice(&[r, 0, 0, 0]);
            self.u16(&mut b, 0);
            self.u16(&mut b, 0);
        }
        self.block(1, &b);
    }
    pub(crate) fn epb(&mut self, iface: u32, units: u64, frame: &[u8]) {
        let mut b = Vec::new();
        self.u32(&mut b, iface);
        self.u32(&mut b, (units >> 32) as u32);
        self.u32(&mut b, units as u32);
        self.u32(&mut b, frame.len() as u32);
        self.u32(&mut b, frame.len() as u32);
        b.extend_from_slice(frame);
        self.block(6, &b);
    }
    pub(crate) fn spb(&mut self, frame: &[u8]) {
        let mut b = Vec::new();
        self.u32(&mut b, frame.len() as u32);
        b.extend_from_slice(frame);
        self.block(3, &b);
    }
    pub(crate) fn pb(&mut self, iface: u16, units: u64, frame: &[u8]) {
        let mut b = Vec::new();
        self.u16(&mut b, iface);
        self.u16(&mut b, 0);
        self.u32(&mut b, (units >> 32) as u32);
        self.u32(&mut b, units as u32);
        self.u32(&mut b, frame.len() as u32);
        self.u32(&mut b, frame.len() as u32);
        b.extend_from_slice(frame);
        self.block(2, &b);
    }
}

/// The pcapng used by several tests: two interfaces (Ethernet µs, raw IP ns), all three packet
/// block kinds, a statistics block and a custom block to skip, then a second section.
fn sample_pcapng(be: bool) -> Vec<u8> {
    let s = 1_700_000_000u64;
    let mut n = Ng::new(be);
    n.idb(1, None); // Ethernet, default µs
    n.idb(101, Some(9)); // raw IP, ns
    n.epb(0, s * 1_000_000 + 250_000, &eth_tcp(1, 1000, 2, 80, SYN, 0));
    n.epb(
        1,
        s * 1_000_000_000 + 300_000_123,
        &ip4_tcp([10, 0, 0, 2], 80, [10, 0, 0, 1], 1000, SYN | ACK, 0),
    );
    n.block(5, &[0u8; 20]); // interface statistics: skipped
    n.block(0x0000_0BAD, &[1, 2, 3, 4, 5, 6, 7, 8]); // custom: skipped
    n.spb(&eth_tcp(1, 1000, 2, 80, ACK, 10)); // no timestamp: takes the last one
    n.pb(
        0,
        s * 1_000_000 + 500_000,
        &eth_tcp(1, 1000, 2, 80, PSH | ACK, 20),
    );
    // A second section, other byte order, its own interface (raw IPv6, 2^-10 s units).
    let mut m = Ng::new(!be);
    m.idb(229, Some(0x80 | 10));
    m.epb(0, (s + 1) * 1024, &ip6_udp(8));
    n.out.extend_from_slice(&m.out);
    n.out
}

// ---------------------------------------------------------------- formats

#[test]
fn classic_pcap_in_both_byte_orders_and_resolutions_reads_the_same() {
    let frames = [
        (T0 + 123_456_789, eth_tcp(1, 1000, 2, 80, SYN, 0)),
        (T0 + 1_000_000_000, eth_tcp(2, 80, 1, 1000, SYN | ACK, 0)),
    ];
    for (nanos, be) in [(false, false), (false, true), (true, false), (true, true)] {
        let mut w = PcapWriter::new(1, 65_535, nanos, be);
        for (ts, f) in &frames {
            w.record(*ts, f);
        }
        let (p, st) = packets(&w.into_bytes());
        assert_eq!(
            st.format,
            Some(CaptureFormat::Pcap {
                big_endian: be,
                nanosecond: nanos,
                link_type: 1
            })
        );
        assert_eq!(p.len(), 2);
        let want = if nanos {
            T0 + 123_456_789
        } else {
            T0 + 123_456_000
        };
        assert_eq!(p[0].ts_ns, want, "nanos={nanos} be={be}");
        assert_eq!((p[1].src_port, p[1].dst_port), (80, 1000));
    }
}

#[test]
fn pcapng_in_both_byte_orders_reads_interfaces_resolutions_and_block_kinds() {
    for be in [false, true] {
        let (p, st) = packets(&sample_pcapng(be));
        assert_eq!(st.format, Some(CaptureFormat::PcapNg { big_endian: be }));
        assert_eq!(st.blocks_skipped, 2);
        assert_eq!(p.len(), 5, "be={be}");
        assert_eq!(p[0].ts_ns, T0 + 250_000_000);
        assert_eq!(p[1].ts_ns, T0 + 300_000_123); // ns interface
        assert_eq!(p[2].ts_ns, p[1].ts_ns); // simple packet block: last timestamp
        assert_eq!(p[2].payload_len, 10);
        assert_eq!(p[3].ts_ns, T0 + 500_000_000); // obsolete packet block
        assert_eq!(p[4].ts_ns, T0 + 1_000_000_000); // 2^-10 resolution
        assert!(p[4].is_v6);
        let f = flows(&sample_pcapng(be));
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].tot_fwd_pkts, f[0].tot_bwd_pkts), (3, 1));
    }
}

#[test]
fn pcap_parser_agrees_on_records_and_timestamps() {
    use pcap_parser::{PcapBlockOwned, PcapError};
    let cap = generate_capture(&CaptureGenParams {
        seed: 5,
        ..Default::default()
    })
    .unwrap();
    let mut oracle = pcap_parser::create_reader(1 << 16, &cap.bytes[..]).unwrap();
    let mut ts = Vec::new();
    loop {
        match oracle.next() {
            Ok((off, block)) => {
                if let PcapBlockOwned::Legacy(b) = block {
                    ts.push(i64::from(b.ts_sec) * 1_000_000_000 + i64::from(b.ts_usec) * 1000);
                }
                oracle.consume(off);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => oracle.refill().unwrap(),
            Err(e) => panic!("pcap-parser: {e:?}"),
        }
    }
    let (p, st) = packets(&cap.bytes);
    assert_eq!(st.frames, ts.len() as u64);
    assert_eq!(p.iter().map(|p| p.ts_ns).collect::<Vec<_>>(), ts);
}

// ---------------------------------------------------------------- link types

fn one_packet(link: u32, frame: Vec<u8>) -> Packet {
    let (p, st) = packets(&pcap(link, &[(T0, frame)]));
    assert_eq!(st.packets, 1, "link {link}");
    p[0]
}

#[test]
fn ethernet_link_type_decodes() {
    let p = one_packet(1, eth_tcp(1, 1000, 2, 80, SYN, 0));
    assert_eq!(
        (&p.src[..4], p.dst_port, p.tcp_flags),
        (&[10, 0, 0, 1][..], 80, SYN)
    );
}

#[test]
fn raw_ip_link_types_decode_v4_and_v6() {
    let v4 = ip4_tcp([1, 2, 3, 4], 1, [5, 6, 7, 8], 2, ACK, 3);
    assert_eq!(one_packet(101, v4.clone()).payload_len, 3);
    assert_eq!(one_packet(228, v4).dst_port, 2);
    assert!(one_packet(101, ip6_udp(4)).is_v6);
    let p = one_packet(229, ip6_udp(4));
    assert_eq!((p.protocol, p.dst_port, p.payload_len), (17, 9, 4));
}

#[test]
fn linux_cooked_sll_decodes() {
    let mut f = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
    f.extend(ip4_tcp([10, 0, 0, 1], 1, [10, 0, 0, 2], 443, SYN, 0));
    assert_eq!(one_packet(113, f).dst_port, 443);
}

#[test]
fn linux_cooked_sll2_decodes() {
    let mut f = vec![
        0x86, 0xDD, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
    ];
    f.extend(ip6_udp(0));
    let p = one_packet(276, f);
    assert!(p.is_v6);
    assert_eq!(p.src_port, 40001);
}

#[test]
fn bsd_loopback_decodes_in_either_host_byte_order() {
    for fam in [[2, 0, 0, 0], [0, 0, 0, 2]] {
        let mut f = fam.to_vec();
        f.extend(ip4_tcp([127, 0, 0, 1], 1, [127, 0, 0, 1], 2, SYN, 0));
        assert_eq!(one_packet(0, f).dst_port, 2);
    }
    let mut f = vec![30, 0, 0, 0]; // AF_INET6 on macOS
    f.extend(ip6_udp(0));
    assert!(one_packet(0, f).is_v6);
}

#[test]
fn vlan_and_qinq_tags_are_stepped_over() {
    let ip = ip4_tcp([10, 0, 0, 1], 1, [10, 0, 0, 2], 22, SYN, 0);
    let mut single = eth(0x8100, &[0x00, 0x64, 0x08, 0x00]);
    single.extend_from_slice(&ip);
    assert_eq!(one_packet(1, single).dst_port, 22);
    let mut qinq = eth(0x88A8, &[0x00, 0x0A, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00]);
    qinq.extend_from_slice(&ip);
    assert_eq!(one_packet(1, qinq).dst_port, 22);
}

#[test]
fn ipv6_extension_headers_are_skipped() {
    let mut p = ip6_udp(6);
    // Insert an 8-byte hop-by-hop header (next = UDP, PadN) after the fixed header.
    p[6] = 0;
    let plen = u16::from_be_bytes([p[4], p[5]]) + 8;
    p[4..6].copy_from_slice(&plen.to_be_bytes());
    let mut f = p[..40].to_vec();
    f.extend_from_slice(&[17, 0, 1, 4, 0, 0, 0, 0]);
    f.extend_from_slice(&p[40..]);
    let d = one_packet(229, f);
    assert_eq!(
        (d.protocol, d.src_port, d.dst_port, d.payload_len),
        (17, 40001, 9, 6)
    );
}

#[test]
fn other_ip_protocols_are_flows_with_port_zero() {
    let mut v = Vec::new();
    PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .icmpv4_echo_request(1, 1)
        .write(&mut v, &[0; 8])
        .unwrap();
    let mut gre = ip4_tcp([10, 0, 0, 1], 1, [10, 0, 0, 2], 2, 0, 0);
    gre[9] = 47; // protocol GRE; header checksum is not checked
    let f = flows(&pcap(101, &[(T0, v), (T0 + 1, gre)]));
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].protocol, f[0].src_port, f[0].totlen_fwd_pkts),
        (1, 0, 8)
    );
    assert_eq!(
        (f[1].protocol, f[1].dst_port, f[1].totlen_fwd_pkts),
        (47, 0, 20)
    );
}

// ---------------------------------------------------------------- flows

#[test]
fn both_directions_form_one_flow_forward_being_the_first_sender() {
    let f = flows(&pcap(
        1,
        &[
            (T0, eth_udp(9, 5000, 3, 53, 10)),
            (T0 + 1_000, eth_udp(3, 53, 9, 5000, 50)),
            (T0 + 2_000, eth_udp(9, 5000, 3, 53, 10)),
        ],
    ));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].src_ip, "10.0.0.9".parse::<IpAddr>().unwrap());
    assert_eq!((f[0].tot_fwd_pkts, f[0].tot_bwd_pkts), (2, 1));
    assert_eq!((f[0].totlen_fwd_pkts, f[0].totlen_bwd_pkts), (20, 50));
}

fn udp_series(times_s: &[f64]) -> Vec<u8> {
    pcap(
        1,
        &times_s
            .iter()
            .map(|&t| (T0 + (t * 1e9) as i64, eth_udp(1, 7, 2, 8, 1)))
            .collect::<Vec<_>>(),
    )
}

#[test]
fn idle_timeout_splits_flows_and_is_configurable() {
    let b = udp_series(&[0.0, 100.0, 221.0]);
    let f = flows(&b);
    assert_eq!(
        f.iter().map(|f| f.tot_pkts()).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(f[0].close, CloseReason::Idle);
    let cfg = FlowConfig {
        idle_timeout_s: 200.0,
        ..FlowConfig::default()
    };
    assert_eq!(read_flows_from_bytes(&b, cfg).unwrap().flows.len(), 1);
}

#[test]
fn active_timeout_cuts_long_flows() {
    let times: Vec<f64> = (0..=70).map(|i| f64::from(i) * 60.0).collect(); // 0 … 4200 s
    let f = flows(&udp_series(&times));
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].close, CloseReason::Active);
    assert_eq!(f[0].tot_pkts(), 61); // 0 … 3600 s inclusive
    let cfg = FlowConfig {
        active_timeout_s: 600.0,
        ..FlowConfig::default()
    };
    assert_eq!(
        read_flows_from_bytes(&udp_series(&times), cfg)
            .unwrap()
            .flows
            .len(),
        7
    );
}

#[test]
fn fin_exchange_closes_on_the_final_ack_and_port_reuse_starts_a_new_flow() {
    let ms = |m: i64| T0 + m * 1_000_000;
    let f = flows(&pcap(
        1,
        &[
            (ms(0), eth_tcp(1, 1000, 2, 80, SYN, 0)),
            (ms(1), eth_tcp(2, 80, 1, 1000, SYN | ACK, 0)),
            (ms(2), eth_tcp(1, 1000, 2, 80, ACK, 0)),
            (ms(3), eth_tcp(1, 1000, 2, 80, FIN | ACK, 0)),
            (ms(4), eth_tcp(2, 80, 1, 1000, FIN | ACK, 0)),
            (ms(5), eth_tcp(1, 1000, 2, 80, ACK, 0)),
            (ms(6), eth_tcp(1, 1000, 2, 80, SYN, 0)),
        ],
    ));
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].close, f[0].tot_pkts(), f[0].handshake_complete),
        (CloseReason::Fin, 6, 1)
    );
    assert_eq!((f[1].tot_pkts(), f[1].syn_without_ack), (1, 1));
}

#[test]
fn rst_closes_the_flow() {
    let f = flows(&pcap(
        1,
        &[
            (T0, eth_tcp(1, 1000, 2, 81, SYN, 0)),
            (T0 + 1_000, eth_tcp(2, 81, 1, 1000, RST | ACK, 0)),
            (T0 + 2_000, eth_tcp(2, 81, 1, 1000, RST | ACK, 0)),
        ],
    ));
    assert_eq!(f.len(), 2, "a packet after the RST is a new flow");
    assert_eq!(
        (f[0].close, f[0].tot_pkts(), f[0].rst_flag_cnt),
        (CloseReason::Rst, 2, 1)
    );
}

#[test]
fn expired_flows_leave_the_live_table_as_capture_time_advances() {
    let mut t = FlowTable::new(FlowConfig::default()).unwrap();
    let mut r = PcapReader::new();
    let frames: Vec<(i64, Vec<u8>)> = (0..5_000u16)
        .map(|i| {
            (
                T0 + i64::from(i) * 1_000_000_000,
                eth_udp(1, 1024 + i, 2, 53, 1),
            )
        })
        .collect();
    r.push(&pcap(1, &frames), &mut t).unwrap();
    assert!(t.live_flows() <= 140, "live {}", t.live_flows());
    assert!(t.take_finished().len() >= 4_860);
    assert_eq!(r.finish().unwrap().packets, 5_000);
}

#[test]
fn a_full_live_table_evicts_the_longest_idle_flows() {
    let cfg = FlowConfig {
        max_live_flows: 16,
        ..FlowConfig::default()
    };
    let frames: Vec<(i64, Vec<u8>)> = (0..100u16)
        .map(|i| (T0 + i64::from(i), eth_udp(1, 1024 + i, 2, 53, 1)))
        .collect();
    let out = read_flows_from_bytes(&pcap(1, &frames), cfg).unwrap();
    assert!(out.evicted >= 80, "evicted {}", out.evicted);
    assert_eq!(out.flows.len(), 100);
    assert!(out.flows.iter().any(|f| f.close == CloseReason::Evicted));
}

/// The hand-made capture with exact features: a complete HTTP-like TCP exchange of 9 packets.
fn handshake_capture() -> Vec<u8> {
    let t = |s: f64| T0 + (s * 1e9).round() as i64;
    pcap(
        1,
        &[
            (t(0.0), eth_tcp(1, 40000, 2, 80, SYN, 0)),
            (t(0.1), eth_tcp(2, 80, 1, 40000, SYN | ACK, 0)),
            (t(0.2), eth_tcp(1, 40000, 2, 80, ACK, 0)),
            (t(0.5), eth_tcp(1, 40000, 2, 80, PSH | ACK, 100)),
            (t(0.7), eth_tcp(2, 80, 1, 40000, PSH | ACK, 300)),
            (t(1.0), eth_tcp(2, 80, 1, 40000, PSH | ACK, 500)),
            (t(1.1), eth_tcp(1, 40000, 2, 80, FIN | ACK, 0)),
            (t(1.2), eth_tcp(2, 80, 1, 40000, FIN | ACK, 0)),
            (t(1.3), eth_tcp(1, 40000, 2, 80, ACK, 0)),
        ],
    )
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} != {b}");
}

#[test]
fn features_of_a_hand_made_flow_are_exact() {
    let f = flows(&handshake_capture());
    assert_eq!(f.len(), 1);
    let f = &f[0];
    assert_eq!(
        (f.src_port, f.dst_port, f.protocol, f.close),
        (40000, 80, 6, CloseReason::Fin)
    );
    assert_eq!(f.timestamp, 1_700_000_000.0);
    close(f.flow_duration, 1.3);
    assert_eq!(
        (
            f.tot_fwd_pkts,
            f.tot_bwd_pkts,
            f.totlen_fwd_pkts,
            f.totlen_bwd_pkts
        ),
        (5, 4, 100, 800)
    );
    assert_eq!(f.tot_bytes, 9 * 40 + 900);
    assert_eq!(
        (f.fwd_pkt_len_max, f.fwd_pkt_len_min, f.fwd_pkt_len_mean),
        (100.0, 0.0, 20.0)
    );
    close(f.fwd_pkt_len_std, 2000f64.sqrt());
    assert_eq!(
        (f.bwd_pkt_len_max, f.bwd_pkt_len_min, f.bwd_pkt_len_mean),
        (500.0, 0.0, 200.0)
    );
    close(f.bwd_pkt_len_std, 60000f64.sqrt());
    close(f.flow_byts_s, 900.0 / 1.3);
    close(f.flow_pkts_s, 9.0 / 1.3);
    close(f.fwd_pkts_s, 5.0 / 1.3);
    close(f.bwd_pkts_s, 4.0 / 1.3);
    close(f.flow_iat_mean, 0.1625);
    close(f.flow_iat_std, (0.05875f64 / 7.0).sqrt());
    close(f.flow_iat_max, 0.3);
    close(f.flow_iat_min, 0.1);
    close(f.fwd_iat_tot, 1.3);
    close(f.fwd_iat_mean, 0.325);
    close(
        f.fwd_iat_std,
        ((0.125f64 * 0.125 * 2.0 + 0.025 * 0.025 + 0.275 * 0.275) / 3.0).sqrt(),
    );
    close(f.fwd_iat_max, 0.6);
    close(f.fwd_iat_min, 0.2);
    close(f.bwd_iat_tot, 1.1);
    close(f.bwd_iat_mean, 1.1 / 3.0);
    close(f.bwd_iat_max, 0.6);
    close(f.bwd_iat_min, 0.2);
    assert_eq!(
        (
            f.fin_flag_cnt,
            f.syn_flag_cnt,
            f.rst_flag_cnt,
            f.psh_flag_cnt,
            f.ack_flag_cnt,
            f.urg_flag_cnt
        ),
        (2, 2, 0, 3, 8, 0)
    );
    close(f.down_up_ratio, 0.8);
    assert_eq!(
        (f.pkt_len_min, f.pkt_len_max, f.pkt_len_mean),
        (0.0, 500.0, 100.0)
    );
    close(f.pkt_len_var, 32_500.0);
    close(f.pkt_len_std, 32_500f64.sqrt());
    assert_eq!(
        (f.well_known_port, f.handshake_complete, f.syn_without_ack),
        (1, 1, 0)
    );
}

#[test]
fn flow_table_has_the_documented_roles_and_meanings() {
    let t = flows_to_table(&flows(&handshake_capture()));
    assert_eq!(t.n_rows(), 1);
    let col = |n: &str| t.column(n).unwrap_or_else(|| panic!("no column {n}"));
    assert_eq!(
        (col("src_ip").role, col("src_ip").meaning),
        (Role::Ignore, Some(Meaning::SrcIp))
    );
    assert_eq!(
        (col("dst_ip").role, col("dst_ip").meaning),
        (Role::Ignore, Some(Meaning::DstIp))
    );
    assert_eq!(
        (col("dst_port").role, col("dst_port").meaning),
        (Role::Feature, Some(Meaning::DstPort))
    );
    assert_eq!(col("protocol").meaning, Some(Meaning::Protocol));
    assert!(matches!(col("protocol").values, Values::Categorical { .. }));
    assert_eq!(col("protocol").values.display(0), "tcp");
    assert_eq!(col("timestamp").role, Role::Timestamp);
    assert_eq!(t.timestamps(), Some(&[1_700_000_000.0][..]));
    assert_eq!(col("flow_duration").meaning, Some(Meaning::Duration));
    for name in [
        "flow_iat_mean",
        "syn_without_ack",
        "well_known_port",
        "pkt_len_var",
        "down_up_ratio",
    ] {
        assert_eq!(col(name).role, Role::Feature, "{name}");
    }
    assert_eq!(col("src_ip").values.display(0), "10.0.0.1");
}

// ---------------------------------------------------------------- generator

#[test]
fn generated_capture_flows_match_the_ground_truth() {
    let cap = generate_capture(&CaptureGenParams {
        seed: 11,
        ..Default::default()
    })
    .unwrap();
    let out = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    assert_eq!(out.stats.packets, cap.packets);
    assert_eq!(
        out.flows.iter().map(Flow::tot_pkts).sum::<u64>(),
        cap.packets,
        "each packet counted once"
    );
    assert_eq!(out.flows.len(), cap.truth.len());
    let mut got: Vec<_> = out
        .flows
        .iter()
        .map(|f| {
            (
                f.start_ns,
                f.src_ip,
                f.src_port,
                f.dst_ip,
                f.dst_port,
                f.protocol,
                f.tot_pkts(),
            )
        })
        .collect();
    let mut want: Vec<_> = cap
        .truth
        .iter()
        .map(|t| {
            (
                t.start_ns, t.src_ip, t.src_port, t.dst_ip, t.dst_port, t.protocol, t.packets,
            )
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    // Each attack is present with its signature.
    let kind = |k: TrafficKind| cap.truth.iter().filter(|t| t.kind == k).count();
    assert_eq!(kind(TrafficKind::PortScan), 200);
    assert_eq!(kind(TrafficKind::SynFlood), 500);
    assert_eq!(kind(TrafficKind::Ddos), 40);
    assert_eq!(kind(TrafficKind::Exfiltration), 1);
    assert!(kind(TrafficKind::Beaconing) >= 19);
    let flood: Vec<&Flow> = out
        .flows
        .iter()
        .filter(|f| {
            f.dst_port == 80
                && f.dst_ip == "10.0.1.11".parse::<IpAddr>().unwrap()
                && f.syn_without_ack == 1
        })
        .collect();
    assert!(flood.len() >= 500);
    let exfil = out.flows.iter().max_by_key(|f| f.totlen_fwd_pkts).unwrap();
    assert_eq!(exfil.src_ip, "10.0.0.77".parse::<IpAddr>().unwrap());
    assert!(exfil.totlen_fwd_pkts >= 2_000_000);
}

#[test]
fn flows_do_not_depend_on_chunk_size() {
    let cap = generate_capture(&CaptureGenParams {
        seed: 2,
        ..Default::default()
    })
    .unwrap();
    let whole = flows(&cap.bytes);
    for size in [1usize, 3, 17, 1500, 65_536] {
        let mut r = PcapReader::new();
        let mut t = FlowTable::new(FlowConfig::default()).unwrap();
        for c in cap.bytes.chunks(size) {
            r.push(c, &mut t).unwrap();
        }
        r.finish().unwrap();
        assert_eq!(t.finish(), whole, "chunk size {size}");
    }
}

// ---------------------------------------------------------------- bad input

#[test]
fn zero_length_file_is_an_error() {
    let e = read_flows_from_bytes(&[], FlowConfig::default()).unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn garbage_is_not_a_pcap_and_names_the_magic() {
    let e = read_flows_from_bytes(b"src_ip,dst_ip\n1.2.3.4,5.6.7.8\n", FlowConfig::default())
        .unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("not a pcap/pcapng file") && s.contains("0x7372635f"),
        "{s}"
    );
    let e =
        read_flows_from_bytes(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0], FlowConfig::default()).unwrap_err();
    assert!(e.to_string().contains("gunzip"), "{e}");
}

#[test]
fn unknown_link_type_names_the_number_and_offset() {
    let b = pcap(105, &[(T0, vec![0u8; 30])]);
    let netsift::engine::Error::Ingest(e) =
        read_flows_from_bytes(&b, FlowConfig::default()).unwrap_err()
    else {
        panic!("not an ingest error")
    };
    assert!(e.message.contains("link type 105"), "{e}");
    assert_eq!(e.byte, Some(20));
    assert!(e.hint.contains("Ethernet"), "{e}");
    // pcapng: the interface is skipped with a warning; with nothing else, an error at the IDB.
    let mut n = Ng::new(false);
    n.idb(147, None);
    n.epb(0, 1, &[0; 10]);
    let e = read_flows_from_bytes(&n.out, FlowConfig::default()).unwrap_err();
    assert!(e.to_string().contains("byte 28: link type 147"), "{e}");
}

#[test]
fn truncated_file_warns_and_keeps_what_was_read() {
    let full = handshake_capture();
    for cut in [full.len() - 1, full.len() - 60, full.len() - 70 - 16 + 5] {
        let out = read_flows_from_bytes(&full[..cut], FlowConfig::default()).unwrap();
        assert_eq!(out.stats.warnings.len(), 1, "cut {cut}");
        assert!(out.stats.warnings[0]
            .message
            .contains("ends in the middle of a record"));
        assert!(out.stats.packets >= 7);
        assert_eq!(
            out.flows.iter().map(Flow::tot_pkts).sum::<u64>(),
            out.stats.packets
        );
    }
    let e = read_flows_from_bytes(&full[..10], FlowConfig::default()).unwrap_err();
    assert!(e.to_string().contains("too short"), "{e}");
}

#[test]
fn snaplen_cut_packets_are_counted_and_still_used() {
    let cap = generate_capture(&CaptureGenParams {
        seed: 1,
        snaplen: 68,
        ..Default::default()
    })
    .unwrap();
    let out = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    assert!(
        out.stats.snap_truncated > 1000,
        "{}",
        out.stats.snap_truncated
    );
    assert_eq!(out.stats.packets, cap.packets);
    let full = generate_capture(&CaptureGenParams {
        seed: 1,
        ..Default::default()
    })
    .unwrap();
    // Application fields need the payload bytes the snaplen cut; everything else is the same.
    let without_app = |mut f: Vec<Flow>| {
        for x in &mut f {
            x.app = None;
        }
        f
    };
    let full_flows = flows(&full.bytes);
    assert!(full_flows.iter().any(|f| f.app.is_some()));
    assert_eq!(
        without_app(out.flows),
        without_app(full_flows),
        "lengths come from the IP headers"
    );
}

#[test]
fn corrupt_record_length_is_an_error_at_its_offset() {
    let mut b = handshake_capture();
    let second = 24 + 16 + 54; // header + first record (SYN frame is 54 bytes)
    b[second + 8..second + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut r = PcapReader::new();
    let mut t = FlowTable::new(FlowConfig::default()).unwrap();
    let e = r.push(&b, &mut t).unwrap_err();
    assert_eq!(
        e.byte,
        Some(second as u64 + 8),
        "the offset of the length field"
    );
    assert_eq!(t.finish().len(), 1, "the packet before the damage is kept");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..64) {
        for prefix in [&[][..], &[0xD4, 0xC3, 0xB2, 0xA1][..], &[0x0A, 0x0D, 0x0D, 0x0A][..]] {
            let mut data = prefix.to_vec();
            data.extend_from_slice(&bytes);
            let mut r = PcapReader::new();
            let mut t = FlowTable::new(FlowConfig::default()).unwrap();
            for c in data.chunks(chunk) {
                if r.push(c, &mut t).is_err() {
                    break;
                }
            }
            let _ = r.finish();
            let _ = flows_to_table(&t.finish());
        }
    }

    #[test]
    fn mutated_and_truncated_captures_never_panic(
        seed in 0u64..4,
        flips in proptest::collection::vec((any::<u16>(), any::<u8>()), 0..12),
        cut in any::<u16>(),
        ng in any::<bool>(),
    ) {
        let mut data = if ng { sample_pcapng(seed % 2 == 0) } else { handshake_capture() };
        let n = data.len();
        for (at, v) in flips {
            data[usize::from(at) % n] ^= v;
        }
        data.truncate(usize::from(cut) % (n + 1));
        let mut r = PcapReader::new();
        let mut t = FlowTable::new(FlowConfig::default()).unwrap();
        let _ = r.push(&data, &mut t);
        let _ = r.finish();
        let _ = flows_to_table(&t.finish());
    }
}

// ---------------------------------------------------------------- tshark

#[test]
fn tshark_reads_generated_captures_without_malformed_packets() {
    let Ok(out) = std::process::Command::new("tshark").arg("-v").output() else {
        eprintln!("NOTICE: tshark not installed; skipping the tshark cross-check");
        return;
    };
    assert!(out.status.success());
    let cap = generate_capture(&CaptureGenParams {
        seed: 9,
        ..Default::default()
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("netsift-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // tshark lists the pcapng custom block as a frame of its own: 5 packets + 1.
    let files = [
        ("gen.pcap", cap.bytes.clone(), cap.packets),
        ("ng_le.pcapng", sample_pcapng(false), 6),
        ("ng_be.pcapng", sample_pcapng(true), 6),
    ];
    for (name, bytes, n) in files {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let run = |args: &[&str]| {
            let o = std::process::Command::new("tshark")
                .arg("-n")
                .arg("-r")
                .arg(&path)
                .args(args)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        let frames = run(&["-T", "fields", "-e", "frame.number"]);
        assert_eq!(frames.lines().count() as u64, n, "{name}");
        let malformed = run(&["-Y", "_ws.malformed || _ws.expert.severity >= error"]);
        assert_eq!(
            malformed.lines().count(),
            0,
            "{name}: malformed packets:\n{malformed}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------- fixtures

#[test]
fn committed_fixtures_match_their_builders() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pcap");
    let fixtures = [
        ("handshake.pcap", handshake_capture()),
        ("sample_le.pcapng", sample_pcapng(false)),
        ("sample_be.pcapng", sample_pcapng(true)),
    ];
    for (name, bytes) in fixtures {
        let path = dir.join(name);
        if std::env::var_os("NETSIFT_WRITE_FIXTURES").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{name}: rerun with NETSIFT_WRITE_FIXTURES=1"
        );
    }
}

// ---------------------------------------------------------------- benchmark

/// `cargo test --release --no-default-features --test engine pcap::parse_throughput -- --ignored --nocapture`
/// CPU time of this thread in seconds (Linux `schedstat`), so that a busy shared machine does
/// not distort the figures; falls back to 0 elsewhere.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

struct Counter(u64);

impl netsift::engine::ingest::capture::PacketSink for Counter {
    fn packet(&mut self, p: &Packet) {
        self.0 += u64::from(p.payload_len > 0);
    }
}

#[test]
#[ignore = "throughput on a generated 1-hour capture: run in release with --ignored --nocapture"]
fn parse_throughput() {
    let params = CaptureGenParams {
        seed: 1,
        duration_s: 3600.0,
        web_sessions: 120_000,
        dns_queries: 200_000,
        ssh_sessions: 200,
        pings: 2_000,
        scan_ports: 10_000,
        syn_flood_pkts: 100_000,
        ddos_bots: 2_000,
        ddos_pkts_per_bot: 50,
        exfil_bytes: 50_000_000,
        beacon_interval_s: 30.0,
        snaplen: 96,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let cap = generate_capture(&params).unwrap();
    let gen_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let mut r = PcapReader::new();
    let c0 = cpu_s();
    let mut count = Counter(0);
    for c in cap.bytes.chunks(4 << 20) {
        r.push(c, &mut count).unwrap();
    }
    let n = r.finish().unwrap().packets as f64;
    println!(
        "parse + decode only: {:.2} M packets/s wall, {:.2} M packets/s CPU",
        n / t.elapsed().as_secs_f64() / 1e6,
        n / (cpu_s() - c0) / 1e6
    );
    let t = std::time::Instant::now();
    let c0 = cpu_s();
    let mut r = PcapReader::new();
    let mut table = FlowTable::new(FlowConfig::default()).unwrap();
    for c in cap.bytes.chunks(4 << 20) {
        r.push(c, &mut table).unwrap();
    }
    let stats = r.finish().unwrap();
    let flows = table.finish();
    let s = t.elapsed().as_secs_f64();
    let cpu = cpu_s() - c0;
    let t2 = std::time::Instant::now();
    let tab = flows_to_table(&flows);
    let table_s = t2.elapsed().as_secs_f64();
    println!(
        "generated {} packets ({:.1} MB) in {gen_s:.2} s; parse → {} flows in {s:.3} s wall / {cpu:.3} s CPU = {:.2} M packets/s wall, {:.2} M packets/s CPU, {:.0} MB/s wall; table of {} rows in {table_s:.3} s",
        cap.packets,
        cap.bytes.len() as f64 / 1e6,
        flows.len(),
        stats.packets as f64 / s / 1e6,
        stats.packets as f64 / cpu / 1e6,
        cap.bytes.len() as f64 / s / 1e6,
        tab.n_rows(),
    );
    assert_eq!(stats.packets, cap.packets);
}

#[test]
fn exported_flow_csv_reads_back_as_netsift_flows_with_seconds() {
    use netsift::engine::data::{Meaning, Role};
    use netsift::engine::ingest::{self, IngestOptions};
    let capture = ingest::capture::generate::generate_capture(&Default::default()).unwrap();
    let flows = ingest::capture::read_flows_from_bytes(&capture.bytes, Default::default()).unwrap();
    let table = ingest::flows_to_table(&flows.flows);
    let csv = netsift::engine::report::table_csv(&table);
    let back = ingest::read_table("flows.csv", &csv, &IngestOptions::default()).unwrap();
    assert!(back.format.contains("netsift flows"), "{}", back.format);
    assert_eq!(back.table.n_rows(), table.n_rows());
    let duration = back.table.column("flow_duration").unwrap();
    assert_eq!(duration.meaning, Some(Meaning::Duration));
    assert_eq!(
        duration.values,
        table.column("flow_duration").unwrap().values
    );
    assert_eq!(back.table.column("src_ip").unwrap().role, Role::Ignore);
    assert_eq!(
        back.table.by_role(Role::Timestamp).unwrap().name,
        "timestamp"
    );
}
