//! The Network page's charts, from [`NetworkViews`]: top talkers, protocols, destination ports,
//! flows per minute with anomalies overlaid, and the packet-length distribution. Each is a bar
//! chart with one "flows" trace and, once a run exists, an "anomalies" trace drawn over it.

use plotly::common::{Marker, Orientation};
use plotly::layout::{Axis, AxisType, BarMode, HoverMode, Legend, Margin};
use plotly::{Bar, Layout, Plot};

use crate::analysis::netviews::{Bucket, NetworkViews};
use crate::engine::time::iso8601;
use crate::viz::escape::escape;
use crate::viz::frame;
use crate::viz::palette::Palette;

/// Which network chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetChart {
    /// Bytes per source (top talkers).
    Talkers,
    /// Flows per protocol.
    Protocols,
    /// Flows per destination port.
    Ports,
    /// Flows per minute, anomalies overlaid.
    PerMinute,
    /// Flows per mean packet length.
    PacketLengths,
}

impl NetChart {
    /// Whether the views hold data for this chart.
    pub fn has_data(self, v: &NetworkViews) -> bool {
        match self {
            NetChart::Talkers => !v.top_talkers.is_empty(),
            NetChart::Protocols => !v.protocols.is_empty(),
            NetChart::Ports => !v.dst_ports.is_empty(),
            NetChart::PerMinute => !v.per_minute.is_empty(),
            NetChart::PacketLengths => !v.packet_lengths.is_empty(),
        }
    }
}

/// Builds one network chart.
pub fn network_chart(which: NetChart, v: &NetworkViews, palette: &Palette) -> Plot {
    let mut plot = chart(which, v, palette);
    plot.set_configuration(frame::config(which.file_name()));
    plot
}

impl NetChart {
    /// The chart's name in its PNG download (`netsift-<name>.png`).
    pub fn file_name(self) -> &'static str {
        match self {
            NetChart::Talkers => "top-talkers",
            NetChart::Protocols => "protocols",
            NetChart::Ports => "destination-ports",
            NetChart::PerMinute => "flows-per-minute",
            NetChart::PacketLengths => "packet-lengths",
        }
    }
}

fn chart(which: NetChart, v: &NetworkViews, palette: &Palette) -> Plot {
    match which {
        NetChart::Talkers => {
            // Largest at the top of a horizontal bar chart: plotly draws categories bottom-up.
            let t: Vec<_> = v.top_talkers.iter().rev().collect();
            let labels: Vec<String> = t.iter().map(|t| escape(&t.ip)).collect();
            let bytes: Vec<f64> = t.iter().map(|t| t.bytes as f64).collect();
            let text: Vec<String> = t
                .iter()
                .map(|t| format!("{} flows · {} anomalies", t.flows, t.anomalies))
                .collect();
            let mut plot = Plot::new();
            plot.add_trace(
                Bar::new(bytes, labels)
                    .name("bytes")
                    .orientation(Orientation::Horizontal)
                    .text_array(text)
                    .hover_template("%{y}<br>%{x:,} bytes<br>%{text}<extra></extra>")
                    .text_position(plotly::common::TextPosition::None)
                    .marker(Marker::new().color(palette.normal)),
            );
            finish(plot, palette, "bytes sent and received", "", false, true)
        }
        NetChart::Protocols => buckets(&v.protocols, v.scored, palette, "protocol"),
        NetChart::Ports => buckets(&v.dst_ports, v.scored, palette, "destination port"),
        NetChart::PacketLengths => buckets(
            &v.packet_lengths,
            v.scored,
            palette,
            "mean packet length per flow",
        ),
        NetChart::PerMinute => {
            let x: Vec<String> = v.per_minute.iter().map(|m| plotly_date(m.start)).collect();
            let flows: Vec<usize> = v.per_minute.iter().map(|m| m.flows).collect();
            let anomalies: Vec<usize> = v.per_minute.iter().map(|m| m.anomalies).collect();
            let mut plot = Plot::new();
            plot.add_trace(
                Bar::new(x.clone(), flows)
                    .name("flows")
                    .hover_template("%{x}<br>%{y} flows<extra></extra>")
                    .marker(Marker::new().color(palette.normal)),
            );
            if v.scored {
                plot.add_trace(
                    Bar::new(x, anomalies)
                        .name("anomalies")
                        .hover_template("%{x}<br>%{y} anomalies<extra></extra>")
                        .marker(Marker::new().color(palette.high)),
                );
            }
            let mut plot = finish(plot, palette, "minute (UTC)", "flows", v.scored, false);
            plot.set_layout(layout(
                palette,
                "minute (UTC)",
                "flows",
                v.scored,
                false,
                true,
            ));
            plot
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC), the date form plotly.js reads without a time-zone shift.
fn plotly_date(epoch_seconds: f64) -> String {
    let iso = iso8601(epoch_seconds);
    iso.get(..19).unwrap_or(&iso).replacen('T', " ", 1)
}

fn buckets(b: &[Bucket], scored: bool, palette: &Palette, x_title: &str) -> Plot {
    let labels: Vec<String> = b.iter().map(|b| escape(&b.label)).collect();
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(labels.clone(), b.iter().map(|b| b.count).collect())
            .name("flows")
            .hover_template("%{x}<br>%{y} flows<extra></extra>")
            .marker(Marker::new().color(palette.normal)),
    );
    if scored {
        plot.add_trace(
            Bar::new(labels, b.iter().map(|b| b.anomalies).collect())
                .name("anomalies")
                .hover_template("%{x}<br>%{y} anomalies<extra></extra>")
                .marker(Marker::new().color(palette.high)),
        );
    }
    finish(plot, palette, x_title, "flows", scored, false)
}

fn axis(palette: &Palette, title: &str) -> Axis {
    frame::axis(palette, title).auto_margin(true)
}

fn finish(
    mut plot: Plot,
    palette: &Palette,
    x_title: &str,
    y_title: &str,
    legend: bool,
    horizontal: bool,
) -> Plot {
    plot.set_layout(layout(palette, x_title, y_title, legend, horizontal, false));
    plot
}

fn layout(
    palette: &Palette,
    x_title: &str,
    y_title: &str,
    legend: bool,
    horizontal: bool,
    date_x: bool,
) -> Layout {
    let mut x = axis(palette, x_title);
    let mut y = axis(palette, y_title);
    if horizontal {
        y = y.type_(AxisType::Category);
    } else if date_x {
        x = x.type_(AxisType::Date);
    } else {
        x = x.type_(AxisType::Category);
    }
    frame::untitled(palette, 280)
        .margin(
            Margin::new()
                .left(56)
                .right(16)
                .top(if legend { 28 } else { 12 })
                .bottom(48),
        )
        .hover_mode(HoverMode::Closest)
        .bar_mode(BarMode::Overlay)
        .show_legend(legend)
        .legend(Legend::new().orientation(Orientation::Horizontal).y(1.14))
        .x_axis(x)
        .y_axis(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::netviews::{MinuteBin, Talker};

    fn views() -> NetworkViews {
        NetworkViews {
            rows: 3,
            records: 3,
            skipped_rows: 0,
            scored: true,
            missing: vec![],
            unsupported_rules: vec![],
            alerts: vec![],
            top_talkers: vec![
                Talker {
                    ip: "10.0.0.1".into(),
                    flows: 2,
                    bytes: 900,
                    packets: 9,
                    destinations: 1,
                    anomalies: 1,
                },
                Talker {
                    ip: "10.0.0.2".into(),
                    flows: 1,
                    bytes: 100,
                    packets: 1,
                    destinations: 1,
                    anomalies: 0,
                },
            ],
            suspicious_ips: vec![],
            protocols: vec![Bucket {
                label: "tcp".into(),
                count: 3,
                anomalies: 1,
            }],
            dst_ports: vec![],
            per_minute: vec![MinuteBin {
                start: 1_700_000_040.0,
                flows: 3,
                anomalies: 1,
            }],
            packet_lengths: vec![],
            conversations: vec![],
            conversation_count: 0,
            anomalies: vec![],
            anomaly_count: 1,
            threshold: None,
        }
    }

    #[test]
    fn top_talkers_are_drawn_largest_on_top() {
        let json: serde_json::Value = serde_json::from_str(
            &network_chart(NetChart::Talkers, &views(), &Palette::DARK).to_json(),
        )
        .unwrap();
        assert_eq!(
            json["data"][0]["y"],
            serde_json::json!(["10.0.0.2", "10.0.0.1"])
        );
        assert_eq!(json["data"][0]["x"], serde_json::json!([100.0, 900.0]));
        assert_eq!(json["data"][0]["orientation"], "h");
    }

    #[test]
    fn anomalies_overlay_the_flows_once_a_run_exists() {
        let mut v = views();
        let json: serde_json::Value =
            serde_json::from_str(&network_chart(NetChart::PerMinute, &v, &Palette::DARK).to_json())
                .unwrap();
        assert_eq!(json["data"].as_array().map(Vec::len), Some(2));
        assert_eq!(json["data"][0]["x"][0], "2023-11-14 22:14:00");
        assert_eq!(json["layout"]["xaxis"]["type"], "date");
        v.scored = false;
        let json: serde_json::Value =
            serde_json::from_str(&network_chart(NetChart::Protocols, &v, &Palette::DARK).to_json())
                .unwrap();
        assert_eq!(json["data"].as_array().map(Vec::len), Some(1));
        assert_eq!(json["data"][0]["y"], serde_json::json!([3]));
    }
}
