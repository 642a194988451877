//! The timeline: ensemble score per row, x = the data's timestamp when it has one, else the row
//! order. Normal rows in one trace and flagged rows in one trace per severity, so the legend
//! doubles as a severity key. Rows are flagged under the analyst's threshold
//! ([`crate::analysis::summary`]).
//!
//! **Size.** Up to [`SVG_MAX_ROWS`] rows every row is drawn as an SVG `scatter` point (crisp, and
//! every point is a DOM node tests can count). Above that the traces are `scattergl` (WebGL) and
//! the *normal* rows are thinned: x is cut into [`BUCKETS`] equal buckets and each bucket keeps
//! its lowest- and highest-scoring normal row ([`representatives`]). On a score-vs-time chart that
//! draws the same envelope of the normal band, pixel for pixel at any sensible width, while
//! plotly gets ≤ 2 × [`BUCKETS`] normal points instead of ~130k. **Every flagged row is drawn**,
//! however many there are. [`NormalRows`] says how many normal rows were shown, for the caption.
//! At 150k rows this took the build + draw from one ≈ 540 ms main-thread task to well under
//! 200 ms (figures in tests/e2e/specs/results.mjs's log).

use plotly::common::{Marker, Mode};
use plotly::layout::{AxisType, HoverMode, Legend, Margin};
use plotly::{Plot, Scatter};

use crate::analysis::summary::{is_flagged, shown_severity};
use crate::engine::ensemble::Severity;
use crate::engine::pipeline::RunResult;
use crate::viz::frame;
use crate::viz::palette::Palette;

/// Rows above which the timeline switches to WebGL traces and thins the normal rows.
pub const SVG_MAX_ROWS: usize = 20_000;

/// x buckets the normal rows are thinned to (each keeps its min- and max-score row).
pub const BUCKETS: usize = 2_000;

/// Trace names, in drawing order after the normal rows.
const SEVERITIES: [&str; 3] = ["anomaly · low", "anomaly · medium", "anomaly · high"];

/// Whether a timeline of `n_rows` rows is drawn with WebGL (and its normal rows thinned).
pub fn uses_webgl(n_rows: usize) -> bool {
    n_rows > SVG_MAX_ROWS
}

/// How many of the normal (unflagged) rows a timeline draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NormalRows {
    /// Normal rows drawn.
    pub shown: usize,
    /// Normal rows in the run.
    pub total: usize,
}

impl NormalRows {
    /// Whether some normal rows were left out.
    pub fn thinned(&self) -> bool {
        self.shown < self.total
    }
}

/// A timeline chart and what it shows.
pub struct TimelineChart {
    /// The plotly figure.
    pub plot: Plot,
    /// Normal rows drawn out of all normal rows.
    pub normal: NormalRows,
}

/// One timeline trace's columns: x, y, row index.
type TimelineTrace = (Vec<f64>, Vec<f64>, Vec<usize>);

/// Builds the timeline chart of a run under `threshold` (`None` = the vote decision).
///
/// Flagged rows are drawn in the trace of their shown severity (with WebGL, one trace per class
/// and vote count, named after the class). Normal rows are all drawn up to [`SVG_MAX_ROWS`] rows,
/// thinned to [`representatives`] above. `timestamps` (seconds since the epoch, one per row) put
/// the rows on a date axis; when absent, or not one per row, x is the row number (1-based, file
/// order).
pub fn timeline(
    result: &RunResult,
    threshold: Option<f64>,
    timestamps: Option<&[f64]>,
    palette: &Palette,
) -> TimelineChart {
    let n = result.ensemble_score.len();
    let timestamps = timestamps.filter(|t| t.len() == n);
    let mut plot = Plot::new();
    let normal = if uses_webgl(n) {
        add_webgl_traces(&mut plot, result, threshold, timestamps, palette)
    } else {
        add_svg_traces(&mut plot, result, threshold, timestamps, palette)
    };

    let x_axis = match timestamps {
        Some(_) => frame::axis(palette, "time (UTC)").type_(AxisType::Date),
        None => frame::axis(palette, "row (file order)"),
    };
    plot.set_layout(
        frame::untitled(palette, 320)
            .margin(Margin::new().left(56).right(16).top(8).bottom(44))
            .hover_mode(HoverMode::Closest)
            .legend(
                Legend::new()
                    .orientation(plotly::common::Orientation::Horizontal)
                    .x(0.0)
                    .y(1.1),
            )
            .x_axis(x_axis)
            .y_axis(frame::axis(palette, "ensemble score").range(vec![0.0, 1.02])),
    );
    plot.set_configuration(frame::config("timeline"));
    TimelineChart { plot, normal }
}

/// An empty timeline (its axes, one invisible point below the y range) drawn while a run trains:
/// plotly pays its one-off set-up then, while the main thread is idle, instead of in the task
/// that draws the result — its first chart on the page (≈ 150–250 ms) and, with `webgl` (runs
/// above [`SVG_MAX_ROWS`]), the WebGL context and shaders (another ≈ 200–300 ms).
pub fn placeholder(palette: &Palette, webgl: bool) -> Plot {
    let mut plot = Plot::new();
    plot.add_trace(
        Scatter::new(vec![0.0], vec![-1.0])
            .name("normal")
            .mode(Mode::Markers)
            .show_legend(false)
            .hover_info(plotly::common::HoverInfo::Skip)
            .marker(Marker::new().size(1).opacity(0.0))
            .web_gl_mode(webgl),
    );
    plot.set_layout(
        frame::untitled(palette, 320)
            .margin(Margin::new().left(56).right(16).top(8).bottom(44))
            .x_axis(frame::axis(palette, "row (file order)"))
            .y_axis(frame::axis(palette, "ensemble score").range(vec![0.0, 1.02])),
    );
    plot.set_configuration(frame::config("timeline"));
    plot
}

/// The normal rows a thinned timeline keeps: x is cut into `buckets` equal buckets between the
/// smallest and largest finite x of the normal rows, and each bucket keeps its lowest- and
/// highest-scoring normal row (the first one on ties, so the choice is deterministic). Rows with
/// a non-finite x cannot be drawn and are never kept. Returns row indices in ascending order.
///
/// `x`, `score` and `normal` hold one entry per row; rows beyond the shortest are ignored.
pub fn representatives(x: &[f64], score: &[f64], normal: &[bool], buckets: usize) -> Vec<usize> {
    let n = x.len().min(score.len()).min(normal.len());
    let buckets = buckets.max(1);
    let drawable = |i: &usize| normal[*i] && x[*i].is_finite();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in (0..n).filter(drawable) {
        lo = lo.min(x[i]);
        hi = hi.max(x[i]);
    }
    if lo > hi {
        return Vec::new();
    }
    let span = hi - lo;
    let bucket_of = |v: f64| {
        if span > 0.0 {
            (((v - lo) / span * buckets as f64) as usize).min(buckets - 1)
        } else {
            0
        }
    };
    // Per bucket: (row of the lowest score, row of the highest score).
    let mut ends: Vec<Option<(usize, usize)>> = vec![None; buckets];
    for i in (0..n).filter(drawable) {
        let slot = &mut ends[bucket_of(x[i])];
        match slot {
            None => *slot = Some((i, i)),
            Some((min, max)) => {
                if score[i] < score[*min] {
                    *min = i;
                }
                if score[i] > score[*max] {
                    *max = i;
                }
            }
        }
    }
    let mut kept: Vec<usize> = ends
        .into_iter()
        .flatten()
        .flat_map(|(min, max)| [min, max])
        .collect();
    kept.sort_unstable();
    kept.dedup();
    kept
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
) -> NormalRows {
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
    let shown = NormalRows {
        shown: normal.x.len(),
        total: normal.x.len(),
    };
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
    shown
}

/// The WebGL traces: one per (class, vote count), so the hover needs no per-point text (150k
/// strings cost plotly ~0.8 s): the votes are part of each trace's hover template and the row
/// number is `customdata`. Traces of one class share a legend entry. Normal rows are thinned to
/// their [`representatives`]; every flagged row is drawn.
fn add_webgl_traces(
    plot: &mut Plot,
    result: &RunResult,
    threshold: Option<f64>,
    timestamps: Option<&[f64]>,
    palette: &Palette,
) -> NormalRows {
    let n = result.ensemble_score.len();
    let n_detectors = result.members.len().max(1);
    let flagged: Vec<bool> = (0..n).map(|i| is_flagged(result, threshold, i)).collect();
    let normal: Vec<bool> = flagged.iter().map(|f| !f).collect();
    let xs: Vec<f64> = (0..n).map(|i| x_of(timestamps, i)).collect();
    let kept = representatives(&xs, &result.ensemble_score, &normal, BUCKETS);
    let shown = NormalRows {
        shown: kept.len(),
        total: normal.iter().filter(|&&b| b).count(),
    };
    let mut keep = normal;
    keep.fill(false);
    for &i in &kept {
        keep[i] = true;
    }
    // [class][votes] → (x, y, row)
    let mut groups: Vec<Vec<TimelineTrace>> = vec![vec![Default::default(); n_detectors + 1]; 4];
    for i in 0..n {
        if !flagged[i] && !keep[i] {
            continue;
        }
        let class = if flagged[i] {
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
        g.0.push(xs[i]);
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
    shown
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

    fn spec(chart: &TimelineChart) -> serde_json::Value {
        serde_json::from_str(&chart.plot.to_json()).unwrap()
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
        // Equal scores: one normal row per bucket, plus the one flagged row.
        assert_eq!(counts(&v).iter().sum::<usize>(), BUCKETS + 1);
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

    /// A run of `n` rows with a wavy score, every 7th row flagged (high above 0.8).
    fn big_run(n: usize) -> RunResult {
        let scores: Vec<f64> = (0..n)
            .map(|i| 0.3 + 0.2 * ((i * 37 % 101) as f64 / 101.0))
            .collect();
        let flagged: Vec<(usize, Severity)> =
            (0..n).step_by(7).map(|i| (i, Severity::Medium)).collect();
        result(&scores, &flagged)
    }

    fn rows_of(v: &serde_json::Value, normal: bool) -> Vec<u64> {
        let mut rows: Vec<u64> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| (t["name"] == "normal") == normal)
            .flat_map(|t| t["customdata"].as_array().unwrap().iter())
            .map(|r| r.as_u64().unwrap())
            .collect();
        rows.sort_unstable();
        rows
    }

    #[test]
    fn every_flagged_row_is_drawn_when_normals_are_thinned() {
        let n = SVG_MAX_ROWS * 3;
        let r = big_run(n);
        let chart = timeline(&r, None, None, &Palette::DARK);
        let v = spec(&chart);
        let want: Vec<u64> = (0..n).step_by(7).map(|i| i as u64 + 1).collect();
        assert_eq!(rows_of(&v, false), want);
        assert_eq!(chart.normal.total, n - want.len());
        assert!(chart.normal.thinned());
        assert!(chart.normal.shown <= 2 * BUCKETS);
        assert_eq!(rows_of(&v, true).len(), chart.normal.shown);
        // A threshold that flags most rows: still every one of them drawn.
        let chart = timeline(&r, Some(0.35), None, &Palette::DARK);
        let flagged = r.ensemble_score.iter().filter(|&&s| s >= 0.35).count();
        assert_eq!(rows_of(&spec(&chart), false).len(), flagged);
    }

    #[test]
    fn each_bucket_keeps_its_lowest_and_highest_normal_row() {
        // Two buckets over x 0..=9; row 4 is flagged (not normal) and has the extreme score.
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let score = [0.5, 0.1, 0.9, 0.4, 0.99, 0.6, 0.2, 0.8, 0.3, 0.7];
        let mut normal = [true; 10];
        normal[4] = false;
        assert_eq!(representatives(&x, &score, &normal, 2), vec![1, 2, 6, 7]);
        // One bucket per row keeps every normal row once.
        let all: Vec<usize> = (0..10).filter(|&i| i != 4).collect();
        assert_eq!(representatives(&x, &score, &normal, 10), all);
    }

    #[test]
    fn thinning_is_deterministic_and_ignores_undrawable_rows() {
        let x = [5.0, 5.0, f64::NAN, 5.0];
        let score = [0.2, 0.2, 0.0, 0.2];
        let normal = [true; 4];
        // Equal x and equal scores: the first row is both extremes; the NaN row is never kept.
        assert_eq!(representatives(&x, &score, &normal, 3), vec![0]);
        assert_eq!(representatives(&x, &score, &normal, 3), vec![0]);
        assert!(representatives(&[f64::NAN], &[0.1], &[true], 4).is_empty());
        assert!(representatives(&[], &[], &[], 0).is_empty());
        let r = big_run(SVG_MAX_ROWS + 500);
        let a = timeline(&r, Some(0.45), None, &Palette::DARK)
            .plot
            .to_json();
        let b = timeline(&r, Some(0.45), None, &Palette::DARK)
            .plot
            .to_json();
        assert_eq!(a, b);
    }

    #[test]
    fn thinning_follows_the_timestamps_not_the_file_order() {
        // Rows out of time order: buckets are over time, so the two early rows share a bucket.
        let x = [100.0, 0.0, 1.0, 99.0];
        let score = [0.5, 0.1, 0.3, 0.2];
        assert_eq!(representatives(&x, &score, &[true; 4], 2), vec![0, 1, 2, 3]);
        assert_eq!(representatives(&x, &score, &[true; 4], 1), vec![0, 1]);
    }

    #[test]
    fn placeholder_is_one_invisible_webgl_point() {
        let v: serde_json::Value =
            serde_json::from_str(&placeholder(&Palette::DARK, true).to_json()).unwrap();
        assert_eq!(v["data"][0]["type"], "scattergl");
        assert_eq!(v["data"][0]["y"], serde_json::json!([-1.0]));
        assert_eq!(v["data"][0]["marker"]["opacity"], 0.0);
        let v: serde_json::Value =
            serde_json::from_str(&placeholder(&Palette::DARK, false).to_json()).unwrap();
        assert_eq!(v["data"][0]["type"], "scatter");
    }

    #[test]
    fn small_runs_draw_every_normal_row() {
        let r = result(&[0.1, 0.2, 0.9], &[(2, Severity::High)]);
        let chart = timeline(&r, None, None, &Palette::DARK);
        assert_eq!(chart.normal, NormalRows { shown: 2, total: 2 });
        assert!(!chart.normal.thinned());
    }
}
