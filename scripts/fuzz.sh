#!/usr/bin/env bash
# Runs Outpost's fuzz targets (fuzz/, cargo-fuzz on nightly) with a memory
# limit and a timeout, seeding an empty corpus from fuzz-targets' seeds.
#
#   scripts/fuzz.sh [TARGET|all] [RUNS]       default: all, 1000000 runs each
#   scripts/fuzz.sh list                      the targets
#   scripts/fuzz.sh cmin TARGET               minimise fuzz/corpus/TARGET in place
#
# Environment: FUZZ_RSS_MB (2048), FUZZ_TIMEOUT (30 s per input),
# FUZZ_MAX_LEN (16384 bytes), FUZZ_JOBS (1; targets run one after another),
# FUZZ_ARGS (more libFuzzer flags). Builds in release mode without debug
# assertions, as the server ships, and without a sanitizer (safe Rust; the
# build is about twice as fast); the target dir is fuzz/target, never the
# workspace's target/. Crashes land in fuzz/artifacts/TARGET/; turn each into a
# file in fuzz-targets/regressions/TARGET/ (replayed by `cargo test`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"

targets=(wire_decode sync_message doc_load import_csv rest_body phone date)
what=${1:-all}
runs=${2:-1000000}
rss=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-30}
max_len=${FUZZ_MAX_LEN:-16384}

if [[ $what == list ]]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: needs a nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

build_flags=(-O -s none)

if [[ $what == cmin ]]; then
    t=${2:?cmin needs a target}
    cargo +nightly fuzz cmin "${build_flags[@]}" "$t" "corpus/$t" -- \
        -rss_limit_mb="$rss" -malloc_limit_mb="$rss" -timeout="$timeout" -max_len="$max_len"
    exit 0
fi

seed() {
    local t=$1
    if [[ -z $(ls -A "corpus/$t" 2>/dev/null) ]]; then
        echo "fuzz.sh: seeding corpus/$t" >&2
        OUTPOST_SEED_DIR="$root/fuzz/corpus" CARGO_TARGET_DIR="$root/fuzz/target/stable" \
            cargo test --manifest-path "$root/fuzz-targets/Cargo.toml" --test replay \
            -- --ignored write_seeds --exact >/dev/null
    fi
}

run() {
    local t=$1
    seed "$t"
    mkdir -p "artifacts/$t"
    echo "fuzz.sh: $t, $runs runs" >&2
    # shellcheck disable=SC2086
    cargo +nightly fuzz run "${build_flags[@]}" "$t" "corpus/$t" -- \
        -runs="$runs" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" \
        -timeout="$timeout" -max_len="$max_len" -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" ${FUZZ_ARGS:-}
}

if [[ $what == all ]]; then
    cargo +nightly fuzz build "${build_flags[@]}"
    for t in "${targets[@]}"; do
        run "$t"
    done
else
    run "$what"
fi
