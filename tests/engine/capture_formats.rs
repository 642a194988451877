//! The capture reader against the specifications and the files real tools write, not against
//! our own generator: every pcap variant (draft-ietf-opsawg-pcap), pcapng corner (draft-ietf-
//! opsawg-pcapng), link type (tcpdump.org/linktypes.html), encapsulation and IP layout the
//! reader claims, on small hand-built frames. The same frames are committed under
//! `tests/fixtures/captures/` and, where tshark is installed, tshark must read every packet with
//! the same addresses, ports and IP lengths.

use etherparse::PacketBuilder;
use netsift::engine::ingest::capture::decode::{ACK, PSH, SYN};
use netsift::engine::ingest::capture::{
    read_flows_from_bytes, CaptureFormat, CaptureStats, FlowConfig, Packet, PcapReader,
};

use crate::pcap::{eth, eth_tcp, flows, ip4_tcp, ip6_udp, packets, v6, Ng, T0};

// ---------------------------------------------------------------- builders

/// A classic pcap written field by field (the generator's writer cannot write the modified
/// format, a caplen above the snaplen or a damaged length).
struct Classic {
    be: bool,
    modified: bool,
    out: Vec<u8>,
}

impl Classic {
    fn new(link: u32, snaplen: u32, be: bool, modified: bool) -> Self {
        let mut c = Classic {
            be,
            modified,
            out: Vec::new(),
        };
        c.u32(if modified { 0xA1B2_CD34 } else { 0xA1B2_C3D4 });
        c.u16(2);
        c.u16(4);
        c.u32(0);
        c.u32(0);
        c.u32(snaplen);
        c.u32(link);
        c
    }
    fn u32(&mut self, x: u32) {
        let b = if self.be {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        };
        self.out.extend_from_slice(&b);
    }
    fn u16(&mut self, x: u16) {
        let b = if self.be {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        };
        self.out.extend_from_slice(&b);
    }
    /// One record: `data` as captured, `orig` bytes on the wire.
    fn rec(&mut self, ts_ns: i64, data: &[u8], orig: u32) -> &mut Self {
        self.u32((ts_ns / 1_000_000_000) as u32);
        self.u32((ts_ns % 1_000_000_000 / 1000) as u32);
        self.u32(data.len() as u32);
        self.u32(orig);
        if self.modified {
            self.u32(3); // interface index
            self.u16(0x0800); // protocol
            self.out.extend_from_slice(&[0, 0]); // packet type, padding
        }
        self.out.extend_from_slice(data);
        self
    }
    fn frame(&mut self, ts_ns: i64, data: &[u8]) -> &mut Self {
        self.rec(ts_ns, data, data.len() as u32)
    }
    fn bytes(&self) -> Vec<u8> {
        self.out.clone()
    }
}

fn one(link: u32, frame: &[u8]) -> (Vec<Packet>, CaptureStats) {
    packets(
        &Classic::new(link, 65_535, false, false)
            .frame(T0, frame)
            .bytes(),
    )
}

/// An IPv4 header with a correct checksum.
fn ipv4_header(id: u16, flags_offset: u16, total: u16, proto: u8) -> Vec<u8> {
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&id.to_be_bytes());
    h.extend_from_slice(&flags_offset.to_be_bytes());
    h.extend_from_slice(&[64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    let sum = h
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum::<u32>();
    let sum = (sum & 0xFFFF) + (sum >> 16);
    let sum = !(((sum & 0xFFFF) + (sum >> 16)) as u16);
    h[10..12].copy_from_slice(&sum.to_be_bytes());
    h
}

/// A 1,000-byte UDP datagram 10.0.0.1:5353 → 10.0.0.2:9999 split into two IPv4 fragments
/// (600 + 408 bytes of IP payload), as Ethernet frames.
fn ipv4_fragments(id: u16) -> [Vec<u8>; 2] {
    let mut udp = Vec::new();
    udp.extend_from_slice(&5353u16.to_be_bytes());
    udp.extend_from_slice(&9999u16.to_be_bytes());
    udp.extend_from_slice(&1008u16.to_be_bytes());
    udp.extend_from_slice(&[0, 0]); // no checksum
    udp.extend(std::iter::repeat_n(b'f', 1000));
    let mut first = ipv4_header(id, 0x2000, 20 + 600, 17);
    first.extend_from_slice(&udp[..600]);
    let mut later = ipv4_header(id, 600 / 8, 20 + 408, 17);
    later.extend_from_slice(&udp[600..]);
    [eth(0x0800, &first), eth(0x0800, &later)]
}

/// IPv6 with hop-by-hop, routing and destination-options headers before TCP 1.2.3.4-style ports.
fn ipv6_ext_tcp() -> Vec<u8> {
    let mut tcp = Vec::new();
    PacketBuilder::ipv6(v6(1), v6(2), 64)
        .tcp(50_000, 443, 7, 1000)
        .syn()
        .write(&mut tcp, &[])
        .unwrap();
    let tcp = tcp[40..].to_vec();
    let ext = [
        [43, 0, 1, 4, 0, 0, 0, 0], // hop-by-hop → routing; PadN
        [60, 0, 4, 0, 0, 0, 0, 0], // routing (type 4, segments left 0) → destination options
        [6, 0, 1, 4, 0, 0, 0, 0],  // destination options → TCP; PadN
    ];
    let mut p = vec![0x60, 0, 0, 0];
    p.extend_from_slice(&((24 + tcp.len()) as u16).to_be_bytes());
    p.extend_from_slice(&[0, 64]);
    p.extend_from_slice(&v6(1));
    p.extend_from_slice(&v6(2));
    for e in ext {
        p.extend_from_slice(&e);
    }
    p.extend_from_slice(&tcp);
    p
}

/// A 600-byte UDP datagram over IPv6 in two fragments (fragment header, identification `id`).
fn ipv6_fragments(id: u32) -> [Vec<u8>; 2] {
    let mut udp = Vec::new();
    udp.extend_from_slice(&4000u16.to_be_bytes());
    udp.extend_from_slice(&53u16.to_be_bytes());
    udp.extend_from_slice(&608u16.to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend(std::iter::repeat_n(b'g', 600));
    let part = |off: usize, data: &[u8], more: bool| {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
        p.extend_from_slice(&[44, 64]);
        p.extend_from_slice(&v6(1));
        p.extend_from_slice(&v6(2));
        let off_m = ((off / 8) as u16) << 3 | u16::from(more);
        p.extend_from_slice(&[17, 0]);
        p.extend_from_slice(&off_m.to_be_bytes());
        p.extend_from_slice(&id.to_be_bytes());
        p.extend_from_slice(data);
        p
    };
    [part(0, &udp[..400], true), part(400, &udp[400..], false)]
}

fn icmpv6_echo() -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ipv6(v6(1), v6(2), 64)
        .icmpv6_echo_request(7, 1)
        .write(&mut v, &[0xAB; 24])
        .unwrap();
    v
}

fn mpls(labels: usize, ip: &[u8]) -> Vec<u8> {
    let mut stack = Vec::new();
    for i in 0..labels {
        let bos = u8::from(i + 1 == labels);
        stack.extend_from_slice(&[0x00, 0x01 + i as u8, bos, 64]); // label 16+, TC 0, S, TTL 64
    }
    stack.extend_from_slice(ip);
    eth(0x8847, &stack)
}

fn pppoe(ppp_protocol: u16, ip: &[u8]) -> Vec<u8> {
    let mut s = vec![0x11, 0x00, 0x12, 0x34];
    s.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(&ppp_protocol.to_be_bytes());
    s.extend_from_slice(ip);
    eth(0x8864, &s)
}

fn tcp4() -> Vec<u8> {
    ip4_tcp([192, 168, 1, 10], 51_000, [192, 168, 1, 1], 22, SYN, 0)
}

// ---------------------------------------------------------------- classic pcap

#[test]
fn modified_pcap_with_24_byte_record_headers_reads_in_both_byte_orders() {
    for be in [false, true] {
        let mut c = Classic::new(1, 65_535, be, true);
        c.frame(T0, &eth_tcp(1, 1000, 2, 80, SYN, 0))
            .frame(T0 + 2_000, &eth_tcp(2, 80, 1, 1000, SYN | ACK, 0));
        let (p, st) = packets(&c.bytes());
        assert_eq!(
            st.format,
            Some(CaptureFormat::Pcap {
                big_endian: be,
                nanosecond: false,
                link_type: 1
            })
        );
        assert_eq!(p.len(), 2, "be={be}");
        assert_eq!(p[1].ts_ns, T0 + 2_000);
        assert_eq!((p[1].src_port, p[1].dst_port), (80, 1000));
        // And through the format sniffer, as a dropped file goes.
        let ing =
            netsift::engine::ingest::read_any("m.pcap", &c.bytes(), &Default::default()).unwrap();
        assert_eq!(ing.table.n_rows(), 1);
    }
}

#[test]
fn snaplen_cut_records_count_the_bytes_on_the_wire() {
    let full = eth_tcp(1, 1000, 2, 80, PSH | ACK, 1400);
    let mut c = Classic::new(1, 96, false, false);
    c.rec(T0, &full[..96], full.len() as u32);
    let bytes = c.bytes();
    let (p, st) = packets(&bytes);
    assert_eq!((st.snap_truncated, st.packets), (1, 1));
    assert!(p[0].snap_truncated);
    assert_eq!((p[0].ip_len, p[0].payload_len), (1440, 1400));
    let f = flows(&bytes);
    assert_eq!((f[0].totlen_fwd_pkts, f[0].tot_bytes), (1400, 1440));
}

#[test]
fn caplen_above_the_snaplen_is_read_and_above_the_pcap_maximum_is_an_error_at_its_offset() {
    // Real files carry records longer than their header's snaplen (libpcap and Wireshark read them).
    let frame = eth_tcp(1, 1000, 2, 80, ACK, 200);
    let mut c = Classic::new(1, 64, false, false);
    c.frame(T0, &frame);
    assert_eq!(packets(&c.bytes()).1.packets, 1);
    // A length field of 300,000 is damage, not a packet: the error names the field's offset.
    let mut c = Classic::new(1, 65_535, true, false);
    c.frame(T0, &frame);
    let good = c.out.len();
    c.frame(T0 + 1, &frame);
    c.out[good + 8..good + 12].copy_from_slice(&300_000u32.to_be_bytes());
    let mut r = PcapReader::new();
    let mut out = Vec::new();
    let e = r.push(&c.out, &mut out).unwrap_err();
    assert_eq!(e.byte, Some(good as u64 + 8));
    assert!(e.message.contains("300000 captured bytes"), "{e}");
    assert_eq!(out.len(), 1, "the record before the damage was read");
}

// ---------------------------------------------------------------- link types

#[test]
fn openbsd_loop_and_the_old_dlt_raw_numbers_decode() {
    for (link, frame) in [
        (108u32, [vec![0, 0, 0, 2], tcp4()].concat()),
        (108, [vec![0, 0, 0, 24], ip6_udp(5)].concat()),
        (12, tcp4()),
        (14, tcp4()),
        (12, ip6_udp(5)),
    ] {
        let (p, st) = one(link, &frame);
        assert_eq!(st.packets, 1, "link {link}");
        assert!(p[0].dst_port == 22 || p[0].dst_port == 9, "link {link}");
    }
}

#[test]
fn bsd_loopback_knows_every_platform_s_af_inet6_in_either_byte_order() {
    for af in [10u32, 24, 28, 30] {
        for head in [af.to_le_bytes(), af.to_be_bytes()] {
            let (p, st) = one(0, &[head.to_vec(), ip6_udp(3)].concat());
            assert_eq!(st.packets, 1, "AF {af} {head:?}");
            assert!(p[0].is_v6);
        }
    }
    let (_, st) = one(0, &[vec![7, 0, 0, 0], tcp4()].concat());
    assert_eq!(
        (st.packets, st.not_ip),
        (0, 1),
        "an unknown family is not IP"
    );
}

#[test]
fn stacked_vlan_tags_of_every_ethertype_are_stepped_over() {
    let mut tags = vec![0x00, 0x0A, 0x81, 0x00]; // 0x9100 outer, then 802.1Q
    tags.extend_from_slice(&[0x00, 0x64, 0x88, 0xA8]); // then 802.1ad (unusual order, still read)
    tags.extend_from_slice(&[0x00, 0x05, 0x08, 0x00]);
    tags.extend_from_slice(&tcp4());
    let (p, _) = one(1, &eth(0x9100, &tags));
    assert_eq!(p[0].dst_port, 22);
}

#[test]
fn mpls_label_stacks_and_pppoe_sessions_carry_ip() {
    assert_eq!(one(1, &mpls(1, &tcp4())).0[0].dst_port, 22);
    assert_eq!(one(1, &mpls(3, &ip6_udp(2))).0[0].dst_port, 9);
    // An Ethernet pseudowire (payload starts with a MAC address, nibble 0) is not IP.
    let (_, st) = one(1, &mpls(1, &[0u8; 60]));
    assert_eq!(st.not_ip, 1);
    assert_eq!(one(1, &pppoe(0x0021, &tcp4())).0[0].dst_port, 22);
    assert!(one(1, &pppoe(0x0057, &ip6_udp(1))).0[0].is_v6);
    let (_, st) = one(1, &pppoe(0xC021, &[1, 1, 0, 4])); // LCP
    assert_eq!(st.not_ip, 1);
    // VLAN then PPPoE, as ISPs deliver it.
    let mut tagged = vec![0x00, 0x07, 0x88, 0x64];
    tagged.extend_from_slice(&pppoe(0x0021, &tcp4())[14..]);
    assert_eq!(one(1, &eth(0x8100, &tagged)).0[0].dst_port, 22);
}

// ---------------------------------------------------------------- IP layouts

#[test]
fn later_ipv4_fragments_join_their_first_fragment_s_flow() {
    let [first, later] = ipv4_fragments(0x4242);
    let mut c = Classic::new(1, 65_535, false, false);
    c.frame(T0, &first).frame(T0 + 1_000, &later);
    let out = read_flows_from_bytes(&c.bytes(), FlowConfig::default()).unwrap();
    assert_eq!((out.stats.packets, out.stats.fragments_joined), (2, 1));
    assert_eq!(out.flows.len(), 1);
    let f = &out.flows[0];
    assert_eq!((f.src_port, f.dst_port, f.protocol), (5353, 9999, 17));
    assert_eq!(f.tot_fwd_pkts, 2);
    assert_eq!(f.totlen_fwd_pkts, 1000, "the whole UDP payload");
    assert_eq!(f.tot_bytes, 620 + 428, "both IP packets");
    assert!(out.stats.warnings.is_empty());
    // Without its first fragment a later one is in no flow, and the reader says so.
    let mut c = Classic::new(1, 65_535, false, false);
    c.frame(T0, &later);
    let out = read_flows_from_bytes(&c.bytes(), FlowConfig::default()).unwrap();
    assert_eq!((out.stats.packets, out.stats.fragments), (0, 1));
    assert!(out.flows.is_empty());
    assert!(
        out.stats.warnings[0]
            .message
            .contains("1 later IP fragment(s) came without their first fragment"),
        "{:?}",
        out.stats.warnings
    );
}

#[test]
fn ipv6_extension_headers_and_fragments_are_followed_to_the_transport() {
    let (p, _) = one(229, &ipv6_ext_tcp());
    assert_eq!(
        (p[0].protocol, p[0].src_port, p[0].dst_port, p[0].tcp_flags),
        (6, 50_000, 443, SYN)
    );
    assert_eq!((p[0].ip_len, p[0].payload_len), (40 + 24 + 20, 0));
    let [a, b] = ipv6_fragments(0xDEAD_BEEF);
    let mut c = Classic::new(229, 65_535, false, false);
    c.frame(T0, &a).frame(T0 + 1, &b);
    let out = read_flows_from_bytes(&c.bytes(), FlowConfig::default()).unwrap();
    assert_eq!(out.flows.len(), 1);
    let f = &out.flows[0];
    assert_eq!((f.dst_port, f.protocol, f.tot_fwd_pkts), (53, 17, 2));
    assert_eq!(f.totlen_fwd_pkts, 600);
}

#[test]
fn icmpv6_is_a_flow_of_its_own_protocol() {
    let f = flows(
        &Classic::new(229, 65_535, false, false)
            .frame(T0, &icmpv6_echo())
            .bytes(),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].protocol, f[0].dst_port, f[0].totlen_fwd_pkts),
        (58, 0, 24)
    );
}

// ---------------------------------------------------------------- pcapng

/// An interface description block with `if_tsresol` and `if_tsoffset` options.
fn idb_with_offset(n: &mut Ng, link: u16, tsresol: u8, offset_s: i64) {
    let mut b = Vec::new();
    n.u16(&mut b, link);
    n.u16(&mut b, 0);
    n.u32(&mut b, 0);
    n.u16(&mut b, 9);
    n.u16(&mut b, 1);
    b.extend_from_slice(&[tsresol, 0, 0, 0]);
    n.u16(&mut b, 14);
    n.u16(&mut b, 8);
    let v = offset_s as u64;
    // A 64-bit option value is written in the section's byte order as a whole.
    n.u32(
        &mut b,
        if n.big_endian() {
            (v >> 32) as u32
        } else {
            v as u32
        },
    );
    n.u32(
        &mut b,
        if n.big_endian() {
            v as u32
        } else {
            (v >> 32) as u32
        },
    );
    n.u16(&mut b, 0);
    n.u16(&mut b, 0);
    n.block(1, &b);
}

#[test]
fn pcapng_if_tsoffset_adds_seconds_in_both_byte_orders_and_resolutions() {
    for be in [false, true] {
        let mut n = Ng::new(be);
        idb_with_offset(&mut n, 1, 3, 1_700_000_000); // milliseconds since the offset
        idb_with_offset(&mut n, 101, 0x80 | 1, 1_700_000_000); // half seconds
        n.epb(0, 1_500, &eth_tcp(1, 1000, 2, 80, SYN, 0));
        n.epb(1, 5, &tcp4());
        let (p, _) = packets(&n.out);
        assert_eq!(p[0].ts_ns, T0 + 1_500_000_000, "be={be}");
        assert_eq!(p[1].ts_ns, T0 + 2_500_000_000, "be={be}");
    }
}

#[test]
fn pcapng_sections_start_over_with_their_own_byte_order_and_interfaces() {
    let mut n = Ng::new(false);
    n.idb(1, None);
    n.idb(101, None);
    n.epb(1, 1, &tcp4());
    let mut m = Ng::new(true); // second section, big-endian, one interface
    m.idb(229, None);
    m.epb(0, 2, &ip6_udp(1));
    m.epb(1, 3, &tcp4()); // interface 1 belonged to the first section
    let mut o = Ng::new(false); // third section, little-endian again
    o.idb(1, None);
    o.epb(0, 4, &eth_tcp(1, 1, 2, 2, SYN, 0));
    let file = [n.out, m.out, o.out].concat();
    let (p, st) = packets(&file);
    assert_eq!(p.len(), 3);
    assert!(p[1].is_v6);
    assert_eq!(st.undecodable, 1);
    assert!(
        st.warnings[0].message.contains("interface 1"),
        "{:?}",
        st.warnings
    );
}

#[test]
fn pcapng_custom_and_unknown_blocks_are_skipped() {
    let mut n = Ng::new(true);
    n.idb(1, None);
    n.block(0x0000_0BAD, &[0, 0, 0x7E, 0x12, 1, 2, 3, 4]); // custom, copyable
    n.block(0x4000_0BAD, &[0, 0, 0x7E, 0x12]); // custom, not copyable
    n.block(0x0000_0004, &[0, 0, 0, 0]); // name resolution (end of records)
    n.block(0x1234_5678, &[9; 12]); // unknown
    n.epb(0, 1, &eth_tcp(1, 1, 2, 2, SYN, 0));
    let (p, st) = packets(&n.out);
    assert_eq!((p.len(), st.blocks_skipped), (1, 4));
}

#[test]
fn damaged_pcapng_block_lengths_are_errors_at_their_offset() {
    let mut base = Ng::new(false);
    base.idb(1, None);
    let at = base.out.len() as u64;
    // Not a multiple of 4.
    let mut f = base.out.clone();
    f.extend_from_slice(&6u32.to_le_bytes());
    f.extend_from_slice(&33u32.to_le_bytes());
    f.extend_from_slice(&[0; 25]);
    let e = PcapReader::new().push(&f, &mut Vec::new()).unwrap_err();
    assert!(e.message.contains("33 is not a multiple of 4"), "{e}");
    assert_eq!(e.byte, Some(at + 4));
    // Shorter than a block can be.
    let mut f = base.out.clone();
    f.extend_from_slice(&6u32.to_le_bytes());
    f.extend_from_slice(&8u32.to_le_bytes());
    let e = PcapReader::new().push(&f, &mut Vec::new()).unwrap_err();
    assert!(
        e.message.contains("smaller than the 12-byte minimum"),
        "{e}"
    );
    assert_eq!(e.byte, Some(at + 4));
    // The trailing copy of the length disagrees.
    let mut n = Ng::new(false);
    n.idb(1, None);
    n.epb(0, 1, &eth_tcp(1, 1, 2, 2, SYN, 0));
    let end = n.out.len();
    n.out[end - 4..].copy_from_slice(&999u32.to_le_bytes());
    let e = PcapReader::new().push(&n.out, &mut Vec::new()).unwrap_err();
    assert!(e.message.contains("not repeated"), "{e}");
    assert_eq!(e.byte, Some(end as u64 - 4));
    // A section header block too short for its fields.
    let mut f = Vec::new();
    f.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
    f.extend_from_slice(&16u32.to_le_bytes());
    f.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    f.extend_from_slice(&16u32.to_le_bytes());
    let e = PcapReader::new().push(&f, &mut Vec::new()).unwrap_err();
    assert!(
        e.message.contains("section header block is too short"),
        "{e}"
    );
}

#[test]
fn pcapng_packet_overrunning_its_block_is_skipped_with_a_warning() {
    let mut n = Ng::new(false);
    n.idb(1, None);
    let frame = eth_tcp(1, 1, 2, 2, SYN, 0);
    let at = n.out.len() as u64;
    n.epb(0, 1, &frame);
    let caplen_at = at as usize + 20;
    n.out[caplen_at..caplen_at + 4].copy_from_slice(&5000u32.to_le_bytes());
    n.epb(0, 2, &frame);
    let (p, st) = packets(&n.out);
    assert_eq!((p.len(), st.frames, st.undecodable), (1, 2, 1));
    assert_eq!(st.warnings[0].byte, Some(at + 20));
    assert!(
        st.warnings[0].message.contains("5000 captured bytes"),
        "{:?}",
        st.warnings
    );
}

// ---------------------------------------------------------------- fixtures and tshark

/// The fixtures: name → bytes, each exercising a variant above.
fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let mut c = Classic::new(1, 65_535, false, true);
    c.frame(T0, &eth_tcp(1, 1000, 2, 80, SYN, 0))
        .frame(T0 + 1_000, &eth_tcp(2, 80, 1, 1000, SYN | ACK, 0));
    out.push(("modified_le.pcap", c.bytes()));
    let mut c = Classic::new(108, 65_535, true, false);
    c.frame(T0, &[vec![0, 0, 0, 2], tcp4()].concat())
        .frame(T0 + 1, &[vec![0, 0, 0, 24], ip6_udp(5)].concat());
    out.push(("openbsd_loop.pcap", c.bytes()));
    let mut c = Classic::new(0, 65_535, false, false);
    c.frame(T0, &[30u32.to_le_bytes().to_vec(), ip6_udp(3)].concat())
        .frame(T0 + 1, &[2u32.to_le_bytes().to_vec(), tcp4()].concat());
    out.push(("macos_null.pcap", c.bytes()));
    let mut c = Classic::new(12, 65_535, false, false);
    c.frame(T0, &tcp4()).frame(T0 + 1, &ip6_udp(2));
    out.push(("dlt_raw12.pcap", c.bytes()));
    let [f1, f2] = ipv4_fragments(7);
    let mut qinq = vec![0x00, 0x0A, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00];
    qinq.extend_from_slice(&tcp4());
    let mut c = Classic::new(1, 65_535, false, false);
    c.frame(T0, &mpls(2, &tcp4()))
        .frame(T0 + 1, &pppoe(0x0021, &tcp4()))
        .frame(T0 + 2, &pppoe(0x0057, &ip6_udp(4)))
        .frame(T0 + 3, &eth(0x9100, &qinq))
        .frame(T0 + 4, &f1)
        .frame(T0 + 5, &f2)
        .frame(T0 + 6, &eth(0x86DD, &ipv6_ext_tcp()))
        .frame(T0 + 7, &eth(0x86DD, &icmpv6_echo()));
    out.push(("encapsulations.pcap", c.bytes()));
    let [a, b] = ipv6_fragments(99);
    let mut c = Classic::new(229, 96, false, false);
    c.frame(T0, &a).frame(T0 + 1, &b);
    let big = ip4_tcp([10, 0, 0, 1], 5000, [10, 0, 0, 2], 80, ACK, 1000);
    let mut t = Classic::new(228, 64, false, false);
    t.rec(T0, &big[..64], big.len() as u32);
    out.push(("ipv6_fragments.pcap", c.bytes()));
    out.push(("snaplen64_ipv4.pcap", t.bytes()));
    for be in [false, true] {
        let mut n = Ng::new(be);
        idb_with_offset(&mut n, 1, 3, 1_700_000_000);
        idb_with_offset(&mut n, 276, 0x80 | 1, 1_700_000_000);
        n.epb(0, 1_500, &eth_tcp(1, 1000, 2, 80, SYN, 0));
        let mut sll2 = vec![
            0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
        ];
        sll2.extend_from_slice(&tcp4());
        n.epb(1, 5, &sll2);
        n.block(0x4000_0BAD, &[0, 0, 0x7E, 0x12]);
        let mut m = Ng::new(!be);
        m.idb(113, None);
        let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xDD];
        sll.extend_from_slice(&ip6_udp(9));
        m.epb(0, 1_700_000_003_000_000, &sll);
        n.out.extend_from_slice(&m.out);
        out.push((
            if be {
                "sections_be.pcapng"
            } else {
                "sections_le.pcapng"
            },
            n.out,
        ));
    }
    out
}

#[test]
fn committed_capture_fixtures_match_their_builders() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/captures");
    for (name, bytes) in fixtures() {
        let path = dir.join(name);
        if std::env::var_os("NETSIFT_WRITE_FIXTURES").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap_or_default(),
            bytes,
            "{name}: rerun with NETSIFT_WRITE_FIXTURES=1"
        );
        let (p, st) = packets(&bytes);
        assert!(!p.is_empty() && st.warnings.is_empty(), "{name}: {st:?}");
    }
    // The numbers the web test `captures.mjs` expects for this fixture.
    let enc = std::fs::read(dir.join("encapsulations.pcap")).unwrap();
    let out = read_flows_from_bytes(&enc, FlowConfig::default()).unwrap();
    assert_eq!((out.stats.packets, out.flows.len()), (8, 5));
}

/// Source, destination, IP length, source port, destination port.
type IpPacket = (String, String, u32, u16, u16);

/// tshark's view of each IP packet: (source, destination, IP length, source port, destination
/// port), with IP reassembly off so that every fragment is its own packet.
fn tshark_packets(path: &std::path::Path) -> Option<Vec<IpPacket>> {
    let o = std::process::Command::new("tshark")
        .args([
            "-n",
            "-o",
            "ip.defragment:FALSE",
            "-o",
            "ipv6.defragment:FALSE",
            "-r",
        ])
        .arg(path)
        .args(["-T", "fields", "-E", "separator=|", "-E", "occurrence=f"])
        .args(["-e", "ip.src", "-e", "ip.dst", "-e", "ip.len"])
        .args(["-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.plen"])
        .args([
            "-e",
            "tcp.srcport",
            "-e",
            "tcp.dstport",
            "-e",
            "udp.srcport",
            "-e",
            "udp.dstport",
        ])
        .output()
        .ok()?;
    assert!(
        o.status.success(),
        "tshark on {}: {}",
        path.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    Some(
        text.lines()
            .filter(|l| !l.starts_with("||||||")) // not IP (tshark lists pcapng custom blocks)
            .map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                let num = |s: &str| s.parse::<u32>().unwrap_or(0);
                let (src, dst, len) = if f[0].is_empty() {
                    (f[3].to_owned(), f[4].to_owned(), num(f[5]) + 40)
                } else {
                    (f[0].to_owned(), f[1].to_owned(), num(f[2]))
                };
                let sp = if f[6].is_empty() { f[8] } else { f[6] };
                let dp = if f[7].is_empty() { f[9] } else { f[7] };
                (src, dst, len, num(sp) as u16, num(dp) as u16)
            })
            .collect(),
    )
}

#[test]
fn tshark_sees_the_same_packets_bytes_and_ports_in_every_fixture() {
    if std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_err()
    {
        eprintln!("NOTICE: tshark not installed; skipping the capture-format cross-check");
        return;
    }
    let dir = std::env::temp_dir().join(format!("netsift-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in fixtures() {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let theirs = tshark_packets(&path).unwrap();
        let (ours, st) = packets(&bytes);
        assert_eq!(theirs.len() as u64, st.packets, "{name}: IP packets");
        let ip = |a: &[u8; 16], v6: bool| -> String {
            if v6 {
                std::net::Ipv6Addr::from(*a).to_string()
            } else {
                std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string()
            }
        };
        let ours: Vec<_> = ours
            .iter()
            .map(|p| {
                (
                    ip(&p.src, p.is_v6),
                    ip(&p.dst, p.is_v6),
                    p.ip_len,
                    p.src_port,
                    p.dst_port,
                )
            })
            .collect();
        // tshark leaves a later fragment's ports empty; we give it its first fragment's ports.
        let theirs: Vec<_> = theirs
            .into_iter()
            .zip(&ours)
            .map(|(t, o)| {
                if t.3 == 0 && t.4 == 0 {
                    (t.0, t.1, t.2, o.3, o.4)
                } else {
                    t
                }
            })
            .collect();
        assert_eq!(ours, theirs, "{name}");
        let bytes_ours: u64 = ours.iter().map(|p| u64::from(p.2)).sum();
        let bytes_theirs: u64 = theirs.iter().map(|p| u64::from(p.2)).sum();
        assert_eq!(bytes_ours, bytes_theirs, "{name}: IP bytes");
    }
    std::fs::remove_dir_all(&dir).ok();
}
