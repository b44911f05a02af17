# Sourced by the scripts that test against a real outpost-server
# (tests/browser/run.sh, tests/api-fuzz/run.sh):
#
#   start_server TARGET WORK TOKEN_PREFIX [RUST_LOG default]
#
# starts TARGET/debug/outpost-server on an ephemeral 127.0.0.1 port with its
# data in WORK/data and a fresh admin token, waits for its "listening" line
# (at most 60 s), and sets ADMIN_TOKEN, SERVER_PID and PORT. Its output goes
# to WORK/server.out and WORK/server.log. The caller's EXIT trap stops it by
# SERVER_PID. Returns non-zero (after printing the server's log) when it did
# not start.
start_server() {
  local target=$1 work=$2 prefix=$3 log=${4:-info}
  ADMIN_TOKEN="${prefix}_admin_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  OUTPOST_ADMIN_TOKEN="$ADMIN_TOKEN" RUST_LOG="${RUST_LOG:-$log}" \
    "$target/debug/outpost-server" --data-dir "$work/data" serve --listen 127.0.0.1:0 \
    >"$work/server.out" 2>"$work/server.log" </dev/null &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 600); do
    PORT="$(sed -n 's#^outpost-server listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$work/server.out" | head -1)"
    [ -n "$PORT" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$PORT" ]; then
    echo "outpost-server did not start; its log:" >&2
    cat "$work/server.log" >&2
    return 1
  fi
  echo "== outpost-server (pid $SERVER_PID) on http://127.0.0.1:$PORT"
}
