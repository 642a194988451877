//! The web app: mounts the UI and nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(netsift::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the netsift app runs in a browser: build it with `make run`; for the command line use netsift-cli");
}
