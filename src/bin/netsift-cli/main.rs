//! `netsift-cli`: the netsift engine on the command line, for batch work, benchmarks and evaluation.
//!
//! ```text
//! netsift-cli run --train FILE [--normal-only] [--test FILE] [--contamination C] [--seed S]
//!                 [--detectors if,ocsvm,lof,ae] [--min-votes K] [--out scored.csv] [--model-out FILE]
//! netsift-cli bench nsl-kdd DIR
//! netsift-cli inspect FILE
//! netsift-cli alerts FILE [--config rules.json]
//! netsift-cli generate sample [--rows N] [--anomaly-ratio R] [--seed S] [--out FILE]
//! ```
//! Results go to stdout as JSON lines; errors go to stderr with a non-zero exit status.

#[cfg(not(target_arch = "wasm32"))]
mod alerts;
#[cfg(not(target_arch = "wasm32"))]
mod alloc;
#[cfg(not(target_arch = "wasm32"))]
mod bench;
#[cfg(not(target_arch = "wasm32"))]
mod commands;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    let cli = commands::Cli::parse();
    match commands::dispatch(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netsift-cli: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
