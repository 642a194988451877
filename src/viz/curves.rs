//! ROC and precision–recall curves per detector and for the ensemble, from the metrics the
//! engine computed against the labels (curves thinned, areas on the full curves).

use plotly::common::{Anchor, DashType, Font, Line, Mode, Orientation};
use plotly::layout::{HoverMode, Legend, Margin};
use plotly::{Plot, Scatter};

use crate::engine::metrics::Metrics;
use crate::engine::pipeline::RunResult;
use crate::viz::frame;
use crate::viz::palette::Palette;

/// Height of a curve chart in pixels (its box on the page has the same).
pub const HEIGHT: usize = 440;

/// Bottom margin: the x-axis ticks and title, then up to three legend rows.
const BOTTOM: usize = 130;

/// The legend's top edge, in fractions of the plot area's height below its bottom: under the
/// x-axis title.
const LEGEND_Y: f64 = -0.2;

/// Which curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// False-positive rate vs true-positive rate, with ROC-AUC.
    Roc,
    /// Recall vs precision, with average precision.
    Pr,
}

/// The curve chart; `None` when the result has no metrics (no labels).
pub fn curves(result: &RunResult, which: Curve, palette: &Palette) -> Option<Plot> {
    let ensemble = result.metrics.as_ref()?;
    let mut plot = Plot::new();
    let add = |plot: &mut Plot, m: &Metrics, name: &str, colour: &str, width: f64| {
        let (points, area) = match which {
            Curve::Roc => (&m.roc_curve, format!("AUC {:.3}", m.roc_auc)),
            Curve::Pr => (&m.pr_curve, format!("AP {:.3}", m.pr_auc)),
        };
        let (x, y): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
        plot.add_trace(
            Scatter::new(x, y)
                .name(format!("{name} ({area})"))
                .mode(Mode::Lines)
                .hover_template(match which {
                    Curve::Roc => "FPR %{x:.3f} · TPR %{y:.3f}<extra>%{fullData.name}</extra>",
                    Curve::Pr => {
                        "recall %{x:.3f} · precision %{y:.3f}<extra>%{fullData.name}</extra>"
                    }
                })
                .line(Line::new().color(colour.to_owned()).width(width)),
        );
    };
    for member in &result.members {
        if let Some(m) = &member.metrics {
            add(
                &mut plot,
                m,
                member.kind.label(),
                frame::detector_colour(palette, member.kind),
                1.5,
            );
        }
    }
    add(
        &mut plot,
        ensemble,
        "Ensemble",
        frame::ensemble_colour(palette),
        3.0,
    );
    let (title, x, y) = match which {
        Curve::Roc => {
            plot.add_trace(
                Scatter::new(vec![0.0, 1.0], vec![0.0, 1.0])
                    .name("chance")
                    .mode(Mode::Lines)
                    .hover_info(plotly::common::HoverInfo::Skip)
                    .line(
                        Line::new()
                            .color(palette.grid)
                            .dash(DashType::Dash)
                            .width(1.0),
                    ),
            );
            ("ROC curves", "false-positive rate", "true-positive rate")
        }
        Curve::Pr => ("Precision–recall curves", "recall", "precision"),
    };
    plot.set_layout(
        frame::layout(palette, title, HEIGHT)
            .hover_mode(HoverMode::Closest)
            // Below the plot area, under the x-axis title: the curves fill every corner of the
            // square (ROC rises on the left, PR falls on the right), so no place inside is free.
            .legend(
                Legend::new()
                    .orientation(Orientation::Horizontal)
                    .x(0.0)
                    .x_anchor(Anchor::Left)
                    .y(LEGEND_Y)
                    .y_anchor(Anchor::Top)
                    .background_color("rgba(0,0,0,0)")
                    .font(Font::new().size(11).color(palette.text)),
            )
            .margin(Margin::new().left(56).right(16).top(40).bottom(BOTTOM))
            .x_axis(frame::axis(palette, x).range(vec![0.0, 1.0]))
            .y_axis(frame::axis(palette, y).range(vec![0.0, 1.02])),
    );
    plot.set_configuration(frame::config(match which {
        Curve::Roc => "roc",
        Curve::Pr => "precision-recall",
    }));
    Some(plot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::comparison::tests::result;

    #[test]
    fn no_labels_no_curves() {
        assert!(curves(&result(), Curve::Roc, &Palette::DARK).is_none());
    }

    #[test]
    fn legend_names_carry_the_areas() {
        let mut r = result();
        let truth = [false, false, true, true];
        let decided = r.is_anomaly.clone();
        r.metrics = Some(Metrics::compute(&truth, &decided, &r.ensemble_score));
        r.members[0].metrics = Some(Metrics::compute(&truth, &decided, &[0.1, 0.2, 0.3, 0.4]));
        let v: serde_json::Value =
            serde_json::from_str(&curves(&r, Curve::Roc, &Palette::DARK).unwrap().to_json())
                .unwrap();
        let names: Vec<&str> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Isolation Forest (AUC 1.000)",
                "Ensemble (AUC 1.000)",
                "chance"
            ]
        );
        let pr = curves(&r, Curve::Pr, &Palette::DARK).unwrap().to_json();
        assert!(pr.contains("Ensemble (AP 1.000)"));
    }

    #[test]
    fn legend_sits_below_the_plot_area_in_both_themes() {
        let mut r = result();
        let truth = [false, false, true, true];
        let decided = r.is_anomaly.clone();
        r.metrics = Some(Metrics::compute(&truth, &decided, &r.ensemble_score));
        for palette in [Palette::DARK, Palette::LIGHT] {
            for which in [Curve::Roc, Curve::Pr] {
                let v: serde_json::Value =
                    serde_json::from_str(&curves(&r, which, &palette).unwrap().to_json()).unwrap();
                let legend = &v["layout"]["legend"];
                assert_eq!(legend["orientation"], "h");
                assert_eq!(legend["yanchor"], "top");
                assert!(legend["y"].as_f64().unwrap() < -0.1, "under the axis title");
                assert_eq!(legend["font"]["color"], palette.text);
                assert_eq!(v["layout"]["height"], HEIGHT);
                assert!(v["layout"]["margin"]["b"].as_u64().unwrap() >= 120);
            }
        }
    }
}
