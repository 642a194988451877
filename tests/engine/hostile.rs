//! The hostile corpus (`tests/hostile/gen.py`) through `netsift-cli inspect`: no panic, no
//! abort, memory bounded (each run under `ulimit -v` of 3 GB, so an unbounded allocation fails
//! the run instead of the machine), and for every refusal a message naming the file (and, where
//! `expect.tsv` says so, the line, byte or column). Prints one line per file with the wall time
//! and the peak resident memory seen (VmHWM, polled) — figures, not assertions.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address-space limit per run, in KiB (`ulimit -v`).
const ULIMIT_KIB: u64 = 3 << 20;

fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile-corpus");
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/gen.py");
    let status = Command::new("python3")
        .arg(&gen)
        .arg(&dir)
        .status()
        .expect("python3 runs tests/hostile/gen.py");
    assert!(status.success(), "gen.py failed");
    dir
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    peak_kib: Option<u64>,
}

fn inspect(file: &Path) -> Outcome {
    let cli = env!("CARGO_BIN_EXE_netsift-cli");
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ULIMIT_KIB}; exec \"$0\" inspect \"$1\""
        ))
        .arg(cli)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = None;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kib = Some(kib);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    Outcome {
        code: status.code(),
        stderr,
        elapsed: started.elapsed(),
        peak_kib,
    }
}

#[test]
fn every_hostile_file_gets_a_message_naming_it_and_no_panic() {
    let dir = corpus();
    let expect = std::fs::read_to_string(dir.join("expect.tsv")).unwrap();
    let mut failures = Vec::new();
    println!("{:<40} {:>8} {:>9}  outcome", "file", "ms", "peak MB");
    for line in expect.lines() {
        let (name, what) = line.split_once('\t').unwrap();
        let o = inspect(&dir.join(name));
        let first = o.stderr.lines().last().unwrap_or("").to_string();
        println!(
            "{name:<40} {:>8} {:>9}  {} {}",
            o.elapsed.as_millis(),
            o.peak_kib
                .map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
            match o.code {
                Some(0) => "ok".to_string(),
                Some(c) => format!("exit {c}"),
                None => "killed".to_string(),
            },
            first.chars().take(160).collect::<String>()
        );
        if o.stderr.contains("panicked") || o.code.is_none() || o.code == Some(101) {
            failures.push(format!("{name}: crashed ({:?}): {}", o.code, o.stderr));
            continue;
        }
        if o.stderr.contains("memory allocation") {
            failures.push(format!("{name}: ran out of memory: {}", o.stderr));
            continue;
        }
        match what {
            "ok" => {
                if o.code != Some(0) {
                    failures.push(format!("{name}: expected to load, got {}", o.stderr));
                }
            }
            "refused" | "refused-at" => {
                if o.code == Some(0) {
                    failures.push(format!("{name}: expected a refusal, but it loaded"));
                } else if !first.contains(name) {
                    failures.push(format!(
                        "{name}: the message does not name the file: {first}"
                    ));
                } else if what == "refused-at"
                    && !["line ", "byte ", "column"]
                        .iter()
                        .any(|p| first.contains(p))
                {
                    failures.push(format!("{name}: the message names no place: {first}"));
                }
            }
            other => panic!("unknown expectation {other}"),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
