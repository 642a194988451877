//! The top bar: product name, the privacy promise, the theme switch.

use leptos::prelude::*;

use crate::ui::state::{use_app_state, Theme};

/// The top bar with the product name and the light/dark switch.
#[component]
pub fn Header() -> impl IntoView {
    let state = use_app_state();
    let toggle = move |_| {
        state.theme.update(|t| {
            *t = match t {
                Theme::Dark => Theme::Light,
                Theme::Light => Theme::Dark,
            }
        })
    };
    view! {
        <header class="ns-header">
            <div class="ns-header__brand">
                <img class="ns-header__logo" src="favicon.svg" alt="" width="28" height="28" />
                <h1 class="ns-header__name">"netsift"</h1>
                <span class="ns-header__tag">"network anomaly detection · runs entirely in this tab, your data never leaves it"</span>
            </div>
            <button
                id="ns-theme"
                class="ns-button ns-button--ghost"
                type="button"
                on:click=toggle
                aria-label="Switch between dark and light theme"
            >
                {move || match state.theme.get() {
                    Theme::Dark => "☀ Light",
                    Theme::Light => "☾ Dark",
                }}
            </button>
        </header>
    }
}
