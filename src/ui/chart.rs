//! Drawing a [`plotly::Plot`] with plotly.js (loaded by a plain `<script>` in index.html).
//!
//! plotly.rs's own bindings panic on a JS error; this goes through `Plotly.react` with `catch`,
//! so a chart failure (plotly.js missing, a bad spec) is an error the page can show.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Plotly, js_name = react)]
    fn plotly_react(
        root: &web_sys::HtmlElement,
        figure: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(catch, js_namespace = Plotly, js_name = purge)]
    fn plotly_purge(root: &web_sys::HtmlElement) -> Result<(), JsValue>;
}

/// Draws (or redraws in place) `plot` into `root`.
pub async fn render(root: &web_sys::HtmlElement, plot: &plotly::Plot) -> Result<(), String> {
    let figure = js_sys::JSON::parse(&plot.to_json()).map_err(|e| describe(&e))?;
    let promise = plotly_react(root, &figure).map_err(|e| describe(&e))?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| describe(&e))
}

/// Removes a chart and its event handlers.
pub fn purge(root: &web_sys::HtmlElement) {
    let _ = plotly_purge(root);
}

fn describe(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "plotly.js failed".into())
}
