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
#   target/bindings/python/outpost/   the Python package: __init__.py (bindings/python/outpost),
#                                     _uniffi.py (generated) and liboutpost.so
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
for language in kotlin swift; do
  "$bindgen" generate --library "$lib" --language "$language" --out-dir "$out/$language" --no-format
done
# Python: the package `outpost` is the hand-written __init__.py (context
# managers, repr, logging, shutdown at exit) over the generated module, which
# loads the library from its own directory.
"$bindgen" generate --library "$lib" --language python --out-dir "$out/python-generated" --no-format
mkdir -p "$out/python/outpost"
cp bindings/python/outpost/__init__.py "$out/python/outpost/"
mv "$out/python-generated/outpost.py" "$out/python/outpost/_uniffi.py"
rm -rf "$out/python-generated"
cp "$lib" "$out/python/outpost/"

echo "cdylib:  $lib"
echo "kotlin:  $out/kotlin  (package uniffi.outpost; JNA loads \"outpost\": put $(dirname "$lib") on jna.library.path)"
echo "swift:   $out/swift"
echo "python:  $out/python  (import outpost: the package outpost/ with the library inside)"
