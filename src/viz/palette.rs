//! Chart colours, matching the CSS theme (style/main.css). Plotly draws with explicit colours,
//! so the two themes each get a palette.

use crate::engine::ensemble::Severity;

/// Colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Axis text and titles.
    pub text: &'static str,
    /// Grid lines.
    pub grid: &'static str,
    /// Normal rows.
    pub normal: &'static str,
    /// Low-severity anomalies.
    pub low: &'static str,
    /// Medium-severity anomalies.
    pub medium: &'static str,
    /// High-severity anomalies.
    pub high: &'static str,
}

impl Palette {
    /// The dark console theme (default).
    pub const DARK: Palette = Palette {
        text: "#c9d4e0",
        grid: "#233140",
        normal: "#4f8fba",
        low: "#e8b44a",
        medium: "#f08a4b",
        high: "#f2545b",
    };

    /// The light theme.
    pub const LIGHT: Palette = Palette {
        text: "#1f2a36",
        grid: "#dde3ea",
        normal: "#2f6f9f",
        low: "#b7791f",
        medium: "#c05621",
        high: "#c53030",
    };

    /// The colour of an anomaly of the given severity (`normal` for `Severity::None`).
    pub fn severity(&self, s: Severity) -> &'static str {
        match s {
            Severity::None => self.normal,
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
        }
    }
}
