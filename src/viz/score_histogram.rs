//! The histogram of the ensemble score, split at the analyst's threshold: normal rows and
//! flagged rows as two stacked bar traces over fixed bins of [0, 1], so the threshold's effect
//! is visible as colour. The bins are counted here (one O(n) pass) and only the bin counts go to
//! plotly, so the chart costs the same at 150 rows and at 150k.
//!
//! The threshold line itself is not part of the chart: the page draws it as a draggable handle
//! over the plot, positioned with [`X_RANGE`] and [`MARGIN`], and keeps it in step with the
//! slider without redrawing plotly.

use plotly::common::Marker;
use plotly::layout::{BarMode, HoverMode, Legend, Margin};
use plotly::{Bar, Plot};

use crate::analysis::summary::is_flagged;
use crate::engine::pipeline::RunResult;
use crate::viz::frame;
use crate::viz::palette::Palette;

/// Number of bins over [0, 1].
pub const BINS: usize = 50;

/// The fixed x range of the chart (the ensemble score lives in [0, 1]).
pub const X_RANGE: (f64, f64) = (0.0, 1.0);

/// Plot margins in pixels: left, right, top, bottom.
pub const MARGIN: (usize, usize, usize, usize) = (56, 16, 8, 40);

/// Height of the chart in pixels.
pub const HEIGHT: usize = 200;

/// Counts per bin: `(normal, flagged)`, bin `b` covering `[b/BINS, (b+1)/BINS)` (the last bin
/// includes 1; scores outside [0, 1] go to the end bins, NaN is skipped).
pub fn bin_counts(result: &RunResult, threshold: Option<f64>) -> (Vec<u64>, Vec<u64>) {
    let mut normal = vec![0u64; BINS];
    let mut flagged = vec![0u64; BINS];
    for (i, &s) in result.ensemble_score.iter().enumerate() {
        if s.is_nan() {
            continue;
        }
        let b = ((s.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1);
        if is_flagged(result, threshold, i) {
            flagged[b] += 1;
        } else {
            normal[b] += 1;
        }
    }
    (normal, flagged)
}

/// Builds the score histogram of a run under `threshold` (`None` = the vote decision).
pub fn score_histogram(result: &RunResult, threshold: Option<f64>, palette: &Palette) -> Plot {
    let (normal, flagged) = bin_counts(result, threshold);
    let width = 1.0 / BINS as f64;
    let centres: Vec<f64> = (0..BINS).map(|b| (b as f64 + 0.5) * width).collect();
    let hover = "score %{x:.2f} ± 0.01<br>%{y} rows<extra>%{fullData.name}</extra>";
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(centres.clone(), normal)
            .name("normal")
            .width(width)
            .hover_template(hover)
            .marker(Marker::new().color(palette.normal).opacity(0.8)),
    );
    plot.add_trace(
        Bar::new(centres, flagged)
            .name("flagged")
            .width(width)
            .hover_template(hover)
            .marker(Marker::new().color(palette.high).opacity(0.9)),
    );
    let axis = |title: &str| frame::axis(palette, title);
    let (l, r, t, b) = MARGIN;
    plot.set_layout(
        frame::untitled(palette, HEIGHT)
            .margin(Margin::new().left(l).right(r).top(t).bottom(b))
            .bar_mode(BarMode::Stack)
            .bar_gap(0.0)
            .hover_mode(HoverMode::Closest)
            .show_legend(false)
            .legend(Legend::new())
            .x_axis(
                axis("ensemble score")
                    .range(vec![X_RANGE.0, X_RANGE.1])
                    .fixed_range(true),
            )
            .y_axis(axis("rows").fixed_range(true)),
    );
    plot.set_configuration(frame::config("score-histogram"));
    plot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ensemble::Severity;
    use crate::viz::timeline::tests::result;

    #[test]
    fn every_scored_row_lands_in_one_bin() {
        let r = result(&[0.0, 0.5, 0.99, 1.0, 1.3, f64::NAN], &[(2, Severity::Low)]);
        let (normal, flagged) = bin_counts(&r, None);
        assert_eq!(normal.iter().sum::<u64>() + flagged.iter().sum::<u64>(), 5);
        assert_eq!(normal[0], 1);
        assert_eq!(normal[BINS / 2], 1);
        assert_eq!(flagged[BINS - 1], 1);
        assert_eq!(normal[BINS - 1], 2);
    }

    #[test]
    fn threshold_moves_rows_between_the_traces() {
        let r = result(&[0.1, 0.6, 0.9], &[(2, Severity::High)]);
        let (_, flagged) = bin_counts(&r, Some(0.5));
        assert_eq!(flagged.iter().sum::<u64>(), 2);
        let v: serde_json::Value =
            serde_json::from_str(&score_histogram(&r, Some(0.5), &Palette::DARK).to_json())
                .unwrap();
        assert_eq!(v["data"][1]["y"].as_array().unwrap().len(), BINS);
        assert_eq!(v["layout"]["barmode"], "stack");
        assert_eq!(v["layout"]["xaxis"]["range"], serde_json::json!([0.0, 1.0]));
    }
}
