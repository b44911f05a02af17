#!/usr/bin/env bash
# Builds the Outpost core for Android and generates its Kotlin API into the app:
#
#   bash mobile-samples/android/build-native.sh [--debug]
#
# - cargo-ndk builds outpost-bindings (lib name `outpost`) for arm64-v8a,
#   armeabi-v7a and x86_64 into app/src/main/jniLibs/<abi>/liboutpost.so;
# - the workspace's pinned uniffi-bindgen generates the Kotlin from the host
#   build of the same crate into app/src/main/generated (a Gradle source dir).
# Needs: rustup, the Android NDK (ANDROID_NDK_HOME, or Android Studio's
# SDK Manager > NDK), and cargo-ndk (installed here when missing).
# Nothing it writes is committed (.gitignore).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile_flag=(--release)
if [[ "${1:-}" == "--debug" ]]; then profile_flag=(); fi

if [[ -z "${ANDROID_NDK_HOME:-}" ]]; then
  # Android Studio's default SDK locations; the newest NDK there
  for sdk in "${ANDROID_HOME:-}" "${ANDROID_SDK_ROOT:-}" "$HOME/Library/Android/sdk" "$HOME/Android/Sdk"; do
    if [[ -n "$sdk" && -d "$sdk/ndk" ]]; then
      ANDROID_NDK_HOME="$(ls -d "$sdk"/ndk/* | sort -V | tail -n1)"
      break
    fi
  done
fi
[[ -n "${ANDROID_NDK_HOME:-}" && -d "$ANDROID_NDK_HOME" ]] || {
  echo "Android NDK not found: install it (Android Studio > SDK Manager > SDK Tools > NDK) or set ANDROID_NDK_HOME" >&2
  exit 1
}
export ANDROID_NDK_HOME

command -v cargo-ndk >/dev/null || cargo install cargo-ndk --locked --version 4.1.2

installed="$(rustup target list --installed)"
for t in aarch64-linux-android armv7-linux-androideabi x86_64-linux-android; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done

cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# minimum API level 26, like app/build.gradle.kts
cargo ndk --platform 26 -t arm64-v8a -t armeabi-v7a -t x86_64 \
  -o "$here/app/src/main/jniLibs" \
  build -p outpost-bindings --lib "${profile_flag[@]}"

# Kotlin from the host library of the same crate and uniffi version
cargo build -p outpost-bindings --lib
cargo build -p outpost-uniffi-bindgen
case "$(uname -s)" in Darwin) lib="liboutpost.dylib" ;; *) lib="liboutpost.so" ;; esac
gen="$here/app/src/main/generated"
rm -rf "$gen" && mkdir -p "$gen"
"$target_dir/debug/uniffi-bindgen" generate --library "$target_dir/debug/$lib" \
  --language kotlin --out-dir "$gen"

echo "native libraries in $here/app/src/main/jniLibs, Kotlin in $gen"
