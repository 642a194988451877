//! Layer 2 beside the flows: ARP requests and replies ([`ArpRecord`]), which the flow builder
//! cannot use (ARP is not IP) but the ARP-spoofing rule needs.
//!
//! Only Ethernet/IPv4 ARP (hardware type 1, protocol 0x0800, address lengths 6 and 4, RFC 826)
//! is read, from Ethernet (VLAN tags included) and Linux cooked captures. The list is bounded
//! ([`MAX_ARP_RECORDS`]): a capture holding more keeps the first ones and counts the rest, so an
//! ARP storm cannot exhaust the tab's memory.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::engine::ingest::capture::decode::{network_layer, LinkType, ETH_ARP};

/// Most ARP records kept per capture (≈ 40 bytes each: 4 MB).
pub const MAX_ARP_RECORDS: usize = 100_000;

/// ARP operation 1.
pub const ARP_REQUEST: u16 = 1;
/// ARP operation 2.
pub const ARP_REPLY: u16 = 2;

/// One ARP packet: who says which IPv4 address has which MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArpRecord {
    /// Capture timestamp, nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    /// Operation: 1 request, 2 reply (others are kept as found).
    pub op: u16,
    /// Sender hardware (MAC) address.
    pub sender_mac: [u8; 6],
    /// Sender protocol (IPv4) address.
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (zeros in a request).
    pub target_mac: [u8; 6],
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
}

impl ArpRecord {
    /// A gratuitous ARP: the sender announces its own address (sender IP = target IP), as a
    /// request or an unsolicited reply.
    pub fn is_gratuitous(&self) -> bool {
        self.sender_ip == self.target_ip
    }

    /// Seconds since the epoch.
    pub fn ts(&self) -> f64 {
        self.ts_ns as f64 * 1e-9
    }
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn mac_string(mac: &[u8; 6]) -> String {
    let [a, b, c, d, e, f] = *mac;
    format!("{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{f:02x}")
}

/// The ARP record in a frame, when it carries Ethernet/IPv4 ARP.
pub fn parse_arp(link: LinkType, frame: &[u8], ts_ns: i64) -> Option<ArpRecord> {
    let (ethertype, d) = network_layer(link, frame).ok()?;
    if ethertype != ETH_ARP {
        return None;
    }
    let h = d.get(..28)?;
    let htype = u16::from_be_bytes([h[0], h[1]]);
    let ptype = u16::from_be_bytes([h[2], h[3]]);
    if htype != 1 || ptype != 0x0800 || h[4] != 6 || h[5] != 4 {
        return None;
    }
    let mac =
        |at: usize| -> [u8; 6] { [h[at], h[at + 1], h[at + 2], h[at + 3], h[at + 4], h[at + 5]] };
    let ip = |at: usize| Ipv4Addr::new(h[at], h[at + 1], h[at + 2], h[at + 3]);
    Some(ArpRecord {
        ts_ns,
        op: u16::from_be_bytes([h[6], h[7]]),
        sender_mac: mac(8),
        sender_ip: ip(14),
        target_mac: mac(18),
        target_ip: ip(24),
    })
}

/// The ARP records of a capture, bounded at [`MAX_ARP_RECORDS`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArpLog {
    /// Records in capture order.
    pub records: Vec<ArpRecord>,
    /// Records seen after the list was full (not kept).
    pub dropped: u64,
}

impl ArpLog {
    /// Keeps `r` while there is room, counts it otherwise.
    pub fn push(&mut self, r: ArpRecord) {
        if self.records.len() < MAX_ARP_RECORDS {
            self.records.push(r);
        } else {
            self.dropped += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arp_frame(op: u16, smac: u8, sip: [u8; 4], tip: [u8; 4]) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend_from_slice(&[2, 0, 0, 0, 0, smac]);
        f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4]);
        f.extend_from_slice(&op.to_be_bytes());
        f.extend_from_slice(&[2, 0, 0, 0, 0, smac]);
        f.extend_from_slice(&sip);
        f.extend_from_slice(&[0; 6]);
        f.extend_from_slice(&tip);
        f
    }

    #[test]
    fn an_ethernet_arp_request_is_read_field_by_field() {
        let f = arp_frame(ARP_REQUEST, 7, [10, 0, 0, 1], [10, 0, 0, 2]);
        let r = parse_arp(LinkType::Ethernet, &f, 5).unwrap();
        assert_eq!(r.op, ARP_REQUEST);
        assert_eq!(mac_string(&r.sender_mac), "02:00:00:00:00:07");
        assert_eq!(r.sender_ip, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(r.target_ip, Ipv4Addr::new(10, 0, 0, 2));
        assert!(!r.is_gratuitous());
        for n in 0..f.len() {
            assert_eq!(
                parse_arp(LinkType::Ethernet, &f[..n], 0),
                None,
                "prefix {n}"
            );
        }
    }

    #[test]
    fn the_log_keeps_the_first_records_and_counts_the_rest() {
        let r = parse_arp(
            LinkType::Ethernet,
            &arp_frame(ARP_REPLY, 1, [10, 0, 0, 1], [10, 0, 0, 1]),
            0,
        )
        .unwrap();
        assert!(r.is_gratuitous());
        let mut log = ArpLog::default();
        for _ in 0..MAX_ARP_RECORDS + 3 {
            log.push(r);
        }
        assert_eq!((log.records.len(), log.dropped), (MAX_ARP_RECORDS, 3));
    }
}
