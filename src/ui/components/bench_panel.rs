//! The benchmark panel (`?bench`): runs the engine's NSL-KDD protocols in the worker on two
//! files chosen here, and prints one JSON line per detector and protocol, as the CLI does.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::engine::bench::to_json_line;
use crate::ui::hooks::use_worker;
use crate::ui::state::use_app_state;

/// Two file inputs (training set, test set), a Run button and the JSON lines of the result.
/// `tests/e2e/bench.mjs` drives it through the ids.
#[component]
pub fn BenchPanel() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let train = NodeRef::<leptos::html::Input>::new();
    let test = NodeRef::<leptos::html::Input>::new();
    let first_file =
        |input: Option<HtmlInputElement>| input.and_then(|i| i.files()).and_then(|f| f.get(0));
    let run = move |_| match (first_file(train.get()), first_file(test.get())) {
        (Some(a), Some(b)) => {
            state.bench.set(None);
            worker.benchmark(a, b, 42, 0.15);
        }
        _ => state
            .notice
            .set(Some("Choose KDDTrain+.txt and KDDTest+.txt first.".into())),
    };
    let output = move || {
        state.bench.with(|b| {
            b.as_ref().map(|lines| {
                lines
                    .iter()
                    .map(to_json_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        })
    };
    view! {
        <section class="ns-panel ns-bench" aria-labelledby="ns-bench-title">
            <h2 id="ns-bench-title" class="ns-panel__title">"Benchmark · NSL-KDD"</h2>
            <p class="ns-hint">
                "(a) fit on the normal rows of the training file, (b) fit on all of it; both score the test file."
            </p>
            <label class="ns-field">"Training file (KDDTrain+.txt) "<input id="bench-train" type="file" node_ref=train /></label>
            <label class="ns-field">"Test file (KDDTest+.txt) "<input id="bench-test" type="file" node_ref=test /></label>
            <button id="bench-run" class="ns-button" type="button" on:click=run disabled=move || state.busy()>
                "Run benchmark"
            </button>
            <pre id="bench-output" class="ns-bench__out" data-done=move || output().is_some().to_string()>
                {move || output().unwrap_or_default()}
            </pre>
        </section>
    }
}
