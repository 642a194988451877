//! The Web Worker: registers the engine's message handler and nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    netsift::worker::runtime::register();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the netsift worker runs inside a browser Web Worker");
}
