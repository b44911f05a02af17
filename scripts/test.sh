#!/usr/bin/env bash
# Runs every test of the workspace. This is the README's test command and
# what .ci/run calls; it installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust from https://rustup.rs first" >&2
  exit 1
fi

echo "== cargo test (workspace)"
cargo test --workspace

echo "== browser tests of the web console (headless chromium, real server)"
bash tests/browser/run.sh

echo "== benchmark smoke run (test profile, tiny size: keeps the bench compiling and running)"
cargo test -p outpost-core --bench store -- --accounts 3
