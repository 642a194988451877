#!/usr/bin/env bash
# Installs what the build (and, with `test`, the test suite) needs and is missing. Idempotent and
# quick when everything is present. Everything comes from crates.io, npm, Debian or rustup: Trunk is
# pinned offline, so it never tries to download a tool itself.
#
#   tests/bootstrap.sh app    # wasm target, trunk, wasm-bindgen-cli, npm packages (plotly.js, wasm-opt)
#   tests/bootstrap.sh test   # the above + chromium, chromedriver, tshark
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-app}

TRUNK_VERSION=0.21.14 # 0.22.x needs rustc >= 1.96.1

say() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Rust target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Trunk, pinned to a version that builds with the installed rustc.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 8 minutes, once)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

# 3. wasm-bindgen-cli at exactly the version in Cargo.lock (no --locked: the registry mirror lacks
#    one of its pinned transitive versions).
WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
if [ -z "$WBG" ]; then echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG" ]; then
  say "installing wasm-bindgen-cli $WBG (about 4 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WBG"
fi

# 4. npm packages: plotly.js (served from our own dist), wasm-opt (binaryen; Debian's is too old to
#    read today's rustc output), playwright-core (drives Debian's chromium).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 5. Browser and packet tools for the tests.
if [ "$mode" = test ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v tshark >/dev/null || missing+=(tshark)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections || true
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
say "tools ready"
