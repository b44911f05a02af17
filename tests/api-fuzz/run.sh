#!/usr/bin/env bash
# Property-based run of the REST API from its own OpenAPI document
# (issue 11): schemathesis generates requests for every operation of
# GET /api/openapi.json and checks every answer for
#   not_a_server_error          no 5xx (and no dropped connection)
#   status_code_conformance     the status is one the document lists
#   content_type_conformance    the Content-Type is the one documented
#   response_schema_conformance the body matches the documented schema
# against the REAL outpost-server binary on 127.0.0.1 (ephemeral port,
# temporary data directory), once with the admin's token and once with a
# rep's, after seeding a little data through the API (seed.py).
#
# Installs the pinned schemathesis (requirements.txt) into
# target/schemathesis-venv when missing; builds the server; stops it by its
# process id on exit. Exits non-zero on any finding, on a panic in the
# server's log, or if the server died.
#
# OUTPOST_API_FUZZ_EXAMPLES  examples per operation (default 20; the
#                            thorough run in docs/SECURITY.md used 200)
# OUTPOST_API_FUZZ_SEED      schemathesis seed (default: a fixed one, so
#                            a CI failure can be replayed)
# OUTPOST_API_FUZZ_REPORT    directory for the reports (default
#                            target/api-fuzz-report)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

EXAMPLES="${OUTPOST_API_FUZZ_EXAMPLES:-20}"
SEED="${OUTPOST_API_FUZZ_SEED:-20261111}"
case "${CARGO_TARGET_DIR:-}" in
  "") TARGET="$ROOT/target" ;;
  /*) TARGET="$CARGO_TARGET_DIR" ;;
  *) TARGET="$ROOT/$CARGO_TARGET_DIR" ;;
esac
REPORT="${OUTPOST_API_FUZZ_REPORT:-$TARGET/api-fuzz-report}"
VENV="$TARGET/schemathesis-venv"
WANT="$(sed -n 's/^schemathesis==//p' "$HERE/requirements.txt")"

if ! "$VENV/bin/st" --version 2>/dev/null | grep -qx "st, version $WANT"; then
  echo "== installing schemathesis $WANT into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
fi

echo "== building outpost-server"
cargo build -q -p outpost-server --bin outpost-server

# shellcheck source=scripts/start-server.sh
source "$ROOT/scripts/start-server.sh"
WORK="$(mktemp -d -t outpost-api-fuzz-XXXXXX)"
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
for v in $(compgen -e); do
  case "$v" in OUTPOST_API_FUZZ_*) ;; OUTPOST_*) unset "$v" ;; esac
done
start_server "$TARGET" "$WORK" fuzz warn || exit 1
BASE="http://127.0.0.1:$PORT"

echo "== seeding through the API"
"$VENV/bin/python" "$HERE/seed.py" "$BASE" "$ADMIN_TOKEN" "$WORK/seed.json"
cp "$HERE/schemathesis.toml" "$WORK/schemathesis.toml"
"$VENV/bin/python" - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
seed = json.load(open(f"{work}/seed.json"))
with open(f"{work}/accounts.dict", "w") as f:
    for doc in seed["accounts"].values():
        f.write(f'"{doc}"\n"automerge:{doc}"\n')
with open(f"{work}/jobs.dict", "w") as f:
    f.write(f'"{seed["job"]}"\n')
with open(f"{work}/rep.token", "w") as f:
    f.write(seed["rep_token"])
PY
REP_TOKEN="$(cat "$WORK/rep.token")"

rm -rf "$REPORT"
mkdir -p "$REPORT"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

# fuzz WHO TOKEN: one schemathesis run over every operation
fuzz() {
  local who=$1 token=$2
  echo
  echo "== schemathesis as $who: $EXAMPLES examples per operation, seed $SEED"
  (cd "$WORK" && "$VENV/bin/st" --config-file "$WORK/schemathesis.toml" --no-color \
    run "$BASE/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks "$CHECKS" \
    --max-examples "$EXAMPLES" \
    --seed "$SEED" \
    --phases examples,coverage,fuzzing,stateful \
    --workers 2 \
    --request-timeout 10 \
    --generation-database none \
    --suppress-health-check all \
    --report junit,ndjson --report-dir "$REPORT/$who")
}

status=0
# the rep first: the admin's run changes users, roles and tokens
fuzz rep "$REP_TOKEN" || status=1
fuzz admin "$ADMIN_TOKEN" || status=1

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "== outpost-server died during the run" >&2
  status=1
fi
if grep -q "panicked" "$WORK/server.log"; then
  echo "== outpost-server panicked:" >&2
  grep -A3 "panicked" "$WORK/server.log" | head -40 >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "== API property test FAILED; server log tail:" >&2
  tail -n 40 "$WORK/server.log" >&2
  echo "reports: $REPORT" >&2
else
  echo "== API property test passed (reports: $REPORT)"
fi
exit "$status"
