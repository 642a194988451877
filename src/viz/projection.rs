//! The 2-D PCA projection (points coloured by ensemble score, anomalies outlined) and the
//! feature correlation heatmap.

use plotly::common::{ColorBar, ColorScale, ColorScaleElement, Line, Marker, Mode, Title};
use plotly::layout::{HoverMode, Legend};
use plotly::{HeatMap, Plot, Scatter};

use crate::analysis::views::{Correlation, Projection};
use crate::engine::pipeline::RunResult;
use crate::viz::escape::escape_all;
use crate::viz::frame;
use crate::viz::palette::Palette;

/// The score colour scale: normal blue → low → high red.
fn score_scale(palette: &Palette) -> ColorScale {
    ColorScale::Vector(vec![
        ColorScaleElement(0.0, palette.normal.into()),
        ColorScaleElement(0.6, palette.normal.into()),
        ColorScaleElement(0.8, palette.low.into()),
        ColorScaleElement(1.0, palette.high.into()),
    ])
}

/// One PCA trace's columns: x, y, ensemble score, hover text.
type PcaTrace = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<String>);

/// Points above which the PCA scatter is drawn with WebGL: 5,000 SVG markers with their own
/// colours were one main-thread task of ≈ 1 s at 150k rows; WebGL draws them in a fraction.
pub const PCA_SVG_MAX_POINTS: usize = 2_000;

/// The PCA scatter: normal rows and anomalies (vote decision) in two traces sharing one
/// ensemble-score colour scale from 0 to 1; anomalies are larger and outlined.
pub fn pca(p: &Projection, result: &RunResult, palette: &Palette) -> Plot {
    let webgl = p.rows.len() > PCA_SVG_MAX_POINTS;
    let mut groups: [PcaTrace; 2] = Default::default();
    for (k, &row) in p.rows.iter().enumerate() {
        let i = row as usize;
        let anomalous = result.is_anomaly.get(i).copied().unwrap_or(false);
        let score = result.ensemble_score.get(i).copied().unwrap_or(f64::NAN);
        let g = &mut groups[usize::from(anomalous)];
        g.0.push(p.x[k]);
        g.1.push(p.y[k]);
        g.2.push(score);
        g.3.push(format!(
            "row {} · votes {}/{}",
            i + 1,
            result.votes.get(i).copied().unwrap_or(0),
            result.members.len()
        ));
    }
    let [normal, anomalous] = groups;
    let n_normal = normal.0.len();
    let n_anom = anomalous.0.len();
    let hover = "%{text}<br>score %{marker.color:.3f}<extra>%{fullData.name}</extra>";
    let mut plot = Plot::new();
    plot.add_trace(
        Scatter::new(normal.0, normal.1)
            .name(format!("normal ({n_normal} shown)"))
            .mode(Mode::Markers)
            .text_array(normal.3)
            .hover_template(hover)
            .marker(
                Marker::new()
                    .size(4)
                    .opacity(0.6)
                    .color_array(normal.2)
                    .color_scale(score_scale(palette))
                    .cmin(0.0)
                    .cmax(1.0)
                    .show_scale(true)
                    .color_bar(
                        ColorBar::new()
                            .title(Title::with_text("ensemble score"))
                            .thickness(10)
                            .tick_font(plotly::common::Font::new().color(palette.text)),
                    ),
            )
            .web_gl_mode(webgl),
    );
    plot.add_trace(
        Scatter::new(anomalous.0, anomalous.1)
            .name(format!("anomalous ({n_anom} of {} shown)", p.n_anomalies))
            .mode(Mode::Markers)
            .text_array(anomalous.3)
            .hover_template(hover)
            .marker(
                Marker::new()
                    .size(7)
                    .color_array(anomalous.2)
                    .color_scale(score_scale(palette))
                    .cmin(0.0)
                    .cmax(1.0)
                    .show_scale(false)
                    .line(Line::new().color(palette.text).width(1.0)),
            )
            .web_gl_mode(webgl),
    );
    let pct = |s: f64| format!("{:.1} %", s * 100.0);
    plot.set_layout(
        frame::layout(
            palette,
            &format!(
                "PCA of the model input · {} rows shown (covariance over {} rows)",
                p.rows.len(),
                p.fitted_on
            ),
            420,
        )
        .hover_mode(HoverMode::Closest)
        .legend(
            Legend::new()
                .orientation(plotly::common::Orientation::Horizontal)
                .y(-0.18),
        )
        .margin(
            plotly::layout::Margin::new()
                .left(56)
                .right(16)
                .top(40)
                .bottom(80),
        )
        .x_axis(frame::axis(
            palette,
            &format!("PC1 ({} of variance)", pct(p.explained[0])),
        ))
        .y_axis(frame::axis(
            palette,
            &format!("PC2 ({} of variance)", pct(p.explained[1])),
        )),
    );
    plot.set_configuration(frame::config("pca"));
    plot
}

/// The correlation heatmap on a diverging scale fixed to −1 … 1 (first column at the top).
pub fn correlation(c: &Correlation, palette: &Palette) -> Plot {
    let k = c.names.len();
    let z: Vec<Vec<f64>> = (0..k)
        .rev()
        .map(|i| (0..k).map(|j| c.get(i, j)).collect())
        .collect();
    let x: Vec<String> = escape_all(&c.names);
    let y: Vec<String> = x.iter().rev().cloned().collect();
    let scale = ColorScale::Vector(vec![
        ColorScaleElement(0.0, palette.normal.into()),
        ColorScaleElement(0.5, frame::neutral(palette).into()),
        ColorScaleElement(1.0, palette.high.into()),
    ]);
    let mut plot = Plot::new();
    plot.add_trace(
        HeatMap::new(x, y, z)
            .zmin(-1.0)
            .zmax(1.0)
            .zmid(0.0)
            .color_scale(scale)
            .color_bar(ColorBar::new().title(Title::with_text("r")).thickness(10))
            .hover_template("%{y} × %{x}<br>r = %{z:.3f}<extra></extra>"),
    );
    let title = if c.n_candidates > k {
        format!(
            "Pearson correlation · the {k} most variable of {} numeric features",
            c.n_candidates
        )
    } else {
        format!("Pearson correlation · {k} numeric features")
    };
    let side = (220 + 16 * k).clamp(320, 640);
    plot.set_layout(
        frame::layout(palette, &title, side)
            .margin(
                plotly::layout::Margin::new()
                    .left(130)
                    .right(16)
                    .top(40)
                    .bottom(120),
            )
            .x_axis(
                frame::axis(palette, "")
                    .tick_angle(-45.0)
                    .tick_font(plotly::common::Font::new().size(9)),
            )
            .y_axis(frame::axis(palette, "").tick_font(plotly::common::Font::new().size(9))),
    );
    plot.set_configuration(frame::config("correlation"));
    plot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::comparison::tests::result;

    fn spec(plot: &Plot) -> serde_json::Value {
        serde_json::from_str(&plot.to_json()).unwrap()
    }

    #[test]
    fn pca_splits_points_and_titles_axes_with_variance() {
        let p = Projection {
            rows: vec![0, 2, 3],
            x: vec![0.0, 1.0, 2.0],
            y: vec![1.0, 0.0, -1.0],
            explained: [0.5, 0.25],
            components: [vec![1.0, 0.0], vec![0.0, 1.0]],
            fitted_on: 4,
            n_anomalies: 2,
        };
        let v = spec(&pca(&p, &result(), &Palette::DARK));
        assert_eq!(v["data"][0]["x"], serde_json::json!([0.0]));
        assert_eq!(v["data"][1]["x"], serde_json::json!([1.0, 2.0]));
        assert_eq!(
            v["data"][1]["marker"]["color"],
            serde_json::json!([0.9, 0.95])
        );
        assert_eq!(v["data"][0]["marker"]["cmax"], 1.0);
        assert!(v["layout"]["xaxis"]["title"]["text"]
            .as_str()
            .unwrap()
            .contains("50.0 %"));
    }

    #[test]
    fn large_projections_are_drawn_with_webgl() {
        let n = PCA_SVG_MAX_POINTS + 1;
        let p = Projection {
            rows: (0..n as u32).map(|i| i % 4).collect(),
            x: vec![0.5; n],
            y: vec![0.5; n],
            explained: [0.5, 0.25],
            components: [vec![1.0, 0.0], vec![0.0, 1.0]],
            fitted_on: 4,
            n_anomalies: 2,
        };
        let v = spec(&pca(&p, &result(), &Palette::DARK));
        assert!(v["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["type"] == "scattergl"));
        let small = spec(&pca(
            &Projection {
                rows: vec![0],
                x: vec![0.0],
                y: vec![0.0],
                ..p
            },
            &result(),
            &Palette::DARK,
        ));
        assert_eq!(small["data"][0]["type"], "scatter");
    }

    #[test]
    fn heatmap_is_fixed_to_minus_one_one() {
        let c = Correlation {
            names: vec!["a".into(), "b".into()],
            values: vec![1.0, -0.5, -0.5, 1.0],
            n_candidates: 2,
        };
        let v = spec(&correlation(&c, &Palette::DARK));
        let t = &v["data"][0];
        assert_eq!(
            (t["zmin"].as_f64(), t["zmax"].as_f64()),
            (Some(-1.0), Some(1.0))
        );
        assert_eq!(t["y"], serde_json::json!(["b", "a"]));
        assert_eq!(t["z"][0], serde_json::json!([-0.5, 1.0]));
    }
}
