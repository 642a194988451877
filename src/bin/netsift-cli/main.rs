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

// Production code never unwraps, expects or panics: a failure is a typed error the caller shows.
// Unit tests (cfg(test)), integration tests and examples may.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

/// Prints one line to stdout, like `println!`, but ends the program quietly when the reader has
/// gone (`netsift-cli inspect F | head`) as Unix tools do, instead of panicking on the broken pipe.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::write_line(format_args!($($arg)*))
    };
}

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
            eprintln!("netsift-cli: {}", commands::terminal_safe(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn write_line(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"));
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("netsift-cli: cannot write the output: {e}");
        std::process::exit(1);
    }
}
