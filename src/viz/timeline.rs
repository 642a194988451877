//! The timeline: ensemble score per row (row order on x), normal rows in one trace and anomalies
//! in one trace per severity, so the legend doubles as a severity key.

use plotly::common::{DashType, Font, Line, Marker, Mode, Title};
use plotly::configuration::Configuration;
use plotly::layout::{Axis, HoverMode, Legend, Margin};
use plotly::{Layout, Plot, Scatter};

use crate::engine::ensemble::Severity;
use crate::engine::pipeline::RunResult;
use crate::viz::palette::Palette;

/// Trace names, in drawing order after the normal rows.
const SEVERITIES: [(Severity, &str); 3] = [
    (Severity::Low, "anomaly · low"),
    (Severity::Medium, "anomaly · medium"),
    (Severity::High, "anomaly · high"),
];

/// Builds the timeline chart of a run.
///
/// Every row is drawn exactly once as a marker: normal rows in the "normal" trace, anomalies in
/// the trace of their severity (an anomaly whose severity is `None` counts as low). `threshold`,
/// when given, draws the slider's ensemble-score threshold as a dashed line (a line-only trace,
/// so it adds no markers).
pub fn timeline(result: &RunResult, threshold: Option<f64>, palette: &Palette) -> Plot {
    let n = result.ensemble_score.len();
    let n_detectors = result.members.len().max(1);
    let mut normal = Points::default();
    let mut by_severity: [Points; 3] = Default::default();
    for i in 0..n {
        let score = result.ensemble_score[i];
        let votes = result.votes.get(i).copied().unwrap_or(0);
        let anomalous = result.is_anomaly.get(i).copied().unwrap_or(false);
        let severity = result.severity.get(i).copied().unwrap_or(Severity::None);
        let text = format!("row {}<br>votes {votes}/{n_detectors}", i + 1);
        if anomalous {
            let slot = match severity {
                Severity::None | Severity::Low => 0,
                Severity::Medium => 1,
                Severity::High => 2,
            };
            by_severity[slot].push(i + 1, score, text);
        } else {
            normal.push(i + 1, score, text);
        }
    }

    let hover = "%{text}<br>score %{y:.3f}<extra>%{fullData.name}</extra>";
    let mut plot = Plot::new();
    plot.add_trace(
        Scatter::new(normal.x, normal.y)
            .name("normal")
            .mode(Mode::Markers)
            .text_array(normal.text)
            .hover_template(hover)
            .marker(Marker::new().size(4).color(palette.normal).opacity(0.55)),
    );
    for ((severity, name), pts) in SEVERITIES.iter().zip(by_severity) {
        plot.add_trace(
            Scatter::new(pts.x, pts.y)
                .name(*name)
                .mode(Mode::Markers)
                .text_array(pts.text)
                .hover_template(hover)
                .marker(Marker::new().size(7).color(palette.severity(*severity))),
        );
    }
    if let Some(t) = threshold {
        plot.add_trace(
            Scatter::new(vec![1usize, n.max(1)], vec![t, t])
                .name("threshold")
                .mode(Mode::Lines)
                .hover_template("threshold %{y:.3f}<extra></extra>")
                .line(
                    Line::new()
                        .color(palette.text)
                        .dash(DashType::Dash)
                        .width(1.0),
                ),
        );
    }

    let axis = |title: &str| {
        Axis::new()
            .title(Title::with_text(title))
            .grid_color(palette.grid)
            .zero_line(false)
            .color(palette.text)
    };
    plot.set_layout(
        Layout::new()
            .height(340)
            .margin(Margin::new().left(56).right(16).top(12).bottom(48))
            .paper_background_color("rgba(0,0,0,0)")
            .plot_background_color("rgba(0,0,0,0)")
            .font(Font::new().color(palette.text).size(12))
            .hover_mode(HoverMode::Closest)
            .legend(
                Legend::new()
                    .orientation(plotly::common::Orientation::Horizontal)
                    .y(1.12),
            )
            .x_axis(axis("row (file order)"))
            .y_axis(axis("ensemble score").range(vec![0.0, 1.02])),
    );
    plot.set_configuration(
        Configuration::new()
            .responsive(true)
            .display_logo(false)
            .show_send_to_cloud(false),
    );
    plot
}

#[derive(Default)]
struct Points {
    x: Vec<usize>,
    y: Vec<f64>,
    text: Vec<String>,
}

impl Points {
    fn push(&mut self, x: usize, y: f64, text: String) {
        self.x.push(x);
        self.y.push(y);
        self.text.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::pipeline::MemberResult;

    fn result(scores: &[f64], anomalies: &[(usize, Severity)]) -> RunResult {
        let n = scores.len();
        let mut is_anomaly = vec![false; n];
        let mut severity = vec![Severity::None; n];
        for &(i, s) in anomalies {
            is_anomaly[i] = true;
            severity[i] = s;
        }
        RunResult {
            n_rows: n,
            n_train: n,
            feature_names: vec!["x".into()],
            members: vec![MemberResult {
                kind: crate::engine::models::DetectorKind::IsolationForest,
                threshold: 0.6,
                scores: scores.to_vec(),
                n_anomalies: anomalies.len(),
                n_train: n,
                fit_seconds: 0.0,
                score_seconds: 0.0,
                metrics: None,
            }],
            votes: is_anomaly.iter().map(|&a| u8::from(a)).collect(),
            min_votes: 1,
            ensemble_score: scores.to_vec(),
            is_anomaly,
            severity,
            confidence: vec![1.0; n],
            agreement: vec![],
            metrics: None,
            warnings: vec![],
            total_seconds: 0.0,
        }
    }

    fn spec(plot: &Plot) -> serde_json::Value {
        serde_json::from_str(&plot.to_json()).unwrap()
    }

    #[test]
    fn every_row_is_drawn_exactly_once() {
        let r = result(
            &[0.1, 0.9, 0.2, 0.8, 0.95],
            &[(1, Severity::Low), (3, Severity::High), (4, Severity::None)],
        );
        let v = spec(&timeline(&r, None, &Palette::DARK));
        let traces = v["data"].as_array().unwrap();
        assert_eq!(traces.len(), 4);
        let counts: Vec<usize> = traces
            .iter()
            .map(|t| t["x"].as_array().unwrap().len())
            .collect();
        assert_eq!(counts, vec![2, 2, 0, 1]);
        assert_eq!(traces[0]["x"], serde_json::json!([1, 3]));
        assert_eq!(traces[3]["y"], serde_json::json!([0.8]));
    }

    #[test]
    fn threshold_adds_a_line_without_markers() {
        let r = result(&[0.1, 0.9], &[(1, Severity::High)]);
        let v = spec(&timeline(&r, Some(0.7), &Palette::DARK));
        let line = &v["data"][4];
        assert_eq!(line["mode"], "lines");
        assert_eq!(line["y"], serde_json::json!([0.7, 0.7]));
    }

    #[test]
    fn chart_uses_the_theme_colours() {
        let r = result(&[0.1], &[]);
        let v = spec(&timeline(&r, None, &Palette::LIGHT));
        assert_eq!(v["data"][0]["marker"]["color"], Palette::LIGHT.normal);
        assert_eq!(v["layout"]["font"]["color"], Palette::LIGHT.text);
    }
}
