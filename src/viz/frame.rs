//! The common frame of the analysis charts: transparent background, theme text and grid,
//! a title, the toolbar with a PNG download named after the chart, and the few extra colours
//! (detector series, the neutral middle of a diverging scale) the theme palette does not carry.

use plotly::common::{Font, HoverInfo, Marker, Mode, Title};
use plotly::configuration::{Configuration, ImageButtonFormats, ToImageButtonOptions};
use plotly::layout::{Axis, Margin};
use plotly::{Layout, Plot, Scatter};

use crate::engine::models::DetectorKind;
use crate::viz::palette::Palette;

/// A layout with the theme's text colour, a transparent background and a left-aligned title.
pub fn layout(palette: &Palette, title: &str, height: usize) -> Layout {
    untitled(palette, height)
        .title(
            Title::with_text(title)
                .x(0.0)
                .font(Font::new().size(13).color(palette.text)),
        )
        .margin(Margin::new().left(56).right(16).top(40).bottom(48))
        .font(Font::new().color(palette.text).size(11))
}

/// The same frame without a title (the chart's caption is HTML beside it): theme text, a
/// transparent background, a small top margin. Callers set their own margins and axes on it.
pub fn untitled(palette: &Palette, height: usize) -> Layout {
    Layout::new()
        .height(height)
        .margin(Margin::new().left(56).right(16).top(8).bottom(44))
        .paper_background_color("rgba(0,0,0,0)")
        .plot_background_color("rgba(0,0,0,0)")
        .font(Font::new().color(palette.text).size(12))
}

/// An empty WebGL chart of `height` (one invisible point, no axes): drawn into a chart's box
/// before its real data, so the WebGL context and shaders are set up in a task of their own and
/// the data's draw (`Plotly.react` on the same box) reuses them.
pub fn webgl_placeholder(palette: &Palette, height: usize) -> Plot {
    let mut plot = Plot::new();
    plot.add_trace(
        Scatter::new(vec![0.0], vec![0.0])
            .mode(Mode::Markers)
            .show_legend(false)
            .hover_info(HoverInfo::Skip)
            .marker(Marker::new().size(1).opacity(0.0))
            .web_gl_mode(true),
    );
    plot.set_layout(
        untitled(palette, height)
            .x_axis(Axis::new().visible(false))
            .y_axis(Axis::new().visible(false)),
    );
    plot.set_configuration(Configuration::new().responsive(true).display_logo(false));
    plot
}

/// An axis with a title in the theme's colours.
pub fn axis(palette: &Palette, title: &str) -> Axis {
    Axis::new()
        .title(Title::with_text(title))
        .grid_color(palette.grid)
        .zero_line(false)
        .color(palette.text)
}

/// The plotly configuration every chart shares: responsive, no plotly logo or cloud button, and
/// the toolbar's "download as PNG" kept, saving `netsift-<chart>.png` (`chart` in kebab case, e.g.
/// `score-histogram`, `feature-src-bytes`).
pub fn config(chart: &str) -> Configuration {
    Configuration::new()
        .responsive(true)
        .display_logo(false)
        .show_send_to_cloud(false)
        .to_image_button_options(
            ToImageButtonOptions::new()
                .format(ImageButtonFormats::Png)
                .filename(&format!("netsift-{chart}"))
                .scale(2),
        )
}

/// Whether `palette` is the light theme's.
fn is_light(palette: &Palette) -> bool {
    *palette == Palette::LIGHT
}

/// The colour of a detector's series (curves, bars).
pub fn detector_colour(palette: &Palette, kind: DetectorKind) -> &'static str {
    let light = is_light(palette);
    match (kind, light) {
        (DetectorKind::IsolationForest, false) => "#4f8fba",
        (DetectorKind::IsolationForest, true) => "#2f6f9f",
        (DetectorKind::OneClassSvm, false) => "#9f7aea",
        (DetectorKind::OneClassSvm, true) => "#6b46c1",
        (DetectorKind::Lof, false) => "#4fd1c5",
        (DetectorKind::Lof, true) => "#0f8f86",
        (DetectorKind::Autoencoder, false) => "#e8b44a",
        (DetectorKind::Autoencoder, true) => "#b7791f",
    }
}

/// The ensemble's series colour (stands out from every detector).
pub fn ensemble_colour(palette: &Palette) -> &'static str {
    palette.high
}

/// The middle of a diverging colour scale: close to the chart background.
pub fn neutral(palette: &Palette) -> &'static str {
    if is_light(palette) {
        "#f1f3f6"
    } else {
        "#1c2733"
    }
}

/// Muted bars (the rows below the vote threshold).
pub fn muted(palette: &Palette) -> &'static str {
    if is_light(palette) {
        "#a9b6c4"
    } else {
        "#3a4b5e"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_download_stays_on_the_toolbar_named_after_the_chart() {
        let v: serde_json::Value = serde_json::to_value(config("timeline")).unwrap();
        assert_eq!(v["toImageButtonOptions"]["filename"], "netsift-timeline");
        assert_eq!(v["toImageButtonOptions"]["format"], "png");
        assert!(
            v.get("displayModeBar").is_none(),
            "the toolbar is not hidden"
        );
        assert_eq!(v["displaylogo"], false);
    }

    #[test]
    fn untitled_frame_is_transparent_in_the_theme_text() {
        let v: serde_json::Value = serde_json::to_value(untitled(&Palette::LIGHT, 300)).unwrap();
        assert_eq!(v["paper_bgcolor"], "rgba(0,0,0,0)");
        assert_eq!(v["font"]["color"], Palette::LIGHT.text);
        assert!(v.get("title").is_none());
    }

    #[test]
    fn webgl_placeholder_is_one_invisible_webgl_point_at_the_height() {
        let v: serde_json::Value =
            serde_json::from_str(&webgl_placeholder(&Palette::DARK, 420).to_json()).unwrap();
        assert_eq!(v["data"][0]["type"], "scattergl");
        assert_eq!(v["data"][0]["marker"]["opacity"], 0.0);
        assert_eq!(v["layout"]["height"], 420);
    }
}
