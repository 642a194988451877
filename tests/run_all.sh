#!/usr/bin/env bash
# Runs every test: formatting and lints, the engine natively (with and without the browser
# feature), the release build of the site, wasm tests in headless Chromium, and the end-to-end
# browser tests against the built site. Called by `make test` after tests/bootstrap.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
start=$(date +%s)

step "format and lints"
cargo fmt --all -- --check
cargo clippy --quiet --all-targets --no-default-features -- -D warnings
cargo clippy --quiet --all-targets -- -D warnings
# The browser-only code (worker runtime, UI hooks) compiles for wasm32 alone.
cargo clippy --quiet --target wasm32-unknown-unknown --lib --bins --test web -- -D warnings

step "engine, natively, without browser crates"
cargo test --no-default-features

step "everything, natively, default features"
cargo test

step "release build of the site (trunk)"
trunk build --release

step "wasm tests in headless Chromium"
cargo test --release --target wasm32-unknown-unknown --test web

step "end-to-end tests against the built site"
node tests/e2e/run.mjs

printf '\nall test stages passed in %ss\n' "$(( $(date +%s) - start ))"
