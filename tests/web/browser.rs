//! Browser-only pieces: the worker codec inside wasm, Blob downloads, plotly.js rendering.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use netsift::engine::ensemble::Severity;
use netsift::engine::generate::SampleParams;
use netsift::engine::models::DetectorKind;
use netsift::engine::pipeline::{MemberResult, RunConfig, RunResult};
use netsift::engine::progress::{ProgressEvent, Stage};
use netsift::viz::palette::Palette;
use netsift::worker::protocol::{
    decode, encode, LoadFile, LoadSample, RequestBody, RequestMsg, ResponseBody, ResponseMsg, Rows,
    Train,
};

fn result(n: usize) -> RunResult {
    let scores: Vec<f64> = (0..n).map(|i| (i % 97) as f64 / 97.0).collect();
    let is_anomaly: Vec<bool> = scores.iter().map(|s| *s > 0.85).collect();
    RunResult {
        n_rows: n,
        n_train: n,
        feature_names: vec!["x".into()],
        members: vec![MemberResult {
            kind: DetectorKind::IsolationForest,
            threshold: 0.85,
            scores: scores.clone(),
            n_anomalies: is_anomaly.iter().filter(|a| **a).count(),
            n_train: n,
            fit_seconds: 0.0,
            score_seconds: 0.0,
            metrics: None,
        }],
        votes: is_anomaly.iter().map(|&a| u8::from(a)).collect(),
        min_votes: 1,
        ensemble_score: scores,
        severity: is_anomaly
            .iter()
            .map(|&a| if a { Severity::High } else { Severity::None })
            .collect(),
        is_anomaly,
        confidence: vec![0.5; n],
        agreement: vec![],
        metrics: None,
        warnings: vec![],
        total_seconds: 0.25,
    }
}

#[wasm_bindgen_test]
fn protocol_round_trips_in_wasm() {
    let requests: [RequestBody; 4] = [
        LoadSample(SampleParams::default()).into(),
        LoadFile {
            name: "flows.csv".into(),
            size: 5 << 30, // > u32::MAX: sizes must not be truncated on wasm32
        }
        .into(),
        Train(RunConfig::default()).into(),
        Rows {
            indices: vec![0, 1, u32::MAX],
        }
        .into(),
    ];
    for body in requests {
        let req = RequestMsg { job: 9, body };
        let bytes = encode(&req).unwrap();
        assert_eq!(decode::<RequestMsg>(&bytes).unwrap(), req);
    }
    let mut r = result(300);
    r.ensemble_score[3] = f64::NAN;
    let resp = ResponseMsg {
        job: 4,
        body: ResponseBody::Trained(Box::new(r)),
    };
    let back: ResponseMsg = decode(&encode(&resp).unwrap()).unwrap();
    match back.body {
        ResponseBody::Trained(b) => {
            assert!(b.ensemble_score[3].is_nan());
            assert_eq!(b.ensemble_score[4].to_bits(), (4.0f64 / 97.0).to_bits());
            assert_eq!(b.n_rows, 300);
        }
        other => panic!("wrong variant {other:?}"),
    }
    let progress = ResponseMsg {
        job: 1,
        body: ResponseBody::Progress(ProgressEvent {
            stage: Stage::Fit(DetectorKind::Lof),
            done: u64::MAX,
            total: u64::MAX,
        }),
    };
    assert_eq!(
        decode::<ResponseMsg>(&encode(&progress).unwrap()).unwrap(),
        progress
    );
    // The wire form is a Uint8Array: make sure a JS copy decodes the same.
    let js = js_sys::Uint8Array::from(encode(&progress).unwrap().as_slice());
    assert_eq!(decode::<ResponseMsg>(&js.to_vec()).unwrap(), progress);
}

#[wasm_bindgen_test]
async fn blob_download_holds_the_exact_bytes() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let blob = netsift::ui::download::blob(&bytes, "text/csv").unwrap();
    assert_eq!(blob.size() as usize, bytes.len());
    assert_eq!(blob.type_(), "text/csv");
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .unwrap();
    assert_eq!(js_sys::Uint8Array::new(&buf).to_vec(), bytes);
}

fn new_div(id: &str) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div: web_sys::HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    div.set_id(id);
    div.style().set_property("width", "800px").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

fn plotly_loaded() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"Plotly".into()).unwrap_or(false)
}

#[wasm_bindgen_test]
async fn chart_without_plotly_is_an_error_not_a_panic() {
    // Hide plotly.js if another test loaded it, and put it back afterwards.
    let global = js_sys::global();
    let saved = js_sys::Reflect::get(&global, &"Plotly".into()).unwrap();
    js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &"Plotly".into())
        .unwrap();
    let div = new_div("no-plotly");
    let plot = netsift::viz::timeline(&result(10), None, None, &Palette::DARK).plot;
    let err = netsift::ui::chart::render(&div, &plot).await;
    if !saved.is_undefined() {
        js_sys::Reflect::set(&global, &"Plotly".into(), &saved).unwrap();
    }
    assert!(matches!(err, Err(ref e) if !e.is_empty()), "{err:?}");
}

#[wasm_bindgen_test]
async fn timeline_renders_one_marker_per_row_with_plotly_js() {
    // The vendored plotly.js (npm plotly.js-dist-min@3.0.1), evaluated into the test page.
    if !plotly_loaded() {
        static PLOTLY: &str = include_str!("../../node_modules/plotly.js-dist-min/plotly.min.js");
        js_sys::eval(PLOTLY).unwrap();
    }
    assert!(plotly_loaded());
    let n = 400;
    let r = result(n);
    let div = new_div("timeline");
    // Under the vote decision (no analyst threshold), on row order (no timestamps).
    let plot = netsift::viz::timeline(&r, None, None, &Palette::DARK).plot;
    netsift::ui::chart::render(&div, &plot).await.unwrap();
    // Markers per trace, counted by plotly.js's own SVG classes, with each trace's name.
    let per_trace = js_sys::Function::new_with_args(
        "el",
        "return Array.from(el.querySelectorAll('.scatterlayer .trace'), t => t.querySelectorAll('.point').length)",
    );
    let counts: Vec<u32> = js_sys::Array::from(&per_trace.call1(&JsValue::NULL, &div).unwrap())
        .iter()
        .map(|v| v.as_f64().unwrap() as u32)
        .collect();
    let names = js_sys::Function::new_with_args(
        "el",
        "return el.data.filter(t => t.x.length > 0).map(t => t.name)",
    );
    let names: Vec<String> = js_sys::Array::from(&names.call1(&JsValue::NULL, &div).unwrap())
        .iter()
        .map(|v| v.as_string().unwrap_or_default())
        .collect();
    assert_eq!(
        counts.len(),
        names.len(),
        "one drawn group per non-empty trace"
    );
    let anomalies = r.is_anomaly.iter().filter(|a| **a).count();
    let total: u32 = counts.iter().sum();
    let normal: u32 = counts
        .iter()
        .zip(&names)
        .filter(|(_, name)| name.starts_with("normal"))
        .map(|(c, _)| *c)
        .sum();
    assert_eq!(
        total, n as u32,
        "one marker per row ({names:?}: {counts:?})"
    );
    assert_eq!(
        normal,
        (n - anomalies) as u32,
        "normal markers ({names:?}: {counts:?})"
    );
}
