//! Rule thresholds ([`RulesConfig`]): plain serde data with tested defaults, validated
//! before a run. Partial JSON is accepted (`#[serde(default)]`): missing fields keep their default.

use serde::{Deserialize, Serialize};

use crate::engine::error::ParamError;

/// Thresholds and windows of every rule. All times are seconds, all sizes bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// Port scan: distinct destination ports from one source to one host. Default 20.
    pub port_scan_ports: u32,
    /// Port scan window. Default 60.
    pub port_scan_window_s: f64,
    /// IP scan: distinct destination hosts from one source. Default 50.
    pub ip_scan_hosts: u32,
    /// IP scan window. Default 60.
    pub ip_scan_window_s: f64,
    /// SYN flood: SYNs of half-open TCP connections toward one host. Default 100.
    pub syn_flood_syns: u32,
    /// SYN flood window. Default 10.
    pub syn_flood_window_s: f64,
    /// Traffic spike: packets per second toward one host, or in total, over one 1-second bucket.
    /// Default 1000.
    pub spike_pps: f64,
    /// DDoS: distinct sources hitting one target. Default 20.
    pub ddos_sources: u32,
    /// DDoS window. Default 30.
    pub ddos_window_s: f64,
    /// Beaconing: fewest connections of one source to one destination (and port). Default 10.
    pub beacon_min_connections: u32,
    /// Beaconing: lowest score (0–1) that raises an alert. Default 0.8.
    pub beacon_min_score: f64,
    /// Beaconing: interval jitter (median absolute deviation ÷ median interval) at which the
    /// dispersion part of the timing score reaches 0. Default 0.2.
    pub beacon_jitter_tolerance: f64,
    /// Beaconing: shortest median interval, seconds; faster regular traffic is streaming or bulk
    /// transfer, not a call-home. Default 1.
    pub beacon_min_interval_s: f64,
    /// Most connections kept per beaconing pair (the latest ones). Default 4096.
    pub beacon_max_history: u32,
    /// Long connection: duration of one conversation. Default 3600.
    pub long_connection_s: f64,
    /// Long connection: flows of one 5-tuple closer than this are one conversation (the flow
    /// builder cuts a connection at its active timeout). Default 120.
    pub long_connection_gap_s: f64,
    /// Large outbound transfer: bytes sent by one source to one destination within the window,
    /// whatever came back. Default 10,000,000.
    pub outbound_bytes: u64,
    /// Large outbound transfer: smaller uploads count when at least this large … Default 1,000,000.
    pub outbound_ratio_floor_bytes: u64,
    /// … and at least this many times what came back. Default 10.
    pub outbound_ratio: f64,
    /// Large outbound transfer window. Default 3600.
    pub outbound_window_s: f64,
    /// Large outbound transfer: only count destinations outside private, loopback and link-local
    /// ranges (when the address parses). Default true.
    pub outbound_external_only: bool,
    /// After an alert for a rule and key, later triggers within this many seconds of the alert's
    /// end extend it instead of raising another. Default 300.
    pub cooldown_s: f64,
    /// Fold alerts that describe one attack into one (see the [rules module docs](super)).
    /// Default true.
    pub correlate: bool,
    /// Most flow rows listed per alert (the count is always exact). Default 1000.
    pub max_flows_per_alert: u32,
    /// Password guessing: destination ports of login services. Default FTP 21, SSH 22, Telnet
    /// 23, POP3 110, NetBIOS 139, IMAP 143, SMB 445, RDP 3389, VNC 5900 (the services Zeek's
    /// and Suricata's brute-force detections and tools such as Hydra target).
    pub brute_force_ports: Vec<u16>,
    /// Password guessing: login attempts (short or failed connections) from one source to one
    /// service in the window. Default 20 (Zeek's `FTP::bruteforce_threshold`).
    pub brute_force_attempts: u32,
    /// Password guessing window. Default 900 (Zeek's `FTP::bruteforce_measurement_interval`,
    /// 15 min).
    pub brute_force_window_s: f64,
    /// Distributed password guessing: distinct sources with attempts against one service in the
    /// window (with `brute_force_attempts` attempts in all). Default 10.
    pub brute_force_sources: u32,
    /// A connection to a login service counts as an attempt when it failed (reset, or no
    /// completed handshake) or lasted less than this many seconds … Default 30.
    pub brute_force_max_attempt_s: f64,
    /// … and carried fewer payload bytes (both directions) than this. Default 20,000 (an SSH or
    /// RDP login exchange is a few kB; a session that moves data is not a guess).
    pub brute_force_max_attempt_bytes: u64,
    /// DNS tunnelling window. Default 300.
    pub dns_tunnel_window_s: f64,
    /// DNS tunnelling: distinct subdomains of one registered domain queried by one host in the
    /// window, at least half of them encoded-looking (long label or high entropy). Default 40.
    pub dns_tunnel_subdomains: u32,
    /// DNS tunnelling: a label at least this long makes a query encoded-looking. Default 30
    /// (host names rarely exceed 20 characters a label; iodine and dnscat2 fill labels to 63).
    pub dns_tunnel_label_len: u32,
    /// DNS tunnelling: Shannon entropy (bits per character) of a subdomain of at least 20
    /// characters that makes it encoded-looking. Default 3.5 (hex and base32 payloads reach
    /// 3.5–4.5; words and host names stay below 3.2).
    pub dns_tunnel_entropy: f64,
    /// DNS tunnelling: TXT or NULL queries for distinct names of one domain from one host in the
    /// window, whatever the names look like. Default 50.
    pub dns_tunnel_txt_queries: u32,
    /// NXDOMAIN burst: distinct names that failed with NXDOMAIN for one host in the window.
    /// Default 50 (a mistyped name or a search-list miss fails a handful of names; DGA malware
    /// tries tens to hundreds).
    pub nxdomain_names: u32,
    /// NXDOMAIN burst window. Default 300.
    pub nxdomain_window_s: f64,
    /// ARP spoofing: how long an IP → MAC binding and a MAC's claimed IPs are remembered.
    /// Default 3600.
    pub arp_window_s: f64,
    /// ARP spoofing: distinct IPv4 addresses one MAC claims in ARP replies or announcements in
    /// the window. Default 10 (a host with a few aliases stays below; poisoning a subnet does
    /// not).
    pub arp_ips_per_mac: u32,
    /// ARP spoofing: gratuitous ARPs from one MAC within `arp_storm_window_s`. Default 30 (a
    /// VRRP/keepalived failover announces each address about 5 times).
    pub arp_gratuitous: u32,
    /// Gratuitous-ARP storm window. Default 60.
    pub arp_storm_window_s: f64,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            port_scan_ports: 20,
            port_scan_window_s: 60.0,
            ip_scan_hosts: 50,
            ip_scan_window_s: 60.0,
            syn_flood_syns: 100,
            syn_flood_window_s: 10.0,
            spike_pps: 1000.0,
            ddos_sources: 20,
            ddos_window_s: 30.0,
            beacon_min_connections: 10,
            beacon_min_score: 0.8,
            beacon_jitter_tolerance: 0.2,
            beacon_min_interval_s: 1.0,
            beacon_max_history: 4096,
            long_connection_s: 3600.0,
            long_connection_gap_s: 120.0,
            outbound_bytes: 10_000_000,
            outbound_ratio_floor_bytes: 1_000_000,
            outbound_ratio: 10.0,
            outbound_window_s: 3600.0,
            outbound_external_only: true,
            cooldown_s: 300.0,
            correlate: true,
            max_flows_per_alert: 1000,
            brute_force_ports: vec![21, 22, 23, 110, 139, 143, 445, 3389, 5900],
            brute_force_attempts: 20,
            brute_force_window_s: 900.0,
            brute_force_sources: 10,
            brute_force_max_attempt_s: 30.0,
            brute_force_max_attempt_bytes: 20_000,
            dns_tunnel_window_s: 300.0,
            dns_tunnel_subdomains: 40,
            dns_tunnel_label_len: 30,
            dns_tunnel_entropy: 3.5,
            dns_tunnel_txt_queries: 50,
            nxdomain_names: 50,
            nxdomain_window_s: 300.0,
            arp_window_s: 3600.0,
            arp_ips_per_mac: 10,
            arp_gratuitous: 30,
            arp_storm_window_s: 60.0,
        }
    }
}

impl RulesConfig {
    /// Checks every field: counts ≥ 1, windows and durations positive and finite (≤ 10 years),
    /// the beacon score and jitter tolerance in (0, 1], the cooldown ≥ 0.
    pub fn validate(&self) -> Result<(), ParamError> {
        for (field, v) in [
            ("port_scan_ports", self.port_scan_ports),
            ("ip_scan_hosts", self.ip_scan_hosts),
            ("syn_flood_syns", self.syn_flood_syns),
            ("ddos_sources", self.ddos_sources),
            ("max_flows_per_alert", self.max_flows_per_alert),
            ("brute_force_attempts", self.brute_force_attempts),
            ("brute_force_sources", self.brute_force_sources),
            ("dns_tunnel_subdomains", self.dns_tunnel_subdomains),
            ("dns_tunnel_label_len", self.dns_tunnel_label_len),
            ("dns_tunnel_txt_queries", self.dns_tunnel_txt_queries),
            ("nxdomain_names", self.nxdomain_names),
            ("arp_ips_per_mac", self.arp_ips_per_mac),
            ("arp_gratuitous", self.arp_gratuitous),
        ] {
            if v == 0 {
                return Err(ParamError::new(field, "must be at least 1"));
            }
        }
        if self.beacon_min_connections < 4 {
            return Err(ParamError::new(
                "beacon_min_connections",
                format!(
                    "must be at least 4 (quartiles of intervals), got {}",
                    self.beacon_min_connections
                ),
            ));
        }
        if self.beacon_max_history < self.beacon_min_connections {
            return Err(ParamError::new(
                "beacon_max_history",
                "must be at least beacon_min_connections",
            ));
        }
        for (field, v) in [
            ("port_scan_window_s", self.port_scan_window_s),
            ("ip_scan_window_s", self.ip_scan_window_s),
            ("syn_flood_window_s", self.syn_flood_window_s),
            ("ddos_window_s", self.ddos_window_s),
            ("spike_pps", self.spike_pps),
            ("long_connection_s", self.long_connection_s),
            ("outbound_window_s", self.outbound_window_s),
            ("outbound_ratio", self.outbound_ratio),
            ("brute_force_window_s", self.brute_force_window_s),
            ("brute_force_max_attempt_s", self.brute_force_max_attempt_s),
            ("dns_tunnel_window_s", self.dns_tunnel_window_s),
            ("dns_tunnel_entropy", self.dns_tunnel_entropy),
            ("nxdomain_window_s", self.nxdomain_window_s),
            ("arp_window_s", self.arp_window_s),
            ("arp_storm_window_s", self.arp_storm_window_s),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 3.2e8) {
                return Err(ParamError::new(
                    field,
                    format!("must be a positive number up to 3.2e8, got {v}"),
                ));
            }
        }
        for (field, v) in [
            ("long_connection_gap_s", self.long_connection_gap_s),
            ("beacon_min_interval_s", self.beacon_min_interval_s),
            ("cooldown_s", self.cooldown_s),
        ] {
            if !(v.is_finite() && (0.0..=3.2e8).contains(&v)) {
                return Err(ParamError::new(
                    field,
                    format!("must be a number of seconds in [0, 3.2e8], got {v}"),
                ));
            }
        }
        for (field, v) in [
            ("beacon_min_score", self.beacon_min_score),
            ("beacon_jitter_tolerance", self.beacon_jitter_tolerance),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                return Err(ParamError::new(
                    field,
                    format!("must be in (0, 1], got {v}"),
                ));
            }
        }
        if self.outbound_bytes == 0 {
            return Err(ParamError::new("outbound_bytes", "must be at least 1"));
        }
        Ok(())
    }

    /// Parses a (possibly partial) JSON config and validates it.
    pub fn from_json(text: &str) -> Result<Self, ParamError> {
        let c: Self = serde_json::from_str(text).map_err(|e| {
            ParamError::new(
                "rules config",
                format!("not a valid rules config: {e} (fields are those of RulesConfig, e.g. {{\"port_scan_ports\": 30}})"),
            )
        })?;
        c.validate()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_values_and_valid() {
        let c = RulesConfig::default();
        assert_eq!((c.port_scan_ports, c.port_scan_window_s), (20, 60.0));
        assert_eq!((c.ip_scan_hosts, c.ip_scan_window_s), (50, 60.0));
        assert_eq!((c.syn_flood_syns, c.syn_flood_window_s), (100, 10.0));
        assert_eq!(c.spike_pps, 1000.0);
        assert_eq!((c.ddos_sources, c.ddos_window_s), (20, 30.0));
        assert_eq!(c.cooldown_s, 300.0);
        c.validate().unwrap();
    }

    #[test]
    fn partial_json_keeps_defaults() {
        let c = RulesConfig::from_json(r#"{"port_scan_ports": 300}"#).unwrap();
        assert_eq!(c.port_scan_ports, 300);
        assert_eq!(c.ddos_sources, 20);
    }

    #[test]
    fn bad_json_and_bad_values_name_the_problem() {
        let e = RulesConfig::from_json(r#"{"port_scan_portz": 3}"#).unwrap_err();
        assert!(e.message.contains("port_scan_portz"), "{e}");
        let e = RulesConfig::from_json(r#"{"syn_flood_window_s": -1}"#).unwrap_err();
        assert_eq!(e.field, "syn_flood_window_s");
        let e = RulesConfig::from_json(r#"{"beacon_min_score": 2}"#).unwrap_err();
        assert_eq!(e.field, "beacon_min_score");
    }
}
