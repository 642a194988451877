# The two commands of the README. Each installs what it lacks (tests/bootstrap.sh), then works.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run serve watch test build cli bench bench-web bench-results

PORT ?= 8080

## Build the app, then serve dist/ as a static host would: http://127.0.0.1:8080/ and, as under a
## sub-path deployment, http://127.0.0.1:8080/netsift/ (no file watcher: see `make watch`)
run: build
	node tools/serve.mjs dist --port $(PORT)

## Serve the last build of dist/ without building
serve:
	node tools/serve.mjs dist --port $(PORT)

## Rebuild dist/ when a source changes (src/, style/, public/, index.html; never target/,
## node_modules/ or dist/); run next to `make serve` and reload the page
watch:
	@bash tests/bootstrap.sh app
	trunk watch --release

## Run every test (native, wasm in headless Chromium, end-to-end)
test:
	@bash tests/bootstrap.sh test
	@bash tests/run_all.sh

## Release build of the static site into dist/
build:
	@bash tests/bootstrap.sh app
	trunk build --release

## Build the native command-line tool (target/release/netsift-cli)
cli:
	cargo build --release --no-default-features --bin netsift-cli

## Benchmark the engine natively on NSL-KDD (../shared/data/nsl-kdd)
bench: cli
	target/release/netsift-cli bench nsl-kdd $(or $(DATA),../shared/data/nsl-kdd)

## Benchmark the engine in headless Chromium, inside the page's worker
bench-web: build
	node tests/e2e/bench.mjs $(or $(DATA),../shared/data/nsl-kdd)
	node tests/e2e/ingest_bench.mjs $(INGEST_FILES)

## Benchmark the results page at NSL-KDD scale (148k rows) in headless Chromium: uses dist/ as built
bench-results:
	node tests/e2e/results_bench.mjs $(or $(DATA),../shared/data/nsl-kdd)
