#!/usr/bin/env bash
# Runs Outpost's fuzz targets (fuzz/, cargo-fuzz on nightly) with a memory
# limit and a timeout.
#
#   scripts/fuzz.sh [TARGET|all] [RUNS]   default: all, 1000000 runs each
#   scripts/fuzz.sh list                  the targets
#   scripts/fuzz.sh corpus TARGET [N]     minimise what the runs found into
#                                         the committed fuzz/corpus/TARGET/
#                                         (at most N files, default 40, none
#                                         over 64 KiB)
#
# A run reads the committed corpus (fuzz/corpus/TARGET/) and writes what it
# finds to fuzz/work/TARGET/ (not committed; seeded from fuzz-targets' seeds
# when empty). Environment: FUZZ_RSS_MB (2048, also the malloc limit),
# FUZZ_TIMEOUT (30 s per input), FUZZ_MAX_LEN (16384 bytes), FUZZ_ARGS (more
# libFuzzer flags). Builds in release mode without debug assertions, as the
# server ships, and without a sanitizer (safe Rust; about twice as fast);
# the target dir is fuzz/target, never the workspace's target/. Crashes land
# in fuzz/artifacts/TARGET/: fix the cause and put the input in
# fuzz-targets/regressions/TARGET/ (replayed by `cargo test`).
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

bin() {
    echo "$root/fuzz/target/x86_64-unknown-linux-gnu/release/$1"
}

if [[ $what == corpus ]]; then
    t=${2:?corpus needs a target}
    keep=${3:-40}
    cargo +nightly fuzz build "${build_flags[@]}" "$t"
    merged=$(mktemp -d)
    mkdir -p "corpus/$t" "work/$t"
    "$(bin "$t")" -merge=1 -rss_limit_mb="$rss" -malloc_limit_mb="$rss" \
        -timeout="$timeout" -max_len=65536 "$merged" "corpus/$t" "work/$t" 2>/dev/null
    # the merge keeps the smallest inputs that add coverage; of those keep
    # at most $keep, spread over the sizes
    mapfile -t files < <(find "$merged" -type f -size -65537c -printf '%s %p\n' | sort -n | cut -d' ' -f2-)
    rm -rf "corpus/$t" && mkdir -p "corpus/$t"
    n=${#files[@]}
    for ((i = 0; i < n && i < keep; i++)); do
        f=${files[$((i * n / (n < keep ? n : keep)))]}
        cp "$f" "corpus/$t/"
    done
    rm -rf "$merged"
    echo "fuzz.sh: corpus/$t: $(ls "corpus/$t" | wc -l) of $n minimised inputs" >&2
    exit 0
fi

seed() {
    local t=$1
    mkdir -p "work/$t" "corpus/$t"
    if [[ -z $(ls -A "work/$t") ]]; then
        echo "fuzz.sh: seeding work/$t" >&2
        OUTPOST_SEED_DIR="$root/fuzz/work" \
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
    cargo +nightly fuzz run "${build_flags[@]}" "$t" "work/$t" "corpus/$t" -- \
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
