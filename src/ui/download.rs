//! Offering bytes as a file download: a `Blob`, an object URL and a temporary `<a download>`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Wraps bytes in a `Blob` of the given MIME type.
pub fn blob(bytes: &[u8], mime: &str) -> Result<web_sys::Blob, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
}

/// Starts a download of `bytes` named `file_name`. The object URL is revoked right after the
/// click (the browser has taken its own reference by then).
pub fn download_bytes(file_name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    let blob = blob(bytes, mime)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let result = (|| {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| JsValue::from_str("no document"))?;
        let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
        a.set_href(&url);
        a.set_download(file_name);
        a.set_attribute("hidden", "")?;
        let body = document
            .body()
            .ok_or_else(|| JsValue::from_str("no body"))?;
        body.append_child(&a)?;
        a.click();
        a.remove();
        Ok(())
    })();
    let _ = web_sys::Url::revoke_object_url(&url);
    result
}

/// Offers a file the worker built as a download; says in the banner when the browser refuses.
pub fn offer(state: crate::ui::state::AppState, file: &crate::worker::protocol::ExportFile) {
    if let Err(e) = download_bytes(&file.file_name, &file.mime, &file.bytes) {
        state.fail_then(
            "The download could not start",
            crate::ui::error::AppError::browser(&e),
            "allow downloads for this page and try again.",
        );
    }
}
