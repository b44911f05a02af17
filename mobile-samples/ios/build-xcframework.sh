#!/usr/bin/env bash
# Builds the Outpost core for iOS and packages it for the Swift package in
# this folder. Runs on macOS with Xcode (see README.md):
#
#   bash mobile-samples/ios/build-xcframework.sh [--debug]
#
# 1. cargo builds the static library (outpost-bindings, lib name `outpost`) for
#    aarch64-apple-ios (devices), aarch64-apple-ios-sim and x86_64-apple-ios
#    (simulators on Apple silicon and Intel Macs);
# 2. the workspace's pinned uniffi-bindgen generates the Swift bindings from
#    the host build of the same crate;
# 3. lipo merges the two simulator slices; xcodebuild -create-xcframework
#    makes build/OutpostFFI.xcframework with the C module the generated Swift
#    imports (outpostFFI);
# 4. the generated outpost.swift (the whole API) is copied into
#    Sources/OutpostKit.
# Nothing it writes is committed (.gitignore).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile=release
cargo_flag=(--release)
if [[ "${1:-}" == "--debug" ]]; then profile=debug; cargo_flag=(); fi

[[ "$(uname -s)" == "Darwin" ]] || { echo "build-xcframework.sh needs macOS with Xcode" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "xcodebuild not found: install Xcode and run xcode-select" >&2; exit 1; }

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
installed="$(rustup target list --installed)"
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done

cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
export IPHONEOS_DEPLOYMENT_TARGET=16.0
for t in "${targets[@]}"; do
  cargo build -p outpost-bindings --lib --target "$t" "${cargo_flag[@]}"
done

# bindings come from the host cdylib of the same crate and uniffi version
cargo build -p outpost-bindings --lib
cargo build -p outpost-uniffi-bindgen
gen="$here/build/generated"
rm -rf "$gen" && mkdir -p "$gen"
"$target_dir/debug/uniffi-bindgen" generate --library "$target_dir/debug/liboutpost.dylib" \
  --language swift --out-dir "$gen"

headers="$here/build/headers"
rm -rf "$headers" && mkdir -p "$headers"
cp "$gen"/*FFI.h "$headers/"
# an xcframework's headers folder has one module.modulemap
cat "$gen"/*FFI.modulemap > "$headers/module.modulemap"

sim="$here/build/ios-simulator"
mkdir -p "$sim"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/liboutpost.a" \
  "$target_dir/x86_64-apple-ios/$profile/liboutpost.a" \
  -output "$sim/liboutpost.a"

rm -rf "$here/build/OutpostFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/$profile/liboutpost.a" -headers "$headers" \
  -library "$sim/liboutpost.a" -headers "$headers" \
  -output "$here/build/OutpostFFI.xcframework"

mkdir -p "$here/Sources/OutpostKit"
rm -f "$here/Sources/OutpostKit/outpost_core.swift" # written by older versions of this script
cp "$gen/outpost.swift" "$here/Sources/OutpostKit/"
echo "built $here/build/OutpostFFI.xcframework and Sources/OutpostKit/outpost.swift"
