//! Live-mode charts: flows and anomalies per second over the last minutes, and a rolling scatter
//! of ensemble scores. x is stream time in seconds since the session started; both charts are
//! rebuilt from bounded windows (≤ 300 seconds, ≤ 600 points), so a redraw costs the same at
//! minute one and hour ten.

use plotly::common::{Line, Marker, Mode};
use plotly::layout::{HoverMode, Legend, Margin};
use plotly::{Layout, Plot, Scatter};

use crate::engine::live::SecondAgg;
use crate::viz::frame;
use crate::viz::palette::Palette;

fn layout(palette: &Palette, y_title: &str, y_range: Option<Vec<f64>>) -> Layout {
    let mut y = frame::axis(palette, y_title).range_mode(plotly::layout::RangeMode::ToZero);
    if let Some(r) = y_range {
        y = y.range(r);
    }
    frame::untitled(palette, 240)
        .margin(Margin::new().left(52).right(12).top(8).bottom(40))
        .hover_mode(HoverMode::Closest)
        .legend(
            Legend::new()
                .orientation(plotly::common::Orientation::Horizontal)
                .y(1.18),
        )
        .x_axis(frame::axis(palette, "stream time (s)"))
        .y_axis(y)
}

/// Flows per second and model anomalies per second; `start` is the stream's start (epoch s).
pub fn rate_chart<'a>(
    seconds: impl Iterator<Item = &'a SecondAgg>,
    start: f64,
    palette: &Palette,
) -> Plot {
    let (mut x, mut flows, mut anomalies) = (Vec::new(), Vec::new(), Vec::new());
    for s in seconds {
        x.push(s.t as f64 - start.floor());
        flows.push(s.flows);
        anomalies.push(s.anomalies);
    }
    let mut plot = Plot::new();
    plot.add_trace(
        Scatter::new(x.clone(), flows)
            .name("flows/s")
            .mode(Mode::Lines)
            .line(Line::new().color(palette.normal).width(1.5))
            .hover_template("%{x:.0} s · %{y} flows<extra></extra>"),
    );
    plot.add_trace(
        Scatter::new(x, anomalies)
            .name("anomalies/s")
            .mode(Mode::Lines)
            .line(Line::new().color(palette.high).width(1.5))
            .hover_template("%{x:.0} s · %{y} anomalies<extra></extra>"),
    );
    plot.set_layout(layout(palette, "per second", None));
    plot.set_configuration(frame::config("live-rate"));
    plot
}

/// Sampled ensemble scores: normal flows and anomalies as two marker traces.
pub fn score_chart<'a>(
    points: impl Iterator<Item = &'a (f64, f32, bool)>,
    start: f64,
    palette: &Palette,
) -> Plot {
    let (mut nx, mut ny, mut ax, mut ay) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &(t, s, anomalous) in points {
        let x = t - start;
        if anomalous {
            ax.push(x);
            ay.push(f64::from(s));
        } else {
            nx.push(x);
            ny.push(f64::from(s));
        }
    }
    let mut plot = Plot::new();
    plot.add_trace(
        Scatter::new(nx, ny)
            .name("normal")
            .mode(Mode::Markers)
            .marker(Marker::new().size(4).color(palette.normal).opacity(0.55))
            .hover_template("%{x:.1} s · score %{y:.3f}<extra></extra>"),
    );
    plot.add_trace(
        Scatter::new(ax, ay)
            .name("anomaly")
            .mode(Mode::Markers)
            .marker(Marker::new().size(6).color(palette.high))
            .hover_template("%{x:.1} s · score %{y:.3f}<extra>anomaly</extra>"),
    );
    plot.set_layout(layout(palette, "ensemble score", Some(vec![0.0, 1.02])));
    plot.set_configuration(frame::config("live-scores"));
    plot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_chart_has_one_point_per_second_in_each_trace() {
        let secs: Vec<SecondAgg> = (0..5)
            .map(|i| SecondAgg {
                t: 100 + i,
                flows: 10 + i as u32,
                anomalies: 1,
                mean_score: 0.1,
                max_score: 0.5,
            })
            .collect();
        let json: serde_json::Value =
            serde_json::from_str(&rate_chart(secs.iter(), 100.0, &Palette::DARK).to_json())
                .unwrap();
        let data = json["data"].as_array().unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(data[0]["x"].as_array().unwrap().len(), 5);
        assert_eq!(data[0]["y"][4], 14);
        assert_eq!(data[0]["x"][0], 0.0);
    }

    #[test]
    fn score_chart_splits_anomalies() {
        let pts = [(10.0, 0.2f32, false), (11.0, 0.9, true), (12.0, 0.3, false)];
        let json: serde_json::Value =
            serde_json::from_str(&score_chart(pts.iter(), 10.0, &Palette::DARK).to_json()).unwrap();
        assert_eq!(json["data"][0]["x"].as_array().unwrap().len(), 2);
        assert_eq!(json["data"][1]["x"][0], 1.0);
    }
}
