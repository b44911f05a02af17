#!/usr/bin/env bash
# Runs the Kotlin/JVM tests of the generated bindings and of the Android
# sample's logic. Assumes bindings/generate.sh already ran (it builds the
# cdylib into target/debug and writes target/bindings/kotlin).
#
#   bash bindings/kotlin-tests/run.sh
#
# Maven downloads its plugins and the pinned dependencies (Kotlin, JNA,
# kotlinx-coroutines, JUnit) from Maven Central once, into
# $OUTPOST_MAVEN_REPO (default: <workspace>/target/m2).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
repo="${OUTPOST_MAVEN_REPO:-$target/m2}"

command -v mvn >/dev/null || { echo "kotlin-tests: mvn not found (apt-get install maven)" >&2; exit 1; }
command -v java >/dev/null || { echo "kotlin-tests: java not found (JDK 17+)" >&2; exit 1; }

if ! find "$target/bindings/kotlin" -name '*.kt' 2>/dev/null | grep -q .; then
  echo "kotlin-tests: no generated Kotlin in $target/bindings/kotlin; run bash bindings/generate.sh first" >&2
  exit 1
fi

# the sync tests run the real server binary; cargo does nothing when it is current
(cd "$root" && cargo build -q -p outpost-server)

cd "$here"
exec mvn -B -q -Dmaven.repo.local="$repo" -Doutpost.target.dir="$target" -Dstyle.color=never test "$@"
