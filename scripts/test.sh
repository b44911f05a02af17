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

# ---- bindings (issue 4): generate Kotlin/Swift/Python once, then run the
# Python and Kotlin suites against the generated code and the real server.
apt_install() {
  # installs Debian packages when missing (CI runs as root on a fresh machine)
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "please install: $*" >&2
    exit 1
  fi
}
# Debian's python3 lacks ensurepip (so venvs without pip) until python3-venv is installed
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then apt_install python3 python3-venv; fi
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  apt_install maven default-jdk-headless
fi

echo "== bindings: build the library once and generate Kotlin, Swift, Python"
bash bindings/generate.sh

echo "== bindings: Python (pytest)"
bash bindings/python-tests/run.sh -q

echo "== bindings: Kotlin on the JVM (Maven, JUnit 5)"
bash bindings/kotlin-tests/run.sh

echo "== load generator smoke run (debug build, a few devices, seconds; the stock server too when node is installed)"
cargo run -p outpost-loadgen -- --latency-devices 3 --probes 5 --bg-rate 10 --conn-steps 20 \
  --writers 4 --rate 100 --secs 1 --territory 6 --wire-reps 2 --memory-accounts 40 --stock-memory-accounts 20
