#!/usr/bin/env bash
# Runs every fuzz target for the given number of seconds each (default 600), one after the other.
# Not part of `make test`. Needs a nightly toolchain and cargo-fuzz (see README.md).
# Usage: tests/fuzz/run.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(csv pcap protocol json model)
fi
mkdir -p logs
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    echo "== $t: ${secs}s (log: tests/fuzz/logs/$t.log)"
    # -a: debug assertions and overflow checks on, as in a debug build of the engine.
    # corpus/<t> grows (git-ignored); seeds/<t> is the committed seed corpus, read only.
    cargo +nightly fuzz run --fuzz-dir . -a "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        2>&1 | tee "logs/$t.log" | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|stat::|SUMMARY|panicked|ERROR" || true
    if grep -qE "SUMMARY|panicked|deadly signal|ERROR: libFuzzer" "logs/$t.log"; then
        echo "!! $t found a crash: see logs/$t.log and artifacts/$t/" >&2
        exit 1
    fi
done
