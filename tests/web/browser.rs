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
use netsift::worker::protocol::{decode, encode, Request, RequestBody, Response, ResponseBody};

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
    let requests = [
        RequestBody::LoadSample(SampleParams::default()),
        RequestBody::LoadFile {
            name: "flows.csv".into(),
            size: 5 << 30, // > u32::MAX: sizes must not be truncated on wasm32
        },
        RequestBody::Train(RunConfig::default()),
        RequestBody::Rows {
            indices: vec![0, 1, u32::MAX],
        },
    ];
    for body in requests {
        let req = Request { job: 9, body };
        let bytes = encode(&req).unwrap();
        assert_eq!(decode::<Request>(&bytes).unwrap(), req);
    }
    let mut r = result(300);
    r.ensemble_score[3] = f64::NAN;
    let resp = Response {
        job: 4,
        body: ResponseBody::Trained(Box::new(r)),
    };
    let back: Response = decode(&encode(&resp).unwrap()).unwrap();
    match back.body {
        ResponseBody::Trained(b) => {
            assert!(b.ensemble_score[3].is_nan());
            assert_eq!(b.ensemble_score[4].to_bits(), (4.0f64 / 97.0).to_bits());
            assert_eq!(b.n_rows, 300);
        }
        other => panic!("wrong variant {other:?}"),
    }
    let progress = Response {
        job: 1,
        body: ResponseBody::Progress(ProgressEvent {
            stage: Stage::Fit(DetectorKind::Lof),
            done: u64::MAX,
            total: u64::MAX,
        }),
    };
    assert_eq!(
        decode::<Response>(&encode(&progress).unwrap()).unwrap(),
        progress
    );
    // The wire form is a Uint8Array: make sure a JS copy decodes the same.
    let js = js_sys::Uint8Array::from(encode(&progress).unwrap().as_slice());
    assert_eq!(decode::<Response>(&js.to_vec()).unwrap(), progress);
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
    if plotly_loaded() {
        return; // the other test loaded it already; the error path was checked first or not at all
    }
    let div = new_div("no-plotly");
    let plot = netsift::viz::timeline(&result(10), None, &Palette::DARK);
    let err = netsift::ui::chart::render(&div, &plot).await.unwrap_err();
    assert!(!err.is_empty());
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
    let plot = netsift::viz::timeline(&r, Some(0.85), &Palette::DARK);
    netsift::ui::chart::render(&div, &plot).await.unwrap();
    let points = div
        .query_selector_all(".scatterlayer .point")
        .unwrap()
        .length();
    assert_eq!(points as usize, n);
    let traces = div.query_selector_all(".scatterlayer .trace").unwrap();
    // normal, low, medium, high, threshold line
    assert_eq!(traces.length(), 5);
    let anomalies = r.is_anomaly.iter().filter(|a| **a).count();
    let high = traces
        .item(3)
        .unwrap()
        .dyn_into::<web_sys::Element>()
        .unwrap();
    assert_eq!(
        high.query_selector_all(".point").unwrap().length() as usize,
        anomalies
    );
    let _: JsValue = div.into();
}
