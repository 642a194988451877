//! Counting charts: anomalies per detector and by the ensemble, rows per number of votes, and
//! anomalies per severity.

use plotly::common::{Marker, TextPosition};
use plotly::layout::Legend;
use plotly::{Bar, Plot};

use crate::engine::ensemble::Severity;
use crate::engine::pipeline::RunResult;
use crate::viz::frame;
use crate::viz::palette::Palette;

/// Anomalies flagged by each detector (its own threshold) and by the ensemble vote. The hover of
/// each detector's bar gives its threshold and fit/score seconds.
pub fn model_comparison(result: &RunResult, palette: &Palette) -> Plot {
    let mut names = Vec::new();
    let mut counts = Vec::new();
    let mut colours = Vec::new();
    let mut hover = Vec::new();
    for m in &result.members {
        // Two-line tick labels: five long names side by side would be rotated and collide.
        names.push(m.kind.label().replacen(' ', "<br>", 1));
        counts.push(m.n_anomalies);
        colours.push(frame::detector_colour(palette, m.kind));
        hover.push(format!(
            "threshold {:.4}<br>fit {:.2} s · score {:.2} s<br>trained on {} rows",
            m.threshold, m.fit_seconds, m.score_seconds, m.n_train
        ));
    }
    let flagged = result.is_anomaly.iter().filter(|&&a| a).count();
    names.push(format!("Ensemble<br>(≥ {} votes)", result.min_votes));
    counts.push(flagged);
    colours.push(frame::ensemble_colour(palette));
    hover.push(format!(
        "a row is anomalous when at least {} of {} detectors flag it<br>engine time {:.2} s",
        result.min_votes,
        result.members.len(),
        result.total_seconds
    ));
    let text: Vec<String> = counts.iter().map(|c| c.to_string()).collect();
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(names, counts)
            .name("anomalies")
            .text_array(text)
            .text_position(TextPosition::Outside)
            .clip_on_axis(false)
            .hover_text_array(hover)
            .hover_template("%{y} anomalies<br>%{hovertext}<extra></extra>")
            .marker(Marker::new().color_array(colours)),
    );
    plot.set_layout(
        frame::layout(
            palette,
            "Anomalies flagged per detector and by the ensemble",
            300,
        )
        .show_legend(false)
        .margin(
            plotly::layout::Margin::new()
                .left(56)
                .right(16)
                .top(40)
                .bottom(56),
        )
        .x_axis(frame::axis(palette, ""))
        .y_axis(frame::axis(palette, "rows flagged")),
    );
    plot.set_configuration(frame::config("model-comparison"));
    plot
}

/// Rows per number of detector votes (0 … members); bars at or above `min_votes` (the
/// anomalies) are highlighted.
pub fn voting(vote_counts: &[usize], min_votes: usize, palette: &Palette) -> Plot {
    let labels: Vec<String> = (0..vote_counts.len())
        .map(|v| format!("{v} vote{}", if v == 1 { "" } else { "s" }))
        .collect();
    let colours: Vec<&str> = (0..vote_counts.len())
        .map(|v| {
            if v >= min_votes {
                palette.high
            } else {
                frame::muted(palette)
            }
        })
        .collect();
    let text: Vec<String> = vote_counts.iter().map(|c| c.to_string()).collect();
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(labels, vote_counts.to_vec())
            .name("rows")
            .text_array(text)
            .text_position(TextPosition::Outside)
            .clip_on_axis(false)
            .hover_template("%{x}: %{y} rows<extra></extra>")
            .marker(Marker::new().color_array(colours)),
    );
    plot.set_layout(
        frame::layout(
            palette,
            &format!("Voting breakdown · ≥ {min_votes} votes = anomaly (highlighted)"),
            300,
        )
        .show_legend(false)
        .x_axis(frame::axis(palette, "detectors that flag the row"))
        .y_axis(frame::axis(palette, "rows")),
    );
    plot.set_configuration(frame::config("voting"));
    plot
}

/// Anomalies per severity (low, medium, high; an anomaly without severity counts as low).
pub fn severity_counts(result: &RunResult) -> [usize; 3] {
    let mut c = [0; 3];
    for (a, s) in result.is_anomaly.iter().zip(&result.severity) {
        if *a {
            match s {
                Severity::None | Severity::Low => c[0] += 1,
                Severity::Medium => c[1] += 1,
                Severity::High => c[2] += 1,
            }
        }
    }
    c
}

/// Anomalies per severity in the severity colours.
pub fn severity(result: &RunResult, palette: &Palette) -> Plot {
    let counts = severity_counts(result);
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(vec!["low", "medium", "high"], counts.to_vec())
            .name("anomalies")
            .text_array(counts.iter().map(|c| c.to_string()).collect())
            .text_position(TextPosition::Outside)
            .clip_on_axis(false)
            .hover_template("%{x}: %{y} anomalies<extra></extra>")
            .marker(Marker::new().color_array(vec![palette.low, palette.medium, palette.high])),
    );
    plot.set_layout(
        frame::layout(palette, "Severity distribution of the anomalies", 300)
            .show_legend(false)
            .legend(Legend::new())
            .x_axis(frame::axis(palette, "severity"))
            .y_axis(frame::axis(palette, "anomalies")),
    );
    plot.set_configuration(frame::config("severity"));
    plot
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::models::DetectorKind;
    use crate::engine::pipeline::MemberResult;

    pub(crate) fn result() -> RunResult {
        let member = |kind, n_anomalies, threshold| MemberResult {
            kind,
            threshold,
            scores: vec![0.0; 4],
            n_anomalies,
            n_train: 4,
            fit_seconds: 0.5,
            score_seconds: 0.25,
            metrics: None,
        };
        RunResult {
            n_rows: 4,
            n_train: 4,
            feature_names: vec!["x".into()],
            members: vec![
                member(DetectorKind::IsolationForest, 2, 0.61),
                member(DetectorKind::Lof, 1, 1.5),
            ],
            votes: vec![0, 1, 2, 2],
            min_votes: 2,
            ensemble_score: vec![0.1, 0.5, 0.9, 0.95],
            is_anomaly: vec![false, false, true, true],
            severity: vec![
                Severity::None,
                Severity::None,
                Severity::High,
                Severity::Low,
            ],
            confidence: vec![1.0; 4],
            agreement: vec![],
            metrics: None,
            warnings: vec![],
            total_seconds: 1.0,
        }
    }

    fn spec(plot: &Plot) -> serde_json::Value {
        serde_json::from_str(&plot.to_json()).unwrap()
    }

    #[test]
    fn comparison_counts_each_detector_and_the_ensemble() {
        let v = spec(&model_comparison(&result(), &Palette::DARK));
        let bar = &v["data"][0];
        assert_eq!(bar["y"], serde_json::json!([2, 1, 2]));
        assert_eq!(bar["x"][2], "Ensemble<br>(≥ 2 votes)");
        // The count over the tallest bar is drawn above the axis, not clipped.
        assert_eq!(bar["cliponaxis"], false);
        assert!(bar["hovertext"][0]
            .as_str()
            .unwrap()
            .contains("threshold 0.6100"));
        assert_eq!(v["config"]["toImageButtonOptions"]["format"], "png");
        assert!(v["layout"]["title"]["text"]
            .as_str()
            .unwrap()
            .contains("Anomalies"));
    }

    #[test]
    fn voting_highlights_rows_at_or_above_min_votes() {
        let v = spec(&voting(&[1, 1, 2], 2, &Palette::DARK));
        let bar = &v["data"][0];
        assert_eq!(bar["y"], serde_json::json!([1, 1, 2]));
        let colours = bar["marker"]["color"].as_array().unwrap();
        assert_eq!(colours[2], Palette::DARK.high);
        assert_ne!(colours[1], Palette::DARK.high);
    }

    #[test]
    fn severity_uses_the_severity_colours() {
        let v = spec(&severity(&result(), &Palette::LIGHT));
        assert_eq!(v["data"][0]["y"], serde_json::json!([1, 0, 1]));
        assert_eq!(v["data"][0]["marker"]["color"][2], Palette::LIGHT.high);
    }
}
