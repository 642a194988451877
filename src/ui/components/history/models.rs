//! Saved models: export the trained model as one file, import one to score the current data
//! without training.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::ui::hooks::use_storage;
use crate::ui::state::use_app_state;

/// "Export model" and "Import model" (a file input). `compact` drops the explanation (for
/// placing the pair near the Train button).
#[component]
pub fn ModelsPanel(
    /// Without the explanatory text.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let state = use_app_state();
    let storage = use_storage();
    let has_model = move || state.result.with(Option::is_some);
    let has_data = move || state.dataset.with(Option::is_some);
    let on_import = move |ev: web_sys::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                storage.import_file(file, false);
            }
            input.set_value("");
        }
    };
    view! {
        <div class="ns-models" id="ns-models">
            {(!compact)
                .then(|| {
                    view! {
                        <p class="ns-models__help">
                            "A model file holds the fitted scaler, encoders, feature schema, detectors and thresholds. "
                            "Importing one scores the loaded data with it — no training."
                        </p>
                    }
                })}
            <div class="ns-models__buttons">
                <button
                    id="ns-export-model"
                    class="ns-button"
                    type="button"
                    disabled=move || !has_model() || state.busy()
                    on:click=move |_| storage.export_model()
                >
                    "Export model"
                </button>
                <label class="ns-button ns-models__import" class:ns-button--disabled=move || !has_data()>
                    "Import model…"
                    <input
                        id="ns-import-model"
                        class="ns-visually-hidden"
                        type="file"
                        accept=".json,application/json"
                        disabled=move || !has_data() || state.busy()
                        on:change=on_import
                    />
                </label>
            </div>
        </div>
    }
}
