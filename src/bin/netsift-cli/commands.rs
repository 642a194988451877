//! Argument parsing and the subcommands other than the benchmark.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use netsift::engine::data::{self, Role, Table};
use netsift::engine::feedback::{self, Verdict};
use netsift::engine::ingest::{self, IngestOptions, Ingested};
use netsift::engine::models::{AnyParams, DetectorKind};
use netsift::engine::pipeline::{self, RunConfig, RunResult, TrainingMode};
use netsift::engine::progress::NoProgress;
use netsift::engine::{generate, model_file, report};
use serde_json::json;

/// netsift on the command line: anomaly detection on flow CSVs and captures, benchmarks, inspection.
#[derive(Debug, Parser)]
#[command(name = "netsift-cli", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train the ensemble on a file and score it (or another file); prints one JSON line per
    /// detector and one for the ensemble (with metrics when a label column exists).
    Run(RunArgs),
    /// Scores a file with a saved model, without training; prints the same JSON lines as `run`.
    Score(ScoreArgs),
    /// Benchmarks on public datasets.
    Bench {
        #[command(subcommand)]
        which: BenchTarget,
    },
    /// Prints what netsift reads in a file: format, rows, each column's role, labels, warnings.
    Inspect {
        /// The file (CSV, TSV, Zeek log, JSON, optionally .gz, or a pcap/pcapng capture).
        file: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Runs the behaviour rules (scans, floods, DDoS, beaconing, …) over a capture or flow table;
    /// prints one JSON line per alert.
    Alerts {
        /// The file: pcap/pcapng, or CSV/TSV/Zeek/JSON flows with address and time columns.
        file: PathBuf,
        /// Rule thresholds as JSON (any subset of the fields; the rest keep their defaults).
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Writes generated data.
    Generate {
        #[command(subcommand)]
        what: GenerateTarget,
    },
}

/// Input limits (defaults in `engine::ingest::limits`); raise one when a real file needs more.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Largest decompressed size of a .gz input, in MB.
    #[arg(long, default_value_t = ingest::limits::MAX_DECOMPRESSED_BYTES >> 20)]
    max_decompressed_mb: u64,
    /// Largest compression ratio of a .gz input (checked after its first 16 MB).
    #[arg(long, default_value_t = ingest::limits::MAX_COMPRESSION_RATIO)]
    max_ratio: u64,
    /// Most rows read from a table.
    #[arg(long, default_value_t = ingest::limits::MAX_ROWS)]
    max_rows: usize,
    /// Most columns (CSV fields, JSON keys).
    #[arg(long, default_value_t = ingest::limits::MAX_COLUMNS)]
    max_columns: usize,
    /// Longest line or record, in KB.
    #[arg(long, default_value_t = ingest::limits::MAX_RECORD_BYTES >> 10)]
    max_line_kb: usize,
}

impl Default for LimitArgs {
    fn default() -> Self {
        Self {
            max_decompressed_mb: ingest::limits::MAX_DECOMPRESSED_BYTES >> 20,
            max_ratio: ingest::limits::MAX_COMPRESSION_RATIO,
            max_rows: ingest::limits::MAX_ROWS,
            max_columns: ingest::limits::MAX_COLUMNS,
            max_line_kb: ingest::limits::MAX_RECORD_BYTES >> 10,
        }
    }
}

impl LimitArgs {
    /// The ingest options these limits give.
    pub fn options(&self) -> IngestOptions {
        IngestOptions {
            max_decompressed_bytes: self.max_decompressed_mb.saturating_mul(1 << 20),
            max_compression_ratio: self.max_ratio.max(1),
            max_rows: self.max_rows.max(1),
            max_columns: self.max_columns.max(1),
            max_record_bytes: self.max_line_kb.saturating_mul(1 << 10).max(1024),
            ..IngestOptions::default()
        }
    }
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// File to train on.
    #[arg(long)]
    train: PathBuf,
    /// Train only on rows labelled normal (needs a label column).
    #[arg(long)]
    normal_only: bool,
    /// File to score (default: the training file).
    #[arg(long)]
    test: Option<PathBuf>,
    /// Expected share of anomalies, in (0, 0.5].
    #[arg(long, default_value_t = 0.15)]
    contamination: f64,
    /// Master seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Detectors to use, comma-separated: if, ocsvm, lof, ae (or their full ids).
    #[arg(long, default_value = "if,ocsvm,lof,ae", value_delimiter = ',')]
    detectors: Vec<String>,
    /// Minimum number of detectors that must vote anomaly.
    #[arg(long, default_value_t = 2)]
    min_votes: usize,
    /// Write every scored row (input columns + votes, scores, severity) to this CSV.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the trained ensemble to this model file (the format the app's History page imports).
    #[arg(long)]
    model_out: Option<PathBuf>,
    /// The analyst's verdicts on rows of the training file (CSV with a header and columns `row`
    /// — 0-based — and `verdict`: `tp`/`attack` or `fp`/`normal`): after the first run, retrain
    /// with this feedback as the page's "retrain with feedback" does, then score; prints the
    /// first run's lines (`run`) and the retrained one's (`run_feedback`).
    #[arg(long)]
    feedback: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, clap::Args)]
struct ScoreArgs {
    /// A model file (`run --model-out`, or exported from the app).
    #[arg(long)]
    model: PathBuf,
    /// The file to score.
    file: PathBuf,
    /// Write every scored row (input columns + votes, scores, severity) to this CSV.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Largest model file read, in MB.
    #[arg(long, default_value_t = model_file::DEFAULT_MAX_MODEL_BYTES >> 20)]
    max_model_mb: u64,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Subcommand)]
enum BenchTarget {
    /// NSL-KDD: (a) fit on the normal rows of KDDTrain+, (b) fit on all of KDDTrain+; score KDDTest+.
    NslKdd {
        /// Folder holding KDDTrain+.txt and KDDTest+.txt.
        dir: PathBuf,
        /// Master seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Contamination used for every threshold.
        #[arg(long, default_value_t = 0.15)]
        contamination: f64,
        /// Write the verdicts the simulated analyst gave in `c_feedback_1pct` (CSV `row,verdict`,
        /// rows of KDDTrain+ from 0) to this file: `run --feedback` reads it back.
        #[arg(long)]
        verdicts_out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum GenerateTarget {
    /// Sample network traffic in the connection-features schema (CSV with a label column).
    Sample {
        /// Rows.
        #[arg(long, default_value_t = 1000)]
        rows: usize,
        /// Share of anomalous rows.
        #[arg(long, default_value_t = 0.15)]
        anomaly_ratio: f64,
        /// Seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output file (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Score(args) => score(args),
        Command::Bench {
            which:
                BenchTarget::NslKdd {
                    dir,
                    seed,
                    contamination,
                    verdicts_out,
                },
        } => crate::bench::nsl_kdd(&dir, seed, contamination, verdicts_out.as_deref()),
        Command::Inspect { file, limits } => inspect(&file, &limits),
        Command::Alerts {
            file,
            config,
            limits,
        } => crate::alerts::run(&file, config.as_deref(), &limits),
        Command::Generate {
            what:
                GenerateTarget::Sample {
                    rows,
                    anomaly_ratio,
                    seed,
                    out,
                },
        } => {
            let params = generate::SampleParams {
                rows,
                anomaly_ratio,
                seed,
                ..Default::default()
            };
            let table = generate::sample_traffic(&params).map_err(|e| e.to_string())?;
            write_output(out.as_deref(), &report::table_csv(&table))
        }
    }
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    match path {
        Some(p) => {
            std::fs::write(p, bytes).map_err(|e| format!("cannot write {}: {e}", p.display()))
        }
        None => match std::io::stdout().write_all(bytes) {
            // The reader has gone (`… | head`): nothing more to say, as Unix tools do.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            r => r.map_err(|e| format!("cannot write the output: {e}")),
        },
    }
}

/// Bytes read from a file at a time: the CLI streams every input through the engine's chunked
/// reader, so memory holds the table being built, never the file.
pub const READ_CHUNK: usize = 1 << 20;

/// The name a file is called by in messages (its file name).
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `e` prefixed with `name`, unless it already starts with it (engine errors name the file).
pub fn named(name: &str, e: impl std::fmt::Display) -> String {
    let text = e.to_string();
    if text.starts_with(&format!("{name}: ")) {
        text
    } else {
        format!("{name}: {text}")
    }
}

/// Feeds `path` to `push` in [`READ_CHUNK`] pieces.
pub fn stream_file(
    path: &Path,
    mut push: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    use std::io::Read;
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        push(&buf[..n])?;
    }
}

/// Reads and parses a data file, streamed in [`READ_CHUNK`] pieces.
pub fn load(path: &Path, limits: &LimitArgs) -> Result<Ingested, String> {
    let name = display_name(path);
    let mut opts = limits.options();
    opts.size_hint = std::fs::metadata(path)
        .ok()
        .map(|m| m.len())
        .filter(|&n| n > 0);
    let mut reader = ingest::AutoReader::new(&name, opts, ingest::FlowConfig::default());
    stream_file(path, |chunk| {
        reader.push(chunk).map_err(|e| named(&name, e))
    })?;
    let ingested = reader.finish().map_err(|e| named(&name, e))?;
    for w in &ingested.warnings {
        eprintln!("netsift-cli: {name}: {}", terminal_safe(w));
    }
    Ok(ingested)
}

/// JSON text with DEL and the C1 controls (U+007F–U+009F, which serde_json leaves raw; C0 it
/// already escapes) written as `\u00XX` escapes: the same JSON, safe for a terminal.
pub fn json_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` with control characters (ESC, BEL, CR, …; C0, DEL and C1) shown as `\u{..}` escapes,
/// so text from a file cannot drive the terminal (colours, titles, hyperlinks, cursor moves).
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses the detector list.
pub fn parse_detectors(
    names: &[String],
    contamination: f64,
    seed: u64,
) -> Result<Vec<AnyParams>, String> {
    names
        .iter()
        .map(|n| {
            let kind = match n.trim() {
                "if" | "iforest" => Some(DetectorKind::IsolationForest),
                "ocsvm" | "svm" => Some(DetectorKind::OneClassSvm),
                "ae" => Some(DetectorKind::Autoencoder),
                other => DetectorKind::from_id(other),
            };
            kind.map(|k| AnyParams::default_for(k, contamination, seed))
                .ok_or_else(|| format!("unknown detector {n:?}: use if, ocsvm, lof, ae"))
        })
        .collect()
}

/// Fails early, before any training, when `path` cannot be written: an existing file is opened
/// for appending (not truncated); a new one is created and removed again.
fn check_writable(path: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop)
            .map_err(fail)
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(fail)?;
        std::fs::remove_file(path).map_err(fail)
    }
}

/// The model-file metadata of a CLI-trained model.
fn model_meta(train: &Path, ingested: &Ingested) -> model_file::ModelMeta {
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let name = train
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    model_file::ModelMeta {
        name: name.clone(),
        created,
        schema_name: Some(ingested.format.clone()).filter(|f| !f.is_empty()),
        source: Some(name),
        notes: "trained by netsift-cli run".into(),
        app_version: env!("CARGO_PKG_VERSION").into(),
    }
}

fn score(args: ScoreArgs) -> Result<(), String> {
    if let Some(out) = &args.out {
        check_writable(out)?;
    }
    let model_name = args.model.display().to_string();
    let limit = args.max_model_mb.saturating_mul(1 << 20);
    let size = std::fs::metadata(&args.model)
        .map_err(|e| format!("cannot read {model_name}: {e}"))?
        .len();
    if size > limit {
        return Err(format!(
            "{model_name}: {}",
            model_file::ModelFileError::TooLarge { size, limit }
        ));
    }
    let bytes = std::fs::read(&args.model).map_err(|e| format!("cannot read {model_name}: {e}"))?;
    let (model, _meta) =
        model_file::import_limited(&bytes, limit).map_err(|e| format!("{model_name}: {e}"))?;
    drop(bytes);
    let data = load(&args.file, &args.limits)?;
    let name = display_name(&args.file);
    model_file::check_schema(&model, &data.table).map_err(|e| format!("{name}: {e}"))?;
    let result = pipeline::score(&model, &data.table, &mut NoProgress)
        .map_err(|e| format!("{name}: {e}"))?;
    print_result_lines("score", &result, &result);
    if let Some(out) = &args.out {
        let csv = report::anomalies_csv(&data.table, &result, report::Selection::All)
            .map_err(|e| e.to_string())?;
        write_output(Some(out), &csv)?;
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<(), String> {
    for out in [&args.out, &args.model_out].into_iter().flatten() {
        check_writable(out)?;
    }
    let train = load(&args.train, &args.limits)?;
    let config = RunConfig {
        detectors: parse_detectors(&args.detectors, args.contamination, args.seed)?,
        contamination: args.contamination,
        min_votes: args.min_votes,
        training: if args.normal_only {
            TrainingMode::NormalOnly
        } else {
            TrainingMode::AllRows
        },
        seed: args.seed,
        ..RunConfig::default()
    };
    let train_name = display_name(&args.train);
    let (mut model, mut trained) = pipeline::run(&config, &train.table, &mut NoProgress)
        .map_err(|e| format!("{train_name}: {e}"))?;
    let meta = model_meta(&args.train, &train);
    let mut protocol = "run";
    if let Some(path) = &args.feedback {
        let feedback = read_verdicts(path, &train.table)?;
        let (first, result) = match &args.test {
            Some(test) => {
                let test_name = display_name(test);
                let test = load(test, &args.limits)?;
                let r = pipeline::score(&model, &test.table, &mut NoProgress)
                    .map_err(|e| format!("{test_name}: {e}"))?;
                (trained.clone(), r)
            }
            None => (trained.clone(), trained.clone()),
        };
        print_result_lines("run", &first, &result);
        let started = std::time::Instant::now();
        let (m, t, diff) =
            feedback::retrain_with_feedback(&config, &train.table, &trained, &feedback)
                .map_err(|e| format!("{train_name}: {e}"))?;
        eprintln!(
            "netsift-cli: retrained in {:.2}s ({:.2}s choosing the rows, {:.2}s training and scoring) with {} verdict(s): {} row(s) added as normal, {} removed, {} like the attacks removed; {} training rows",
            started.elapsed().as_secs_f64(),
            started.elapsed().as_secs_f64() - t.total_seconds,
            t.total_seconds,
            feedback.len(),
            diff.plan.added_as_normal.len(),
            diff.plan.removed.len(),
            diff.plan.similar_removed,
            diff.train_rows_after
        );
        (model, trained, protocol) = (m, t, "run_feedback");
    }
    let (table, result) = match &args.test {
        Some(test) => {
            let test_name = display_name(test);
            let test = load(test, &args.limits)?;
            let result = pipeline::score(&model, &test.table, &mut NoProgress)
                .map_err(|e| format!("{test_name}: {e}"))?;
            (test.table, result)
        }
        None => (train.table, trained.clone()),
    };
    print_result_lines(protocol, &trained, &result);
    if let Some(out) = &args.out {
        let csv = report::anomalies_csv(&table, &result, report::Selection::All)
            .map_err(|e| e.to_string())?;
        write_output(Some(out), &csv)?;
    }
    if let Some(out) = &args.model_out {
        let json = model_file::export(&model, &meta).map_err(|e| e.to_string())?;
        write_output(Some(out), &json)?;
    }
    Ok(())
}

/// Reads a verdicts CSV (`row,verdict`; see `run --feedback`) into feedback on `table`.
fn read_verdicts(path: &Path, table: &Table) -> Result<Vec<feedback::Feedback>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (mut attacks, mut normal) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate().skip(1) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = || {
            format!(
                "{}: line {}: expected `row,verdict`, got {line:?}",
                path.display(),
                i + 1
            )
        };
        let (row, verdict) = line.split_once(',').ok_or_else(bad)?;
        let row: usize = row.trim().parse().map_err(|_| bad())?;
        if row >= table.n_rows() {
            return Err(format!(
                "{}: line {}: row {row} is past the training file's {} rows",
                path.display(),
                i + 1,
                table.n_rows()
            ));
        }
        match verdict.trim().to_ascii_lowercase().as_str() {
            "tp" | "attack" | "true_positive" => attacks.push(row),
            "fp" | "normal" | "false_positive" => normal.push(row),
            _ => return Err(bad()),
        }
    }
    let mut out = Vec::new();
    feedback::mark(&mut out, table, &attacks, Verdict::TruePositive, "", 0.0);
    feedback::mark(&mut out, table, &normal, Verdict::FalsePositive, "", 0.0);
    Ok(out)
}

/// Prints one JSON line per detector and one for the ensemble.
pub fn print_result_lines(protocol: &str, trained: &RunResult, scored: &RunResult) {
    for (fit, m) in trained.members.iter().zip(&scored.members) {
        let metrics = m.metrics.as_ref();
        out!(
            "{}",
            json!({
                "protocol": protocol,
                "model": m.kind.id(),
                "fit_s": fit.fit_seconds,
                "score_s": m.score_seconds,
                "n_train": fit.n_train,
                "n_scored": scored.n_rows,
                "anomalies": m.n_anomalies,
                "roc_auc": metrics.map(|x| x.roc_auc),
                "pr_auc": metrics.map(|x| x.pr_auc),
                "precision": metrics.map(|x| x.precision),
                "recall": metrics.map(|x| x.recall),
                "f1": metrics.map(|x| x.f1),
            })
        );
    }
    let metrics = scored.metrics.as_ref();
    out!(
        "{}",
        json!({
            "protocol": protocol,
            "model": "ensemble",
            "fit_s": trained.members.iter().map(|m| m.fit_seconds).sum::<f64>(),
            "score_s": scored.members.iter().map(|m| m.score_seconds).sum::<f64>(),
            "n_train": trained.n_train,
            "n_scored": scored.n_rows,
            "anomalies": scored.is_anomaly.iter().filter(|a| **a).count(),
            "roc_auc": metrics.map(|x| x.roc_auc),
            "pr_auc": metrics.map(|x| x.pr_auc),
            "precision": metrics.map(|x| x.precision),
            "recall": metrics.map(|x| x.recall),
            "f1": metrics.map(|x| x.f1),
        })
    );
}

fn inspect(path: &Path, limits: &LimitArgs) -> Result<(), String> {
    let ingested = load(path, limits)?;
    let table: &Table = &ingested.table;
    let summaries = data::summarize(table);
    let label = table.by_role(Role::Label);
    let classes = label.map(|c| {
        data::summarize(&Table {
            columns: vec![c.clone()],
        })
    });
    let out = json!({
        "file": path.display().to_string(),
        "format": ingested.format,
        "rows": table.n_rows(),
        "skipped_rows": ingested.skipped_rows,
        "packets": ingested.capture.map(|c| c.packets),
        "flows": ingested.capture.map(|c| c.flows),
        "columns": summaries.iter().map(|s| {
            let mapped = ingested.mapping.iter().find(|m| m.kept && m.column == s.name);
            json!({
                "name": s.name, "role": format!("{:?}", s.role), "meaning": s.meaning.map(|m| format!("{m:?}")),
                "kind": format!("{:?}", s.kind), "missing": s.missing, "distinct": s.distinct, "distinct_exact": s.distinct_exact,
                "header": mapped.map(|m| m.source.clone()), "why": mapped.map(|m| m.reason.clone()),
            })
        }).collect::<Vec<_>>(),
        "dropped_columns": ingested.mapping.iter().filter(|m| !m.kept).map(|m| json!({
            "header": m.source, "why": m.reason,
        })).collect::<Vec<_>>(),
        "label_column": label.map(|c| c.name.clone()),
        "label_classes": classes.and_then(|c| c.into_iter().next()).map(|s| s.top_levels),
        "warnings": ingested.warnings,
    });
    out!(
        "{}",
        json_safe(&serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?)
    );
    Ok(())
}
