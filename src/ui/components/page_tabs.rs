//! The tab bar that switches pages. Follows the WAI-ARIA tabs pattern: the active tab is in the
//! Tab order, ←/→/Home/End move between tabs.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::ui::state::{use_app_state, Page};

/// One tab per [`Page`].
#[component]
pub fn PageTabs() -> impl IntoView {
    let state = use_app_state();
    let go = move |page: Page| {
        state.page.set(page);
        if let Some(el) = document().get_element_by_id(&format!("ns-tab-{}", page.id())) {
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let current = state.page.get_untracked();
        let i = Page::ALL.iter().position(|p| *p == current).unwrap_or(0);
        let n = Page::ALL.len();
        let next = match ev.key().as_str() {
            "ArrowRight" => (i + 1) % n,
            "ArrowLeft" => (i + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        go(Page::ALL[next]);
    };
    view! {
        <nav class="ns-tabs" role="tablist" aria-label="Pages" on:keydown=on_key>
            {Page::ALL
                .into_iter()
                .map(|page| {
                    let active = move || state.page.get() == page;
                    view! {
                        <button
                            type="button"
                            role="tab"
                            class="ns-tabs__tab"
                            class:ns-tabs__tab--active=active
                            id=format!("ns-tab-{}", page.id())
                            aria-selected=move || active().to_string()
                            aria-controls=format!("ns-page-{}", page.id())
                            tabindex=move || if active() { "0" } else { "-1" }
                            on:click=move |_| go(page)
                        >
                            {page.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}
