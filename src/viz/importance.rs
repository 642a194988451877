//! Global feature importance: one horizontal bar per raw feature (permutation importance on the
//! ensemble score), most important at the top.

use plotly::common::{Font, Marker, Orientation, Title};
use plotly::configuration::Configuration;
use plotly::layout::{Axis, Margin};
use plotly::{Bar, Layout, Plot};

use crate::engine::explain::Importance;
use crate::viz::palette::Palette;

/// Most bars drawn; the rest are listed beside the chart.
pub const MAX_BARS: usize = 15;

/// Builds the importance bar chart: the top [`MAX_BARS`] features, share of the total in %.
pub fn importance_bars(importance: &Importance, palette: &Palette) -> Plot {
    let top: Vec<_> = importance.features.iter().take(MAX_BARS).collect();
    // Plotly draws the first category at the bottom: reverse so the largest is on top.
    let names: Vec<String> = top.iter().rev().map(|f| f.feature.clone()).collect();
    let shares: Vec<f64> = top.iter().rev().map(|f| f.importance * 100.0).collect();
    let text: Vec<String> = top
        .iter()
        .rev()
        .map(|f| format!("mean |Δ score| {:.4}", f.mean_abs_change))
        .collect();
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(shares, names)
            .orientation(Orientation::Horizontal)
            .name("importance")
            .text_array(text)
            .hover_template("%{y}: %{x:.1f} %<br>%{text}<extra></extra>")
            .marker(Marker::new().color(palette.normal)),
    );
    let height = 60 + 24 * top.len().max(1);
    plot.set_layout(
        Layout::new()
            .height(height)
            .margin(Margin::new().left(150).right(16).top(8).bottom(40))
            .paper_background_color("rgba(0,0,0,0)")
            .plot_background_color("rgba(0,0,0,0)")
            .font(Font::new().color(palette.text).size(12))
            .show_legend(false)
            .x_axis(
                Axis::new()
                    .title(Title::with_text("share of importance (%)"))
                    .grid_color(palette.grid)
                    .color(palette.text),
            )
            .y_axis(Axis::new().color(palette.text).auto_margin(true)),
    );
    plot.set_configuration(
        Configuration::new()
            .responsive(true)
            .display_logo(false)
            .show_send_to_cloud(false),
    );
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
}
