#!/usr/bin/env bash
# Browser end-to-end tests of the web console: headless Chromium (Debian's
# `chromium`) driven by playwright-core, against the REAL outpost-server
# binary on 127.0.0.1 (ephemeral port, temporary data directory).
#
# Installs what is missing (idempotent): the chromium package, the pinned npm
# packages (`npm ci`), and builds the server and the Rust device used by the
# live-update scenario. The server is stopped by its process id on exit.
# Screenshots of failed scenarios go to target/browser-artifacts/.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CHROMIUM="${OUTPOST_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "== installing chromium (Debian package)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "node is required for the browser tests (install Node.js >= 20 with npm)" >&2
  exit 1
fi
# npm ci when the packages are missing or the lock file changed since the last install
if [ ! -f "$HERE/node_modules/.package-lock.json" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  echo "== npm ci (tests/browser)"
  (cd "$HERE" && npm ci --no-audit --no-fund)
fi

echo "== building outpost-server and the test device"
cargo build -q -p outpost-server -p outpost-e2e --bin outpost-server --bin device_edit --bin seed_settings
case "${CARGO_TARGET_DIR:-}" in
  "") TARGET="$ROOT/target" ;;
  /*) TARGET="$CARGO_TARGET_DIR" ;;
  *) TARGET="$ROOT/$CARGO_TARGET_DIR" ;;
esac

# shellcheck source=scripts/start-server.sh
source "$ROOT/scripts/start-server.sh"
WORK="$(mktemp -d -t outpost-browser-XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# settings from a developer's shell must not change the run
# (every server setting is an OUTPOST_* variable; the script's own inputs are kept)
for v in $(compgen -e | grep '^OUTPOST_' | grep -v '^OUTPOST_CHROMIUM$'); do unset "$v"; done
start_server "$TARGET" "$WORK" browser info || exit 1

export OUTPOST_BASE="http://127.0.0.1:$PORT"
export OUTPOST_ADMIN_TOKEN="$ADMIN_TOKEN"
export OUTPOST_DEVICE_EDIT="$TARGET/debug/device_edit"
export OUTPOST_SEED_SETTINGS="$TARGET/debug/seed_settings"
export OUTPOST_CHROMIUM="$CHROMIUM"
export OUTPOST_ARTIFACTS="$TARGET/browser-artifacts"
mkdir -p "$OUTPOST_ARTIFACTS"

status=0
(cd "$HERE" && node --test --test-concurrency=1 --test-reporter=spec scenarios/console.test.mjs) || status=$?
if [ "$status" -ne 0 ]; then
  echo "== browser tests failed; server log tail:" >&2
  tail -n 40 "$WORK/server.log" >&2
  echo "screenshots: $OUTPOST_ARTIFACTS" >&2
fi
exit "$status"
