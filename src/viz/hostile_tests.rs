//! Every chart builder fed a file whose cells and column names are hostile HTML: no data string
//! reaches a spec as markup (issue 17, defect 7).

use crate::analysis::netviews::network_views;
use crate::analysis::views;
use crate::engine::explain::{permutation_importance, ImportanceParams};
use crate::engine::ingest::{self, IngestOptions};
use crate::engine::models::{AnyParams, DetectorKind};
use crate::engine::pipeline::{self, RunConfig};
use crate::engine::progress::NoProgress;
use crate::engine::rules::RulesConfig;
use crate::viz::curves::{curves, Curve};
use crate::viz::network::{network_chart, NetChart};
use crate::viz::palette::Palette;
use crate::viz::{
    comparison, distributions, importance_bars, projection, score_histogram, timeline,
};

const SPAN: &str = r#"<span style="fill:url(https://evil.example/p.svg#g)">"#;
const LINK: &str = r#"<a href="https://evil.example/phish">x</a>"#;
const IMG: &str = "<img src=https://evil.example/m.png>";

/// A CSV cell, quoted.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// 80 flows whose protocol, source address, a categorical feature and two column names are
/// hostile; 8 of them anomalous by construction and labelled so.
fn hostile_csv() -> Vec<u8> {
    let mut s = format!(
        "timestamp,src_ip,dst_ip,dst_port,protocol,bytes,packets,{},{},label\n",
        q(&format!("rate{LINK}")),
        q(&format!("kind{IMG}"))
    );
    for i in 0..80u32 {
        let bad = i % 10 == 3;
        let proto = [SPAN, LINK, "tcp"][(i % 3) as usize];
        let src = if i % 4 == 0 {
            IMG.to_string()
        } else {
            format!("10.0.0.{}", i % 7)
        };
        let kind = [IMG, SPAN, "plain"][(i % 3) as usize];
        let bytes = if bad {
            90_000 + i * 7
        } else {
            500 + (i * 37) % 200
        };
        s += &format!(
            "{},{},10.0.1.{},{},{},{},{},{},{},{}\n",
            1_700_000_000 + i * 7,
            q(&src),
            i % 5,
            [80, 443, 53][(i % 3) as usize],
            q(proto),
            bytes,
            3 + i % 4,
            f64::from(i % 9) * 1.5 + if bad { 40.0 } else { 0.0 },
            q(kind),
            if bad { "attack" } else { "normal" }
        );
    }
    s.into_bytes()
}

/// Our own markup in the specs (templates, the subtitle span); anything else that starts with
/// `<` came from data.
const OWN_MARKUP: [&str; 6] = [
    "<br>",
    "<extra>",
    "</extra>",
    "<span style=\\\"font-size:10px\\\">",
    "</span>",
    "<extra></extra>",
];

fn assert_no_data_markup(what: &str, json: &str) {
    let mut rest = json.to_string();
    for m in OWN_MARKUP {
        rest = rest.replace(m, "");
    }
    assert!(
        !rest.contains('<'),
        "{what}: raw '<' from data in the spec: …{}…",
        &rest[rest.find('<').unwrap_or(0).saturating_sub(60)..][..120.min(rest.len())]
    );
}

#[test]
fn no_chart_spec_carries_markup_from_data() {
    let ingested = ingest::read_any("hostile.csv", &hostile_csv(), &IngestOptions::default())
        .expect("the hostile CSV loads");
    let table = ingested.table;
    let config = RunConfig {
        detectors: vec![AnyParams::default_for(
            DetectorKind::IsolationForest,
            0.1,
            1,
        )],
        min_votes: 1,
        ..RunConfig::default()
    };
    let (model, result) = pipeline::run(&config, &table, &mut NoProgress).expect("trains");
    let v = views::compute(&table, &model.preprocessor, &result).expect("views");
    let net = network_views(&table, Some(&result), &RulesConfig::default()).expect("net views");
    let imp = permutation_importance(
        &model,
        &table,
        &ImportanceParams::default(),
        &mut NoProgress,
    )
    .expect("importance");
    let p = Palette::DARK;

    // Charts that carry data strings: each must show the hostile text, escaped.
    let mut with_data: Vec<(String, String)> = Vec::new();
    for h in &v.histograms {
        with_data.push((
            format!("histogram {}", h.name),
            distributions::feature_histogram(h, &p).to_json(),
        ));
    }
    if let Some(c) = &v.correlation {
        with_data.push((
            "correlation".into(),
            projection::correlation(c, &p).to_json(),
        ));
    }
    with_data.push(("importance".into(), importance_bars(&imp, &p).to_json()));
    for which in [NetChart::Talkers, NetChart::Protocols] {
        with_data.push((
            format!("{which:?}"),
            network_chart(which, &net, &p).to_json(),
        ));
    }
    let mut escaped = 0;
    for (what, json) in &with_data {
        assert_no_data_markup(what, json);
        escaped += usize::from(json.contains("&lt;"));
    }
    // The hostile names and levels did reach the charts (else this test could not fail).
    assert!(
        escaped >= 5,
        "only {escaped} charts carried escaped hostile text"
    );
    assert!(v.histograms.iter().any(|h| h.name.contains("<a href")));

    // Every other builder.
    let mut others = vec![
        (
            "timeline",
            timeline(&result, None, table.timestamps(), &p)
                .plot
                .to_json(),
        ),
        (
            "score histogram",
            score_histogram::score_histogram(&result, None, &p).to_json(),
        ),
        (
            "comparison",
            comparison::model_comparison(&result, &p).to_json(),
        ),
        (
            "voting",
            comparison::voting(&v.vote_counts, 1, &p).to_json(),
        ),
        ("severity", comparison::severity(&result, &p).to_json()),
        ("ports", network_chart(NetChart::Ports, &net, &p).to_json()),
        (
            "per minute",
            network_chart(NetChart::PerMinute, &net, &p).to_json(),
        ),
        (
            "packet lengths",
            network_chart(NetChart::PacketLengths, &net, &p).to_json(),
        ),
    ];
    if let Some(pr) = &v.projection {
        others.push(("pca", projection::pca(pr, &result, &p).to_json()));
    }
    for c in [Curve::Roc, Curve::Pr] {
        if let Some(plot) = curves(&result, c, &p) {
            others.push(("curves", plot.to_json()));
        }
    }
    for (what, json) in &others {
        assert_no_data_markup(what, json);
    }
}
