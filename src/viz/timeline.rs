//! The timeline: ensemble score per row, x = the data's timestamp when it has one, else the row
//! order. Normal rows in one trace and flagged rows in one trace per severity, so the legend
//! doubles as a severity key. Rows are flagged under the analyst's threshold
//! ([`crate::engine::summary`]).
//!
//! **Size.** Up to [`SVG_MAX_ROWS`] rows the traces are SVG `scatter` (crisp, and every point is
//! a DOM node tests can count). Above that every trace is `scattergl` (WebGL): all rows, normals
//! included, are drawn — nothing is thinned — and a 150k-row draw stays well under 200 ms, where
//! SVG needs seconds. [`uses_webgl`] says which, for the caption.

use plotly::common::{Font, Marker, Mode, Title};
use plotly::layout::{Axis, AxisType, HoverMode, Legend, Margin};
use plotly::{Layout, Plot, Scatter};

use crate::engine::ensemble::Severity;
use crate::engine::pipeline::RunResult;
use crate::engine::summary::{is_flagged, shown_severity};
use crate::viz::config::chart_config;
use crate::viz::palette::Palette;

/// Rows above which the timeline switches to WebGL traces.
pub const SVG_MAX_ROWS: usize = 20_000;

/// Trace names, in drawing order after the normal rows.
const SEVERITIES: [&str; 3] = ["anomaly · low", "anomaly · medium", "anomaly · high"];

/// Whether a timeline of `n_rows` rows is drawn with WebGL.
pub fn uses_webgl(n_rows: usize) -> bool {
    n_rows > SVG_MAX_ROWS
}

/// One timeline trace's columns: x, y, row index.
type TimelineTrace = (Vec<f64>, Vec<f64>, Vec<usize>);

/// Builds the timeline chart of a run under `threshold` (`None` = the vote decision).
///
/// Every row is drawn exactly once: normal rows in the "normal" trace, flagged rows in the trace
/// of their shown severity (with WebGL, one trace per class and vote count, named after the
/// class). `timestamps` (seconds since the epoch, one per row) put the rows on a
/// date axis; when absent, or not one per row, x is the row number (1-based, file order).
pub fn timeline(
    result: &RunResult,
    threshold: Option<f64>,
    timestamps: Option<&[f64]>,
    palette: &Palette,
) -> Plot {
    let n = result.ensemble_score.len();
    let timestamps = timestamps.filter(|t| t.len() == n);
    let mut plot = Plot::new();
    if uses_webgl(n) {
        add_webgl_traces(&mut plot, result, threshold, timestamps, palette);
    } else {
        add_svg_traces(&mut plot, result, threshold, timestamps, palette);
    }

    let axis = |title: &str| {
        Axis::new()
            .title(Title::with_text(title))
            .grid_color(palette.grid)
            .zero_line(false)
            .color(palette.text)
    };
    let x_axis = match timestamps {
        Some(_) => axis("time (UTC)").type_(AxisType::Date),
        None => axis("row (file order)"),
    };
    plot.set_layout(
        Layout::new()
            .height(320)
            .margin(Margin::new().left(56).right(16).top(8).bottom(44))
            .paper_background_color("rgba(0,0,0,0)")
            .plot_background_color("rgba(0,0,0,0)")
            .font(Font::new().color(palette.text).size(12))
            .hover_mode(HoverMode::Closest)
            .legend(
                Legend::new()
                    .orientation(plotly::common::Orientation::Horizontal)
                    .x(0.0)
                    .y(1.1),
            )
            .x_axis(x_axis)
            .y_axis(axis("ensemble score").range(vec![0.0, 1.02])),
    );
    plot.set_configuration(chart_config("timeline"));
    plot
}

/// x of row `i`: its timestamp in epoch milliseconds (plotly's date axis reads numbers so), else
/// the 1-based row number.
fn x_of(timestamps: Option<&[f64]>, i: usize) -> f64 {
    match timestamps {
        Some(t) => t[i] * 1000.0,
        None => (i + 1) as f64,
    }
}

/// The SVG traces: normal, low, medium, high, each point with its hover text.
fn add_svg_traces(
    plot: &mut Plot,
    result: &RunResult,
    threshold: Option<f64>,
    timestamps: Option<&[f64]>,
    palette: &Palette,
) {
    let n = result.ensemble_score.len();
    let n_detectors = result.members.len().max(1);
    let mut normal = Points::default();
    let mut by_severity: [Points; 3] = Default::default();
    for i in 0..n {
        let score = result.ensemble_score[i];
        let votes = result.votes.get(i).copied().unwrap_or(0);
        let x = x_of(timestamps, i);
        let text = format!("row {} · votes {votes}/{n_detectors}", i + 1);
        if is_flagged(result, threshold, i) {
            let slot = match shown_severity(result, threshold, i) {
                Severity::None | Severity::Low => 0,
                Severity::Medium => 1,
                Severity::High => 2,
            };
            by_severity[slot].push(x, score, text);
        } else {
            normal.push(x, score, text);
        }
    }

    let hover = "%{text}<br>score %{y:.3f}<extra>%{fullData.name}</extra>";
    plot.add_trace(
        Scatter::new(normal.x, normal.y)
            .name("normal")
            .mode(Mode::Markers)
            .text_array(normal.text)
            .hover_template(hover)
            .marker(Marker::new().size(4).color(palette.normal).opacity(0.55)),
    );
    for ((severity, name), pts) in [Severity::Low, Severity::Medium, Severity::High]
        .into_iter()
        .zip(SEVERITIES)
        .zip(by_severity)
    {
        plot.add_trace(
            Scatter::new(pts.x, pts.y)
                .name(name)
                .mode(Mode::Markers)
                .text_array(pts.text)
                .hover_template(hover)
                .marker(Marker::new().size(7).color(palette.severity(severity))),
        );
    }
}

/// The WebGL traces: one per (class, vote count), so the hover needs no per-point text (150k
/// strings cost plotly ~0.8 s): the votes are part of each trace's hover template and the row
/// number is `customdata`. Traces of one class share a legend entry.
fn add_webgl_traces(
    plot: &mut Plot,
    result: &RunResult,
    threshold: Option<f64>,
    timestamps: Option<&[f64]>,
    palette: &Palette,
) {
    let n = result.ensemble_score.len();
    let n_detectors = result.members.len().max(1);
    // [class][votes] → (x, y, row)
    let mut groups: Vec<Vec<TimelineTrace>> = vec![vec![Default::default(); n_detectors + 1]; 4];
    for i in 0..n {
        let class = if is_flagged(result, threshold, i) {
            match shown_severity(result, threshold, i) {
                Severity::None | Severity::Low => 1,
                Severity::Medium => 2,
                Severity::High => 3,
            }
        } else {
            0
        };
        let votes = usize::from(result.votes.get(i).copied().unwrap_or(0)).min(n_detectors);
        let g = &mut groups[class][votes];
        g.0.push(x_of(timestamps, i));
        g.1.push(result.ensemble_score[i]);
        g.2.push(i + 1);
    }
    let names = ["normal", SEVERITIES[0], SEVERITIES[1], SEVERITIES[2]];
    let colours = [palette.normal, palette.low, palette.medium, palette.high];
    for (class, by_votes) in groups.into_iter().enumerate() {
        let mut first = true;
        for (votes, (x, y, rows)) in by_votes.into_iter().enumerate() {
            if x.is_empty() {
                continue;
            }
            let marker = if class == 0 {
                Marker::new().size(4).color(colours[0]).opacity(0.55)
            } else {
                Marker::new().size(7).color(colours[class])
            };
            plot.add_trace(
                Scatter::new(x, y)
                    .name(names[class])
                    .legend_group(names[class])
                    .show_legend(first)
                    .mode(Mode::Markers)
                    .custom_data(rows)
                    .hover_template(format!(
                        "row %{{customdata}} · votes {votes}/{n_detectors}<br>score %{{y:.3f}}<extra>{}</extra>",
                        names[class]
                    ))
                    .marker(marker)
                    .web_gl_mode(true),
            );
            first = false;
        }
    }
}

#[derive(Default)]
struct Points {
    x: Vec<f64>,
    y: Vec<f64>,
    text: Vec<String>,
}

impl Points {
    fn push(&mut self, x: f64, y: f64, text: String) {
        self.x.push(x);
        self.y.push(y);
        self.text.push(text);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::pipeline::MemberResult;

    pub(crate) fn result(scores: &[f64], anomalies: &[(usize, Severity)]) -> RunResult {
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

    fn counts(v: &serde_json::Value) -> Vec<usize> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["x"].as_array().unwrap().len())
            .collect()
    }

    #[test]
    fn every_row_is_drawn_exactly_once() {
        let r = result(
            &[0.1, 0.9, 0.2, 0.8, 0.95],
            &[(1, Severity::Low), (3, Severity::High), (4, Severity::None)],
        );
        let v = spec(&timeline(&r, None, None, &Palette::DARK));
        assert_eq!(counts(&v), vec![2, 2, 0, 1]);
        assert_eq!(v["data"][0]["x"], serde_json::json!([1.0, 3.0]));
        assert_eq!(v["data"][3]["y"], serde_json::json!([0.8]));
        assert_eq!(v["data"][0]["type"], "scatter");
    }

    #[test]
    fn threshold_relabels_rows() {
        let r = result(&[0.1, 0.9, 0.5], &[(1, Severity::High)]);
        let v = spec(&timeline(&r, Some(0.4), None, &Palette::DARK));
        // Row 3 (score 0.5) is flagged by the threshold only: drawn as low.
        assert_eq!(counts(&v), vec![1, 1, 0, 1]);
        let v = spec(&timeline(&r, Some(0.95), None, &Palette::DARK));
        assert_eq!(counts(&v), vec![3, 0, 0, 0]);
    }

    #[test]
    fn timestamps_make_a_date_axis_in_milliseconds() {
        let r = result(&[0.1, 0.9], &[(1, Severity::High)]);
        let ts = [1_735_689_600.0, 1_735_689_610.0];
        let v = spec(&timeline(&r, None, Some(&ts), &Palette::DARK));
        assert_eq!(v["layout"]["xaxis"]["type"], "date");
        assert_eq!(v["data"][0]["x"], serde_json::json!([1_735_689_600_000.0]));
        // Timestamps that do not match the rows are ignored.
        let v = spec(&timeline(&r, None, Some(&ts[..1]), &Palette::DARK));
        assert!(v["layout"]["xaxis"].get("type").is_none());
    }

    #[test]
    fn large_runs_use_webgl() {
        let scores = vec![0.2; SVG_MAX_ROWS + 1];
        let r = result(&scores, &[(0, Severity::High)]);
        let v = spec(&timeline(&r, None, None, &Palette::DARK));
        let traces = v["data"].as_array().unwrap();
        assert!(traces.iter().all(|t| t["type"] == "scattergl"));
        assert!(traces.iter().all(|t| t.get("text").is_none()));
        assert_eq!(counts(&v).iter().sum::<usize>(), SVG_MAX_ROWS + 1);
        let high: Vec<_> = traces
            .iter()
            .filter(|t| t["name"] == "anomaly · high")
            .collect();
        assert_eq!(high.len(), 1);
        assert_eq!(high[0]["customdata"], serde_json::json!([1]));
        assert!(high[0]["hovertemplate"]
            .as_str()
            .unwrap()
            .contains("votes 1/1"));
    }

    #[test]
    fn chart_uses_the_theme_colours() {
        let r = result(&[0.1], &[]);
        let v = spec(&timeline(&r, None, None, &Palette::LIGHT));
        assert_eq!(v["data"][0]["marker"]["color"], Palette::LIGHT.normal);
        assert_eq!(v["layout"]["font"]["color"], Palette::LIGHT.text);
    }
}
