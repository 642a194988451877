//! The root component: provides the state and the worker bridge, lays out the page, and keeps
//! the outside world (the `data-theme` attribute, the `?demo` link) in sync.

use leptos::prelude::*;

use crate::ui::components::{
    BenchPanel, DataOverview, DataSource, ErrorBanner, Header, Results, TrainPanel,
};
use crate::ui::hooks::provide_worker;
use crate::ui::state::AppState;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let worker = provide_worker(state);

    // Theme: the CSS reads `data-theme` on <html>.
    Effect::new(move |_| {
        let theme = state.theme.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
    });

    // `?demo` or `#demo`: load the sample data, then train with the defaults, once.
    if is_demo_link() {
        let pending_train = RwSignal::new(true);
        worker.load_sample(state.sample.get_untracked());
        Effect::new(move |_| {
            let loaded = state.dataset.with(Option::is_some);
            let idle = state.job.with(Option::is_none);
            if pending_train.get_untracked() && loaded && idle {
                pending_train.set(false);
                worker.train(state.config.get_untracked());
            }
        });
    }

    view! {
        <div class="ns-app">
            <Header />
            <ErrorBanner />
            <main class="ns-layout">
                <aside class="ns-layout__side">
                    <DataSource />
                    <TrainPanel />
                    {has_query_flag("bench").then(|| view! { <BenchPanel /> })}
                </aside>
                <div class="ns-layout__main">
                    <Results />
                    <DataOverview />
                </div>
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

/// True when the page was opened with `?demo` or `#demo`.
fn is_demo_link() -> bool {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "demo" || kv.starts_with("demo="))
        || hash == "#demo"
}
