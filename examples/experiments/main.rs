//! The measurements behind the engine's defaults, as one program with a subcommand each. They
//! print tables; they check nothing (the tests do that). Most read NSL-KDD (`NSL_KDD_DIR`, default
//! `../shared/data/nsl-kdd` beside the repository) through the engine's own ingest and encoder.
//! docs/decisions.md holds the figures they gave and the decisions taken on them.
//!
//! ```text
//! cargo run --release --no-default-features --example experiments -- SUBCOMMAND
//! ```
//!
//! | subcommand | what it measures | knobs (environment) |
//! |---|---|---|
//! | `ensemble-combinations` | k-th highest vs mean vs mean of top k, on the sample traffic | — |
//! | `one-hot-scaling` | scaled vs 0/1 one-hot inputs per detector (NSL-KDD) | `LOG` |
//! | `ensemble-tails` | the ensemble score with and without tails beyond the training range (NSL-KDD) | `LOG`, `UNSCALED_ONE_HOT` |
//! | `tune` | every detector under both protocols, per-member and per-combination (NSL-KDD) | `TUNE_*` (see `tune.rs`) |
//! | `lof-cap` | LOF's reference-row cap (NSL-KDD) | `LOF_CAPS`, `LOG` |
//! | `ae-cap` | the autoencoder's training-row cap and dropout (NSL-KDD) | `AE_CAPS`, `AE_DROPOUT`, `AE_SEEDS`, `LOG` |
//! | `ae-fixture` | the autoencoder on the scikit-learn reference set, seeds 0–9 | `AE_INIT`, `AE_DROPOUT`, `AE_PATIENCE` |
//! | `ocsvm-cap` | the One-Class SVM's training-row cap (NSL-KDD) | `OCSVM_CAPS`, `OCSVM_SEEDS`, `OCSVM_CACHE_MB`, `LOG` |
//! | `iforest` | Isolation Forest under both protocols, seeds 0–2 (NSL-KDD) | `LOG` |
//! | `ingest` | ingest throughput and table memory | — |
//!
//! `LOG=0|1` turns the log transform of heavy-tailed columns off or on (unset: the engine's
//! default, on when training on normal rows only).

mod data;
mod detectors;
mod ensemble;
mod ingest;
mod tune;

const SUBCOMMANDS: [(&str, fn()); 10] = [
    ("ensemble-combinations", ensemble::combinations),
    ("one-hot-scaling", ensemble::one_hot_scaling),
    ("ensemble-tails", ensemble::tails),
    ("tune", tune::tune),
    ("lof-cap", detectors::lof_cap),
    ("ae-cap", detectors::ae_cap),
    ("ae-fixture", detectors::ae_fixture_spread),
    ("ocsvm-cap", detectors::ocsvm_cap),
    ("iforest", detectors::iforest),
    ("ingest", ingest::throughput),
];

fn main() {
    let wanted = std::env::args().nth(1).unwrap_or_default();
    match SUBCOMMANDS.iter().find(|(name, _)| *name == wanted) {
        Some((_, run)) => run(),
        None => {
            let names: Vec<&str> = SUBCOMMANDS.iter().map(|(n, _)| *n).collect();
            eprintln!("usage: experiments {}", names.join("|"));
            std::process::exit(2);
        }
    }
}
