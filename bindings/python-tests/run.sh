#!/usr/bin/env bash
# Runs the Python tests of the generated bindings. Assumes
# bindings/generate.sh already ran (target/bindings/python holds the outpost
# module and the library). Installs the pinned pytest into a venv
# under target/ once.
#
#   bash bindings/python-tests/run.sh [pytest args]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
venv="$target/py-venv"

if [ ! -f "$target/bindings/python/outpost/__init__.py" ]; then
  echo "python-tests: no generated Python in $target/bindings/python; run bash bindings/generate.sh first" >&2
  exit 1
fi

python="${PYTHON:-python3}"
if ! "$venv/bin/python" -c 'import pytest' >/dev/null 2>&1 \
  || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.txt"
fi

# the sync tests run the real server binary; the same package set as
# generate.sh, so cargo does nothing when generate.sh just ran
(cd "$root" && cargo build -q -p outpost-bindings -p outpost-uniffi-bindgen -p outpost-server)

export OUTPOST_BINDINGS_PY="$target/bindings/python"
export OUTPOST_SERVER_BIN="$target/debug/outpost-server"
cd "$here"
exec "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
