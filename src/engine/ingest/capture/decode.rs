//! One captured frame → the few fields flows need ([`Packet`]).
//!
//! Hand-written rather than `etherparse`: the decoder must take whatever a capture holds —
//! snaplen-cut headers, IPv4 total length 0 (TSO), unknown EtherTypes, odd link layers such as SLL2
//! and BSD loopback — and extract what it can without allocating, at several million frames per
//! second. Every read goes through bounds-checked `get`, so no input can make it panic; what it
//! cannot use it reports as a [`Skip`] reason that the reader counts. (`etherparse` is used to
//! *write* frames in the generator and the tests, which makes it an independent cross-check.)

/// Link-layer header types this decoder understands (tcpdump.org LINKTYPE_ values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// `LINKTYPE_NULL` (0): BSD loopback, a 4-byte address family in the writer's byte order;
    /// also `LINKTYPE_LOOP` (108, OpenBSD loopback, the same header in network byte order).
    Null,
    /// `LINKTYPE_ETHERNET` (1): Ethernet II, with VLAN tags, MPLS labels or PPPoE (see
    /// `skip_shims`).
    Ethernet,
    /// `LINKTYPE_RAW` (101): a bare IPv4 or IPv6 packet; also the platform `DLT_RAW` values
    /// 12 and 14 that old BSD and OpenBSD files carry instead of 101.
    Raw,
    /// `LINKTYPE_LINUX_SLL` (113): Linux "cooked" capture v1 (`tcpdump -i any`).
    LinuxSll,
    /// `LINKTYPE_IPV4` (228): a bare IPv4 packet.
    Ipv4,
    /// `LINKTYPE_IPV6` (229): a bare IPv6 packet.
    Ipv6,
    /// `LINKTYPE_LINUX_SLL2` (276): Linux "cooked" capture v2.
    LinuxSll2,
}

impl LinkType {
    /// The decoder for a LINKTYPE_ number, or `None` when it is not supported.
    pub fn from_number(n: u32) -> Option<Self> {
        Some(match n {
            0 | 108 => LinkType::Null,
            1 => LinkType::Ethernet,
            12 | 14 | 101 => LinkType::Raw,
            113 => LinkType::LinuxSll,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            _ => return None,
        })
    }
}

/// A short human name for well-known link types, for error messages.
pub fn link_type_name(n: u32) -> &'static str {
    match n {
        0 => "BSD loopback",
        1 => "Ethernet",
        6 => "Token Ring",
        9 => "PPP",
        12 | 14 | 101 => "raw IP",
        105 => "IEEE 802.11 (Wi-Fi)",
        108 => "OpenBSD loopback",
        113 => "Linux cooked (SLL)",
        127 => "IEEE 802.11 radiotap",
        147..=162 => "user-defined (DLT_USER)",
        189 => "Linux USB",
        195 => "IEEE 802.15.4",
        220 => "Linux USB (mmapped)",
        228 => "raw IPv4",
        229 => "raw IPv6",
        249 => "Netlink",
        276 => "Linux cooked v2 (SLL2)",
        _ => "unknown",
    }
}

/// The decoded fields of one IP packet: endpoints, transport ports and flags, and lengths.
///
/// Addresses are stored as 16 bytes (IPv4 in the first 4 with `is_v6 == false`) so that a flow
/// key is one fixed-size value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// Capture timestamp, nanoseconds since the Unix epoch (UTC).
    pub ts_ns: i64,
    /// Source address (IPv4 uses the first 4 bytes).
    pub src: [u8; 16],
    /// Destination address (IPv4 uses the first 4 bytes).
    pub dst: [u8; 16],
    /// True for IPv6 addresses.
    pub is_v6: bool,
    /// Source port (0 when the protocol has none or the header was cut off).
    pub src_port: u16,
    /// Destination port (0 when the protocol has none or the header was cut off).
    pub dst_port: u16,
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …) after IPv6 extension headers.
    pub protocol: u8,
    /// TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20); 0 otherwise.
    pub tcp_flags: u8,
    /// Bytes of the IP packet as sent (header included), from the IP length field.
    pub ip_len: u32,
    /// Transport payload bytes as sent (TCP/UDP data; for ICMP the data after its 8-byte header;
    /// for other protocols the IP payload). This is CICFlowMeter's "packet length".
    pub payload_len: u32,
    /// True when the frame was cut short by the capture's snaplen.
    pub snap_truncated: bool,
    /// Where this packet sits in a fragmented IP datagram.
    pub fragment: Fragment,
}

/// A packet's place in a fragmented IP datagram. Only the first fragment carries the transport
/// header; the reader gives later fragments the ports of their first fragment (matched on
/// addresses, protocol and IP identification), so that their packets and bytes count in the
/// datagram's flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fragment {
    /// Not fragmented.
    Whole,
    /// The first fragment (offset 0, more fragments follow), with the IP identification.
    First(u32),
    /// A later fragment (offset > 0), with the IP identification: ports are 0 until the reader
    /// matches it; `payload_len` is its whole IP payload.
    Later(u32),
}

/// TCP FIN flag.
pub const FIN: u8 = 0x01;
/// TCP SYN flag.
pub const SYN: u8 = 0x02;
/// TCP RST flag.
pub const RST: u8 = 0x04;
/// TCP PSH flag.
pub const PSH: u8 = 0x08;
/// TCP ACK flag.
pub const ACK: u8 = 0x10;
/// TCP URG flag.
pub const URG: u8 = 0x20;

/// Why a frame produced no [`Packet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Not IPv4/IPv6 (ARP, LLDP, STP, …).
    NotIp,
    /// The frame ends before the IP header does (snaplen or a damaged frame).
    Truncated,
    /// The IP header is invalid (wrong version, header length < 20, …).
    Malformed,
}

#[inline]
fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

const ETH_IPV4: u16 = 0x0800;
/// ARP's EtherType.
pub(crate) const ETH_ARP: u16 = 0x0806;
const ETH_IPV6: u16 = 0x86DD;
const ETH_VLAN: [u16; 3] = [0x8100, 0x88A8, 0x9100];
const ETH_MPLS: u16 = 0x8847;
const ETH_MPLS_MULTICAST: u16 = 0x8848;
const ETH_PPPOE_SESSION: u16 = 0x8864;
/// More stacked VLAN tags / PPPoE headers (or MPLS labels) than this is treated as a damaged frame.
const MAX_SHIMS: usize = 8;

/// Decodes one frame of link type `link`. `orig_len` is the frame's length on the wire (it tells
/// whether the capture cut it short); `ts_ns` is copied into the packet.
pub fn decode(link: LinkType, frame: &[u8], orig_len: u32, ts_ns: i64) -> Result<Packet, Skip> {
    decode_with_payload(link, frame, orig_len, ts_ns).map(|(p, _)| p)
}

/// [`decode`], also returning the captured transport payload: the TCP or UDP data bytes present
/// in the frame (Ethernet padding excluded; shorter than `payload_len` when the snaplen cut the
/// frame), empty for later fragments and other protocols.
pub fn decode_with_payload(
    link: LinkType,
    frame: &[u8],
    orig_len: u32,
    ts_ns: i64,
) -> Result<(Packet, &[u8]), Skip> {
    let snap_truncated = (frame.len() as u64) < u64::from(orig_len);
    let (ethertype, ip) = network_layer(link, frame)?;
    let (mut p, payload) = match ethertype {
        ETH_IPV4 => ipv4(ip)?,
        ETH_IPV6 => ipv6(ip)?,
        _ => return Err(Skip::NotIp),
    };
    p.ts_ns = ts_ns;
    p.snap_truncated = snap_truncated;
    Ok((p, payload))
}

/// The EtherType (or its equivalent) of a frame and the bytes after the link header and any
/// VLAN/MPLS/PPPoE shims.
pub(crate) fn network_layer(link: LinkType, frame: &[u8]) -> Result<(u16, &[u8]), Skip> {
    let (ethertype, rest) = match link {
        LinkType::Ethernet => {
            // EtherType (≥ 0x0600) or an 802.3 length (LLC frames: STP, CDP, … are not IP).
            let t = be16(frame, 12).ok_or(Skip::Truncated)?;
            (t, frame.get(14..).ok_or(Skip::Truncated)?)
        }
        LinkType::LinuxSll => {
            let t = be16(frame, 14).ok_or(Skip::Truncated)?;
            (t, frame.get(16..).ok_or(Skip::Truncated)?)
        }
        LinkType::LinuxSll2 => {
            let t = be16(frame, 0).ok_or(Skip::Truncated)?;
            (t, frame.get(20..).ok_or(Skip::Truncated)?)
        }
        LinkType::Null => {
            let f = frame.get(..4).ok_or(Skip::Truncated)?;
            // The family is in the writer's byte order, which the file does not record: try both.
            let le = u32::from_le_bytes([f[0], f[1], f[2], f[3]]);
            let be = u32::from_be_bytes([f[0], f[1], f[2], f[3]]);
            let is = |fam: &[u32]| fam.contains(&le) || fam.contains(&be);
            let t = if is(&[2]) {
                ETH_IPV4
            } else if is(&[10, 24, 28, 30]) {
                ETH_IPV6
            } else {
                return Err(Skip::NotIp);
            };
            (t, &frame[4..])
        }
        LinkType::Raw => match frame.first().map(|b| b >> 4) {
            Some(4) => (ETH_IPV4, frame),
            Some(6) => (ETH_IPV6, frame),
            Some(_) => return Err(Skip::Malformed),
            None => return Err(Skip::Truncated),
        },
        LinkType::Ipv4 => (ETH_IPV4, frame),
        LinkType::Ipv6 => (ETH_IPV6, frame),
    };
    skip_shims(ethertype, rest)
}

/// Steps over what can sit between the link header and IP: 802.1Q / 802.1ad / 0x9100 VLAN tags
/// (stacked in any number up to [`MAX_SHIMS`]), an MPLS label stack (the payload after the
/// bottom-of-stack label is IPv4 or IPv6 by its version nibble; anything else, such as an
/// Ethernet pseudowire, is not IP) and a PPPoE session header (PPP protocol 0x0021 IPv4, 0x0057
/// IPv6). The Linux cooked formats can carry these too.
fn skip_shims(mut ethertype: u16, mut rest: &[u8]) -> Result<(u16, &[u8]), Skip> {
    for _ in 0..MAX_SHIMS {
        match ethertype {
            t if ETH_VLAN.contains(&t) => {
                ethertype = be16(rest, 2).ok_or(Skip::Truncated)?;
                rest = rest.get(4..).ok_or(Skip::Truncated)?;
            }
            ETH_MPLS | ETH_MPLS_MULTICAST => {
                // 4-byte label stack entries; bit 8 of the entry (0x01 of its third byte) ends it.
                let mut at = 0;
                loop {
                    let entry = rest.get(at..at + 4).ok_or(Skip::Truncated)?;
                    at += 4;
                    if entry[2] & 0x01 != 0 {
                        break;
                    }
                    if at >= 4 * MAX_SHIMS {
                        return Err(Skip::Malformed);
                    }
                }
                rest = &rest[at..];
                return match rest.first().map(|b| b >> 4) {
                    Some(4) => Ok((ETH_IPV4, rest)),
                    Some(6) => Ok((ETH_IPV6, rest)),
                    Some(_) => Err(Skip::NotIp),
                    None => Err(Skip::Truncated),
                };
            }
            ETH_PPPOE_SESSION => {
                // version/type, code, session id, length (6 bytes), then the PPP protocol.
                ethertype = match be16(rest, 6).ok_or(Skip::Truncated)? {
                    0x0021 => ETH_IPV4,
                    0x0057 => ETH_IPV6,
                    _ => return Err(Skip::NotIp),
                };
                rest = rest.get(8..).ok_or(Skip::Truncated)?;
            }
            _ => return Ok((ethertype, rest)),
        }
    }
    Err(Skip::Malformed)
}

fn empty_packet() -> Packet {
    Packet {
        ts_ns: 0,
        src: [0; 16],
        dst: [0; 16],
        is_v6: false,
        src_port: 0,
        dst_port: 0,
        protocol: 0,
        tcp_flags: 0,
        ip_len: 0,
        payload_len: 0,
        snap_truncated: false,
        fragment: Fragment::Whole,
    }
}

fn ipv4(d: &[u8]) -> Result<(Packet, &[u8]), Skip> {
    let h = d.get(..20).ok_or(Skip::Truncated)?;
    if h[0] >> 4 != 4 {
        return Err(Skip::Malformed);
    }
    let ihl = usize::from(h[0] & 0x0F) * 4;
    if ihl < 20 {
        return Err(Skip::Malformed);
    }
    let total = u16::from_be_bytes([h[2], h[3]]);
    // Total length 0 appears with TCP segmentation offload; the captured bytes are then the truth.
    let ip_len = if total == 0 {
        d.len() as u32
    } else {
        u32::from(total)
    };
    let flags_offset = u16::from_be_bytes([h[6], h[7]]);
    let more_fragments = flags_offset & 0x2000 != 0;
    let id = u32::from(u16::from_be_bytes([h[4], h[5]]));
    let mut p = empty_packet();
    p.src[..4].copy_from_slice(&h[12..16]);
    p.dst[..4].copy_from_slice(&h[16..20]);
    p.protocol = h[9];
    p.ip_len = ip_len;
    let ip_payload = ip_len.saturating_sub(ihl as u32);
    if flags_offset & 0x1FFF != 0 {
        p.fragment = Fragment::Later(id);
        p.payload_len = ip_payload;
        return Ok((p, &[]));
    }
    if more_fragments {
        p.fragment = Fragment::First(id);
    }
    let payload = transport(&mut p, d.get(ihl..).unwrap_or(&[]), ip_payload);
    Ok((p, payload))
}

/// IPv6 extension headers that are stepped over (hop-by-hop, routing, destination options,
/// mobility, HIP, shim6); fragment (44) and AH (51) have their own layouts.
const IPV6_EXT: [u8; 6] = [0, 43, 60, 135, 139, 140];
/// A chain longer than this is treated as damaged.
const MAX_IPV6_EXT: usize = 16;

fn ipv6(d: &[u8]) -> Result<(Packet, &[u8]), Skip> {
    let h = d.get(..40).ok_or(Skip::Truncated)?;
    if h[0] >> 4 != 6 {
        return Err(Skip::Malformed);
    }
    let plen = u16::from_be_bytes([h[4], h[5]]);
    // Payload length 0 means a jumbogram or segmentation offload: use the captured bytes.
    let ip_payload_total = if plen == 0 {
        d.len().saturating_sub(40) as u32
    } else {
        u32::from(plen)
    };
    let mut p = empty_packet();
    p.is_v6 = true;
    p.src.copy_from_slice(&h[8..24]);
    p.dst.copy_from_slice(&h[24..40]);
    p.ip_len = ip_payload_total + 40;
    let mut next = h[6];
    let mut at = 40usize;
    let mut used = 0u32; // extension-header bytes
    for _ in 0..MAX_IPV6_EXT {
        let len = if IPV6_EXT.contains(&next) {
            (usize::from(*d.get(at + 1).ok_or(Skip::Truncated)?) + 1) * 8
        } else if next == 44 {
            // Fragment header: next header, reserved, offset (13 bits) + M flag, identification.
            let off_m = be16(d, at + 2).ok_or(Skip::Truncated)?;
            let id = be16(d, at + 4)
                .zip(be16(d, at + 6))
                .map(|(hi, lo)| (u32::from(hi) << 16) | u32::from(lo))
                .ok_or(Skip::Truncated)?;
            if off_m >> 3 != 0 {
                p.protocol = *d.get(at).ok_or(Skip::Truncated)?;
                p.fragment = Fragment::Later(id);
                p.payload_len = ip_payload_total.saturating_sub(used + 8);
                return Ok((p, &[]));
            }
            if off_m & 1 != 0 {
                p.fragment = Fragment::First(id);
            }
            8
        } else if next == 51 {
            (usize::from(*d.get(at + 1).ok_or(Skip::Truncated)?) + 2) * 4
        } else {
            break;
        };
        next = *d.get(at).ok_or(Skip::Truncated)?;
        at += len;
        used += len as u32;
    }
    p.protocol = next;
    let payload = transport(
        &mut p,
        d.get(at..).unwrap_or(&[]),
        ip_payload_total.saturating_sub(used),
    );
    Ok((p, payload))
}

/// Fills ports, flags and payload length from the transport header; a cut-off header leaves
/// what could not be read at 0. Returns the TCP/UDP data bytes present in `t`, at most
/// `payload_len` of them (what follows is link-layer padding); empty for other protocols.
fn transport<'a>(p: &mut Packet, t: &'a [u8], ip_payload: u32) -> &'a [u8] {
    let data = transport_header(p, t, ip_payload);
    data.get(..p.payload_len as usize).unwrap_or(data)
}

fn transport_header<'a>(p: &mut Packet, t: &'a [u8], ip_payload: u32) -> &'a [u8] {
    match p.protocol {
        6 => {
            p.src_port = be16(t, 0).unwrap_or(0);
            p.dst_port = be16(t, 2).unwrap_or(0);
            p.tcp_flags = t.get(13).copied().unwrap_or(0) & 0x3F;
            let hlen = t.get(12).map_or(20, |b| u32::from(b >> 4) * 4).max(20);
            p.payload_len = ip_payload.saturating_sub(hlen);
            t.get(hlen as usize..).unwrap_or(&[])
        }
        17 | 136 => {
            // UDP and UDP-Lite share the port layout.
            p.src_port = be16(t, 0).unwrap_or(0);
            p.dst_port = be16(t, 2).unwrap_or(0);
            p.payload_len = ip_payload.saturating_sub(8);
            t.get(8..).unwrap_or(&[])
        }
        1 | 58 => {
            p.payload_len = ip_payload.saturating_sub(8);
            &[]
        }
        _ => {
            p.payload_len = ip_payload;
            &[]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eth_ipv4_tcp() -> Vec<u8> {
        let mut v = Vec::new();
        etherparse::PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(1234, 80, 1, 1000)
            .syn()
            .write(&mut v, b"hello")
            .unwrap();
        v
    }

    #[test]
    fn ethernet_tcp_fields_are_extracted() {
        let f = eth_ipv4_tcp();
        let p = decode(LinkType::Ethernet, &f, f.len() as u32, 5).unwrap();
        assert_eq!(&p.src[..4], &[10, 0, 0, 1]);
        assert_eq!((p.src_port, p.dst_port, p.protocol), (1234, 80, 6));
        assert_eq!(p.tcp_flags, SYN);
        assert_eq!((p.ip_len, p.payload_len), (45, 5));
        assert!(!p.snap_truncated);
    }

    #[test]
    fn every_prefix_of_a_frame_decodes_or_skips_without_panic() {
        let f = eth_ipv4_tcp();
        for n in 0..f.len() {
            let r = decode(LinkType::Ethernet, &f[..n], f.len() as u32, 0);
            if n < 34 {
                assert_eq!(r, Err(Skip::Truncated), "prefix {n}");
            } else {
                // IP header complete: lengths come from the header even when the rest is cut.
                let p = r.unwrap();
                assert!(p.snap_truncated);
                assert_eq!(p.payload_len, 5);
            }
        }
    }

    #[test]
    fn later_fragments_have_no_ports_and_carry_their_identification() {
        let mut f = eth_ipv4_tcp();
        f[14 + 4..14 + 6].copy_from_slice(&0x1234u16.to_be_bytes());
        f[14 + 7] = 10; // fragment offset 10 × 8 bytes
        let p = decode(LinkType::Ethernet, &f, f.len() as u32, 0).unwrap();
        assert_eq!(p.fragment, Fragment::Later(0x1234));
        assert_eq!((p.src_port, p.dst_port, p.tcp_flags), (0, 0, 0));
        assert_eq!((p.ip_len, p.payload_len), (45, 25), "the whole IP payload");
        f[14 + 6] = 0x20; // more fragments, offset 0: the first fragment
        f[14 + 7] = 0;
        let p = decode(LinkType::Ethernet, &f, f.len() as u32, 0).unwrap();
        assert_eq!((p.fragment, p.dst_port), (Fragment::First(0x1234), 80));
    }

    #[test]
    fn arp_is_not_ip() {
        let mut f = vec![0u8; 42];
        f[12] = 0x08;
        f[13] = 0x06;
        assert_eq!(decode(LinkType::Ethernet, &f, 42, 0), Err(Skip::NotIp));
    }
}
