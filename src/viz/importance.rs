//! Global feature importance: one horizontal bar per raw feature (permutation importance on the
//! ensemble score), most important at the top. The share is printed small at each bar's end; the
//! mean score change is in the hover only, so the bars stay uncluttered.

use plotly::common::{Font, Marker, Orientation, TextPosition};
use plotly::layout::{Axis, Margin};
use plotly::{Bar, Plot};

use crate::engine::explain::Importance;
use crate::viz::escape::escape;
use crate::viz::frame;
use crate::viz::palette::Palette;

/// Most bars drawn; the rest are listed beside the chart.
pub const MAX_BARS: usize = 15;

/// Builds the importance bar chart: the top [`MAX_BARS`] features, share of the total in %.
pub fn importance_bars(importance: &Importance, palette: &Palette) -> Plot {
    let top: Vec<_> = importance.features.iter().take(MAX_BARS).collect();
    // Plotly draws the first category at the bottom: reverse so the largest is on top.
    let names: Vec<String> = top.iter().rev().map(|f| escape(&f.feature)).collect();
    let shares: Vec<f64> = top.iter().rev().map(|f| f.importance * 100.0).collect();
    let change: Vec<String> = top
        .iter()
        .rev()
        .map(|f| format!("mean |Δ score| {:.4}", f.mean_abs_change))
        .collect();
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(shares, names)
            .orientation(Orientation::Horizontal)
            .name("importance")
            .hover_text_array(change)
            .hover_template("%{y}: %{x:.1f} %<br>%{hovertext}<extra></extra>")
            .text_template("%{x:.1f} %")
            .text_position(TextPosition::Outside)
            .text_font(Font::new().size(10).color(palette.text))
            .clip_on_axis(false)
            .marker(Marker::new().color(palette.normal)),
    );
    let height = 60 + 24 * top.len().max(1);
    plot.set_layout(
        frame::untitled(palette, height)
            // Room on the right for the value printed after the longest bar.
            .margin(Margin::new().left(150).right(48).top(8).bottom(40))
            .show_legend(false)
            .x_axis(frame::axis(palette, "share of importance (%)"))
            .y_axis(Axis::new().color(palette.text).auto_margin(true)),
    );
    plot.set_configuration(frame::config("importance"));
    plot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explain::FeatureImportance;

    #[test]
    fn largest_feature_is_drawn_last_so_it_sits_on_top() {
        let imp = Importance {
            features: (0..20)
                .map(|i| FeatureImportance {
                    feature: format!("f{i}"),
                    importance: 0.05,
                    mean_abs_change: 0.01,
                })
                .collect(),
            n_rows: 100,
            seed: 1,
        };
        let json: serde_json::Value =
            serde_json::from_str(&importance_bars(&imp, &Palette::DARK).to_json()).unwrap();
        let y = json["data"][0]["y"].as_array().unwrap();
        assert_eq!(y.len(), MAX_BARS);
        assert_eq!(y.last().unwrap(), "f0");
        assert_eq!(json["data"][0]["orientation"], "h");
    }

    #[test]
    fn values_sit_outside_the_bars_and_the_change_is_in_the_hover() {
        let imp = Importance {
            features: vec![FeatureImportance {
                feature: "src_bytes".into(),
                importance: 0.5,
                mean_abs_change: 0.0123,
            }],
            n_rows: 10,
            seed: 1,
        };
        let json: serde_json::Value =
            serde_json::from_str(&importance_bars(&imp, &Palette::DARK).to_json()).unwrap();
        let bar = &json["data"][0];
        assert!(bar.get("text").is_none(), "no text inside the bars");
        assert_eq!(bar["textposition"], "outside");
        assert_eq!(bar["hovertext"][0], "mean |Δ score| 0.0123");
        assert_eq!(
            json["config"]["toImageButtonOptions"]["filename"],
            "netsift-importance"
        );
    }
}
