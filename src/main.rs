//! The web app: mounts the UI and nothing else.

// Production code never unwraps, expects or panics: a failure is a typed error the caller shows.
// Unit tests (cfg(test)), integration tests and examples may.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(netsift::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the netsift app runs in a browser: build it with `make run`; for the command line use netsift-cli");
}
