//! One small histogram per feature: normal vs anomalous rows overlaid, each as a share of its
//! own group (so a 2 % anomaly class is as visible as the 98 %), counts in the hover. Rows
//! outside the binned range and missing cells are named in the subtitle.

use plotly::common::{Anchor, Marker};
use plotly::layout::{BarMode, Legend};
use plotly::{Bar, Plot};

use crate::analysis::views::{Bins, FeatureHistogram};
use crate::engine::text;
use crate::viz::escape::{escape, escape_all};
use crate::viz::frame;
use crate::viz::palette::Palette;

/// The histogram of one feature.
pub fn feature_histogram(h: &FeatureHistogram, palette: &Palette) -> Plot {
    let n0: usize =
        h.normal.iter().sum::<usize>() + h.below[0] + h.above[0] + h.other[0] + h.missing[0];
    let n1: usize =
        h.anomalous.iter().sum::<usize>() + h.below[1] + h.above[1] + h.other[1] + h.missing[1];
    let share = |c: usize, n: usize| if n == 0 { 0.0 } else { c as f64 / n as f64 };
    let mut plot = Plot::new();
    let mut notes = Vec::new();
    let (x_title, traces): (&str, Vec<Box<Bar<String, f64>>>) = match &h.bins {
        Bins::Numeric {
            edges,
            percentile_range,
        } => {
            let centres: Vec<String> = edges
                .windows(2)
                .map(|w| short((w[0] + w[1]) / 2.0))
                .collect();
            let labels: Vec<String> = edges
                .windows(2)
                .map(|w| format!("{} – {}", short(w[0]), short(w[1])))
                .collect();
            let below = h.below[0] + h.below[1];
            let above = h.above[0] + h.above[1];
            if *percentile_range {
                if below > 0 {
                    notes.push(format!("{below} below p1"));
                }
                if above > 0 {
                    notes.push(format!("{above} above p99"));
                }
            }
            let bar = |counts: &[usize], n: usize, name: &str, colour: &str| {
                Bar::new(
                    centres.clone(),
                    counts.iter().map(|&c| share(c, n)).collect(),
                )
                .name(name)
                .hover_text_array(
                    labels
                        .iter()
                        .zip(counts)
                        .map(|(l, c)| format!("{l}: {c} rows"))
                        .collect(),
                )
                .hover_template("%{hovertext} (%{y:.1%})<extra>%{fullData.name}</extra>")
                .marker(Marker::new().color(colour.to_owned()).opacity(0.65))
            };
            (
                if *percentile_range {
                    "value (p1 – p99)"
                } else {
                    "value"
                },
                vec![
                    bar(&h.normal, n0, "normal", palette.normal),
                    bar(&h.anomalous, n1, "anomalous", palette.high),
                ],
            )
        }
        Bins::Categorical { levels } => {
            let mut x = escape_all(levels);
            let mut normal = h.normal.clone();
            let mut anomalous = h.anomalous.clone();
            if h.other[0] + h.other[1] > 0 {
                x.push("(other)".into());
                normal.push(h.other[0]);
                anomalous.push(h.other[1]);
            }
            let bar = |counts: &[usize], n: usize, name: &str, colour: &str| {
                Bar::new(x.clone(), counts.iter().map(|&c| share(c, n)).collect())
                    .name(name)
                    .hover_text_array(counts.iter().map(|c| format!("{c} rows")).collect())
                    .hover_template("%{x}: %{hovertext} (%{y:.1%})<extra>%{fullData.name}</extra>")
                    .marker(Marker::new().color(colour.to_owned()).opacity(0.65))
            };
            (
                "level (10 most frequent)",
                vec![
                    bar(&normal, n0, "normal", palette.normal),
                    bar(&anomalous, n1, "anomalous", palette.high),
                ],
            )
        }
    };
    for t in traces {
        plot.add_trace(t);
    }
    let missing = h.missing[0] + h.missing[1];
    if missing > 0 {
        notes.push(format!("{missing} missing"));
    }
    let title = if notes.is_empty() {
        escape(&h.name)
    } else {
        format!(
            "{}<br><span style=\"font-size:10px\">{}</span>",
            escape(&h.name),
            notes.join(" · ")
        )
    };
    plot.set_layout(
        frame::layout(palette, &title, 230)
            .bar_mode(BarMode::Overlay)
            .bar_gap(0.05)
            .margin(
                plotly::layout::Margin::new()
                    .left(44)
                    .right(8)
                    .top(if notes.is_empty() { 30 } else { 44 })
                    .bottom(40),
            )
            .legend(
                Legend::new()
                    .orientation(plotly::common::Orientation::Horizontal)
                    .x(1.0)
                    .x_anchor(Anchor::Right)
                    .y(1.0)
                    .y_anchor(Anchor::Bottom)
                    .font(plotly::common::Font::new().size(10)),
            )
            .x_axis(frame::axis(palette, x_title).tick_font(plotly::common::Font::new().size(9)))
            .y_axis(frame::axis(palette, "share of group").tick_format(".0%")),
    );
    plot.set_configuration(frame::config(&format!("feature-{}", file_safe(&h.name))));
    plot
}

/// A bin edge or centre, short: integers as such, otherwise 0–3 decimals by magnitude.
fn short(x: f64) -> String {
    if x.fract() == 0.0 {
        return text::number(x);
    }
    let a = x.abs();
    let s = if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A column name made safe for a file name.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::views::{categorical_histogram, numeric_histogram};

    fn spec(plot: &Plot) -> serde_json::Value {
        serde_json::from_str(&plot.to_json()).unwrap()
    }

    #[test]
    fn shares_of_each_group_sum_to_one_without_outliers() {
        let values: Vec<f64> = (0..100).map(|i| (i % 10) as f64).collect();
        let anomalous: Vec<bool> = (0..100).map(|i| i % 4 == 0).collect();
        let h = numeric_histogram("x", &values, &anomalous);
        let v = spec(&feature_histogram(&h, &Palette::DARK));
        for t in v["data"].as_array().unwrap() {
            let s: f64 = t["y"]
                .as_array()
                .unwrap()
                .iter()
                .map(|y| y.as_f64().unwrap())
                .sum();
            assert!((s - 1.0).abs() < 1e-9, "{s}");
        }
        assert_eq!(v["layout"]["barmode"], "overlay");
        assert_eq!(v["data"][1]["marker"]["color"], Palette::DARK.high);
    }

    #[test]
    fn outliers_and_missing_are_named_in_the_title() {
        let mut values: Vec<f64> = (0..1000).map(|i| (i % 50) as f64).collect();
        values[0] = 1e9;
        values[1] = f64::NAN;
        let h = numeric_histogram("bytes", &values, &vec![false; 1000]);
        let v = spec(&feature_histogram(&h, &Palette::DARK));
        let title = v["layout"]["title"]["text"].as_str().unwrap();
        assert!(
            title.contains("above p99") && title.contains("1 missing"),
            "{title}"
        );
    }

    #[test]
    fn categorical_other_gets_its_own_bar() {
        let levels: Vec<String> = (0..12).map(|i| format!("s{i}")).collect();
        let codes: Vec<u32> = (0..120).map(|i| (i % 12) as u32).collect();
        let h = categorical_histogram("service", &levels, &codes, &[false; 120]);
        let v = spec(&feature_histogram(&h, &Palette::DARK));
        let x = v["data"][0]["x"].as_array().unwrap();
        assert_eq!(x.len(), 11);
        assert_eq!(x[10], "(other)");
    }
}
