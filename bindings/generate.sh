#!/usr/bin/env bash
# Builds the Outpost bindings library once (debug profile, the workspace's
# shared target/) with the pinned uniffi-bindgen from this workspace, and
# generates Kotlin, Swift and Python from it into target/bindings/.
# Generated code is not committed: run this script instead.
#
#   bash bindings/generate.sh            # prints where everything is
#
# Outputs (stable paths, relative to the repository root):
#   target/debug/liboutpost.so (.dylib on macOS)  the cdylib the bindings load
#   target/bindings/kotlin/uniffi/outpost/outpost.kt   (package uniffi.outpost)
#   target/bindings/swift/   outpost.swift, outpostFFI.h, outpostFFI.modulemap
#   target/bindings/python/  outpost.py (+ liboutpost.so copied beside it)
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
# One cargo invocation builds the library, the pinned bindgen and the server
# the binding tests sync against, so features unify and nothing is built twice.
# (Run the same command to rebuild; a different package set may rebuild core
# with other features.)
cargo build -p outpost-bindings -p outpost-uniffi-bindgen -p outpost-server

case "$(uname -s)" in
  Darwin) lib="$target_dir/debug/liboutpost.dylib" ;;
  *) lib="$target_dir/debug/liboutpost.so" ;;
esac
bindgen="$target_dir/debug/uniffi-bindgen"
out="$target_dir/bindings"

rm -rf "$out"
for language in kotlin swift python; do
  "$bindgen" generate --library "$lib" --language "$language" --out-dir "$out/$language" --no-format
done
# Python loads the library from the module's own directory.
cp "$lib" "$out/python/"

echo "cdylib:  $lib"
echo "kotlin:  $out/kotlin  (package uniffi.outpost; JNA loads \"outpost\": put $(dirname "$lib") on jna.library.path)"
echo "swift:   $out/swift"
echo "python:  $out/python  (import outpost; the library is copied beside it)"
