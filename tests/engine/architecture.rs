//! The layers point one way: engine → analysis → (worker, viz, storage) → ui.
//!
//! - The engine and the analysis layer build and run without a browser: no module under
//!   `src/engine` or `src/analysis` imports a browser crate; neither do `src/viz`, the native
//!   part of `src/storage` (all but the IndexedDB adapter) and `src/worker/protocol.rs`.
//! - The engine names none of `crate::{analysis, worker, storage, viz, ui}`; the analysis layer
//!   names none of `crate::{worker, storage, viz, ui}`.

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
    "wasm_bindgen_futures",
    "serde_wasm_bindgen",
    "idb",
];

/// Every `.rs` file under `src/<dir>` (or the one file `src/<dir>` when it is a file), minus
/// the files named in `except`.
fn sources(dir: &str, except: &[&str]) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut files = Vec::new();
    if root.is_file() {
        files.push(root.clone());
    } else {
        rust_files(&root, &mut files);
    }
    assert!(
        !files.is_empty(),
        "expected sources under {}",
        root.display()
    );
    files
        .into_iter()
        .filter(|f| !except.iter().any(|e| f.ends_with(e)))
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("readable source");
            (f, text)
        })
        .collect()
}

/// Lines that name one of the crate's own layers: `crate::layer` in code.
fn layer_lines(source: &str, layers: &[&str]) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            // The first path segment after each `crate::`, and in a `crate::{a, b::c}` group
            // the first segment of each member.
            let named: Vec<&str> = code
                .split("crate::")
                .skip(1)
                .flat_map(|rest| {
                    let members: Vec<&str> = match rest.strip_prefix('{') {
                        Some(g) => g.split('}').next().unwrap_or("").split(',').collect(),
                        None => vec![rest],
                    };
                    members.into_iter().map(|m| {
                        m.trim_start()
                            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .next()
                            .unwrap_or("")
                    })
                })
                .collect();
            layers.iter().any(|l| named.contains(l))
        })
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

/// Fails with every offending line of `files` that `check` reports.
fn assert_clean(
    what: &str,
    files: &[(PathBuf, String)],
    check: impl Fn(&str) -> Vec<(usize, String)>,
) {
    let hits: Vec<String> = files
        .iter()
        .flat_map(|(f, text)| {
            check(text)
                .into_iter()
                .map(move |(line, code)| format!("{}:{line}: {code}", f.display()))
        })
        .collect();
    assert!(hits.is_empty(), "{what}:\n{}", hits.join("\n"));
}

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
    let files = sources("engine", &[]);
    assert!(files.len() > 5, "expected the engine sources");
    assert_clean(
        "browser crates imported by the engine",
        &files,
        offending_lines,
    );
}

#[test]
fn analysis_viz_native_storage_and_the_protocol_import_no_browser_crate() {
    for (dir, except) in [
        ("analysis", &[][..]),
        ("viz", &[][..]),
        ("storage", &["indexed_db.rs"][..]),
        ("worker/protocol.rs", &[][..]),
    ] {
        assert_clean(
            &format!("browser crates imported by src/{dir}"),
            &sources(dir, except),
            offending_lines,
        );
    }
}

#[test]
fn engine_names_no_layer_above_it() {
    assert_clean(
        "the engine names a layer above it",
        &sources("engine", &[]),
        |t| layer_lines(t, &["analysis", "worker", "storage", "viz", "ui"]),
    );
}

#[test]
fn analysis_names_no_layer_above_it() {
    assert_clean(
        "the analysis layer names a layer above it",
        &sources("analysis", &[]),
        |t| layer_lines(t, &["worker", "storage", "viz", "ui"]),
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
    assert_eq!(
        offending_lines("    let db = idb::Factory::new()?;").len(),
        1
    );
}

#[test]
fn the_layer_check_catches_each_path_form() {
    let up = ["worker", "ui"];
    assert_eq!(
        layer_lines("use crate::worker::protocol::Request;", &up).len(),
        1
    );
    assert_eq!(
        layer_lines("    let s = crate::ui::format::count(3);", &up).len(),
        1
    );
    assert_eq!(layer_lines("use crate::{engine, worker};", &up).len(), 1);
    assert_eq!(layer_lines("use crate::{ui::state, engine};", &up).len(), 1);
    assert!(layer_lines("use crate::engine::data::Table;", &up).is_empty());
    assert!(layer_lines("// see crate::worker::runtime", &up).is_empty());
    assert!(layer_lines("use crate::uint::X;", &up).is_empty());
    assert!(layer_lines("f(crate::engine::x, ui);", &up).is_empty());
}
