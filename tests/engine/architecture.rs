//! The engine must build and run without a browser: no module under src/engine may import a
//! browser crate: dependencies point down only (the layer table in `src/lib.rs`).

use std::path::{Path, PathBuf};

const BROWSER_CRATES: &[&str] = &[
    "leptos",
    "web_sys",
    "js_sys",
    "gloo",
    "gloo_file",
    "gloo_timers",
    "gloo_worker",
    "wasm_bindgen",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/engine is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines that use a browser crate: `use x`, `extern crate x`, or a path `x::` anywhere in code.
fn offending_lines(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            BROWSER_CRATES.iter().any(|c| {
                code.contains(&format!("{c}::"))
                    || code.trim_start().starts_with(&format!("use {c}"))
                    || code.contains(&format!("extern crate {c}"))
            })
        })
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

#[test]
fn engine_never_imports_a_browser_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() > 5,
        "expected the engine sources under {}",
        root.display()
    );
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable source");
        for (line, code) in offending_lines(&text) {
            hits.push(format!("{}:{line}: {code}", f.display()));
        }
    }
    assert!(
        hits.is_empty(),
        "browser crates imported by the engine:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_check_catches_each_import_form() {
    assert_eq!(offending_lines("use leptos::prelude::*;").len(), 1);
    assert_eq!(offending_lines("    let w = web_sys::window();").len(), 1);
    assert_eq!(offending_lines("extern crate js_sys;").len(), 1);
    assert_eq!(offending_lines("use gloo_timers::future::sleep;").len(), 1);
    assert!(offending_lines("// leptos:: in a comment is fine").is_empty());
    assert!(offending_lines("let gloom = 1;").is_empty());
}
