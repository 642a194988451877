//! The Leptos UI.
