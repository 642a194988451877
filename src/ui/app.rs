//! The root component: provides the state and the worker bridge, lays out the page (header,
//! tabs, the active page), and keeps the outside world (the `data-theme` attribute, the `?demo`
//! link, the `#page=` fragment) in sync.

use leptos::prelude::*;

use crate::ui::components::history::StorageBanner;
use crate::ui::components::{ErrorBanner, Header, PageTabs};
use crate::ui::demo::DemoBanner;
use crate::ui::hooks::{provide_storage, provide_worker};
use crate::ui::pages::{AnalyzePage, AnomaliesPage, HistoryPage, LivePage, NetworkPage};
use crate::ui::state::{AppState, Page, Theme};
use wasm_bindgen::{JsCast, JsValue};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let worker = provide_worker(state);
    // Restores the saved workspace and autosaves (a ?demo link gets an unsaved one of its own).
    provide_storage(state, worker);
    // Per-detector training progress follows the job on every tab.
    crate::ui::components::train_panel::track_detector_progress(state);

    // Theme: the CSS reads `data-theme` on <html>. The choice is also kept in localStorage and
    // read here, at start-up, so the first paint already has it (IndexedDB opens later).
    if let Some(theme) = remembered_theme() {
        state.theme.set(theme);
    }
    Effect::new(move |_| {
        let theme = state.theme.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
        remember_theme(theme);
    });

    // `#page=<id>` opens a tab directly (and the fragment follows the tab).
    if let Some(page) = page_from_hash() {
        state.page.set(page);
    }
    Effect::new(move |_| {
        let page = state.page.get();
        let hash = window().location().hash().unwrap_or_default();
        if hash.starts_with("#page=") || page != Page::Analyze {
            let _ = window().location().set_hash(&format!("page={}", page.id()));
        }
    });

    // `?demo…` or `#demo`: generated data, trained once, in a workspace that is never saved.
    if let Some(demo) = crate::ui::demo::Demo::from_location() {
        crate::ui::demo::start(state, worker, demo);
    }
    let bench = has_query_flag("bench");

    view! {
        <div class="ns-app">
            <Header />
            <PageTabs />
            <DemoBanner />
            <ErrorBanner />
            <StorageBanner />
            <main
                class="ns-main"
                id=move || format!("ns-page-{}", state.page.get().id())
                role="tabpanel"
                aria-labelledby=move || format!("ns-tab-{}", state.page.get().id())
            >
                {move || match state.page.get() {
                    Page::Analyze => view! { <AnalyzePage bench=bench /> }.into_any(),
                    Page::Anomalies => view! { <AnomaliesPage /> }.into_any(),
                    Page::Network => view! { <NetworkPage /> }.into_any(),
                    Page::Live => view! { <LivePage /> }.into_any(),
                    Page::History => view! { <HistoryPage /> }.into_any(),
                }}
            </main>
            <footer class="ns-footer">
                "netsift · Isolation Forest, One-Class SVM, LOF and an autoencoder, compiled to WebAssembly · works offline"
            </footer>
        </div>
    }
}

/// True when the query string holds `flag` (e.g. `?bench`).
fn has_query_flag(flag: &str) -> bool {
    let search = window().location().search().unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == flag || kv.starts_with(&format!("{flag}=")))
}

/// The page named by a `#page=<id>` fragment.
fn page_from_hash() -> Option<Page> {
    let hash = window().location().hash().unwrap_or_default();
    let id = hash.strip_prefix("#page=")?;
    Page::ALL.into_iter().find(|p| p.id() == id)
}

/// localStorage key of the theme.
const THEME_KEY: &str = "netsift-theme";

/// `window.localStorage`, when the browser allows it (not in some private modes).
fn local_storage() -> Option<JsValue> {
    js_sys::Reflect::get(&window(), &"localStorage".into())
        .ok()
        .filter(|s| s.is_object())
}

/// Calls `localStorage[method](args…)`; `None` on any error (blocked storage, quota).
fn local_storage_call(method: &str, args: &[&str]) -> Option<JsValue> {
    let storage = local_storage()?;
    let f: js_sys::Function = js_sys::Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
    f.apply(&storage, &args).ok()
}

/// The theme the analyst last chose in this browser, if any.
pub fn remembered_theme() -> Option<Theme> {
    match local_storage_call("getItem", &[THEME_KEY])?
        .as_string()?
        .as_str()
    {
        "light" => Some(Theme::Light),
        "dark" => Some(Theme::Dark),
        _ => None,
    }
}

fn remember_theme(theme: Theme) {
    let _ = local_storage_call("setItem", &[THEME_KEY, theme.as_str()]);
}
