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
# clean: test classes of deleted tests must not linger in target/
status=0
mvn -B -q -Dmaven.repo.local="$repo" -Doutpost.target.dir="$target" -Dstyle.color=never clean test "$@" || status=$?

# -q hides Surefire's summary: count the reports for the log
tests=0 failed=0 skipped=0
for f in target/surefire-reports/TEST-*.xml; do
  [[ -e "$f" ]] || continue
  head="$(grep -m1 -o '<testsuite [^>]*>' "$f")"
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$head"; }
  tests=$((tests + $(attr tests))); skipped=$((skipped + $(attr skipped)))
  failed=$((failed + $(attr failures) + $(attr errors)))
done
# (Maven's console library leaves colour-reset codes without a newline: start a fresh line)
printf '\n'
echo "kotlin-tests: $((tests - failed - skipped)) passed, $failed failed, $skipped skipped"
exit "$status"
