//! Banners above the page: the shared [`Banner`] markup (message, optional title and actions,
//! a dismiss button) and the [`ErrorBanner`] that shows the current error or notice with it.

use leptos::prelude::*;

use crate::ui::state::use_app_state;

/// How a banner looks and how assistive technology announces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BannerKind {
    /// Something failed: error colours, `role="alert"` (announced at once).
    Error,
    /// Information: calm colours, `role="status"`.
    Notice,
}

impl BannerKind {
    fn class(self) -> &'static str {
        match self {
            Self::Error => "ns-banner ns-banner--error",
            Self::Notice => "ns-banner ns-banner--notice",
        }
    }

    fn role(self) -> &'static str {
        match self {
            Self::Error => "alert",
            Self::Notice => "status",
        }
    }
}

/// One dismissable banner: an optional bold title over the message, optional action buttons,
/// and a ✕ button. The caller decides when it shows (wrap it in `<Show>`).
#[component]
pub fn Banner(
    /// The element id (e2e tests and links find the banner by it).
    id: &'static str,
    /// Error or notice.
    kind: BannerKind,
    /// Extra classes for the banner element.
    #[prop(optional)]
    class: &'static str,
    /// The bold first line, if any.
    #[prop(optional)]
    title: Option<Signal<String>>,
    /// The message.
    message: Signal<String>,
    /// Accessible name of the dismiss button.
    dismiss_label: &'static str,
    /// Runs when the dismiss button is pressed.
    on_dismiss: Callback<()>,
    /// Action buttons shown before the dismiss button.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let text = match title {
        Some(title) => view! {
            <div class="ns-banner__text">
                <strong class="ns-banner__title">{move || title.get()}</strong>
                <span class="ns-banner__message">{move || message.get()}</span>
            </div>
        }
        .into_any(),
        None => {
            view! { <span class="ns-banner__message">{move || message.get()}</span> }.into_any()
        }
    };
    let class = if class.is_empty() {
        kind.class().to_string()
    } else {
        format!("{} {class}", kind.class())
    };
    view! {
        <div id=id class=class role=kind.role()>
            {text}
            {children.map(|c| c())}
            <button
                class="ns-button ns-button--ghost ns-banner__close"
                type="button"
                aria-label=dismiss_label
                on:click=move |_| on_dismiss.run(())
            >
                "✕"
            </button>
        </div>
    }
}

/// Shows the current [`UiError`](crate::ui::state::UiError), or the current notice, above the page.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = use_app_state();
    let title = Signal::derive(move || {
        state
            .error
            .with(|e| e.as_ref().map(|e| e.title.clone()).unwrap_or_default())
    });
    let message = Signal::derive(move || {
        state
            .error
            .with(|e| e.as_ref().map(|e| e.message.clone()).unwrap_or_default())
    });
    let notice = Signal::derive(move || state.notice.get().unwrap_or_default());
    view! {
        <Show when=move || state.error.with(Option::is_some)>
            <Banner
                id="ns-error"
                kind=BannerKind::Error
                title=title
                message=message
                dismiss_label="Dismiss this message"
                on_dismiss=Callback::new(move |()| state.error.set(None))
            />
        </Show>
        <Show when=move || state.notice.with(Option::is_some) && state.error.with(Option::is_none)>
            <Banner
                id="ns-notice"
                kind=BannerKind::Notice
                message=notice
                dismiss_label="Dismiss"
                on_dismiss=Callback::new(move |()| state.notice.set(None))
            />
        </Show>
    }
}
