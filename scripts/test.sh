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

echo "== benchmark smoke run (test profile, tiny size: keeps the bench compiling and running)"
cargo test -p outpost-core --bench store -- --accounts 3

echo "== load generator smoke run (debug build, a few devices, seconds; the stock server too when node is installed)"
cargo run -p outpost-loadgen -- --latency-devices 3 --probes 5 --bg-rate 10 --conn-steps 20 \
  --writers 4 --rate 100 --secs 1 --territory 6 --wire-reps 2 --memory-accounts 40
