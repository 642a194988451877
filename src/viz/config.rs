//! The plotly configuration every results chart shares: responsive, no plotly logo or cloud
//! button, and the toolbar's "download as PNG" kept, saving a file named after the chart.

use plotly::configuration::{Configuration, ImageButtonFormats, ToImageButtonOptions};

/// The configuration of a chart whose PNG download is called `netsift-<name>.png`.
pub fn chart_config(name: &str) -> Configuration {
    Configuration::new()
        .responsive(true)
        .display_logo(false)
        .show_send_to_cloud(false)
        .to_image_button_options(
            ToImageButtonOptions::new()
                .format(ImageButtonFormats::Png)
                .filename(&format!("netsift-{name}"))
                .scale(2),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_download_stays_on_the_toolbar() {
        let v: serde_json::Value = serde_json::to_value(chart_config("timeline")).unwrap();
        assert_eq!(v["toImageButtonOptions"]["filename"], "netsift-timeline");
        assert_eq!(v["toImageButtonOptions"]["format"], "png");
        assert!(
            v.get("displayModeBar").is_none(),
            "the toolbar is not hidden"
        );
        assert_eq!(v["displaylogo"], false);
    }
}
