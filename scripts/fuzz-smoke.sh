#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a short while (FUZZ_SECONDS, default 20).
#
# cargo fuzz needs nightly-only rustc flags (-Z sanitizer, coverage instrumentation).
# Only stable Rust is available here, so RUSTC_BOOTSTRAP=1 lets stable rustc accept them.
# If the AddressSanitizer runtime is unavailable, targets run without a sanitizer (panics
# and infinite loops are still caught).
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --help >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

sanitizer=address
if ! (cd fuzz && cargo fuzz build --sanitizer "$sanitizer" "${targets[0]}" >/dev/null 2>&1); then
    echo "AddressSanitizer build failed here; fuzzing without a sanitizer"
    sanitizer=none
fi

failed=0
for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${SECONDS_PER_TARGET}s (sanitizer: $sanitizer)"
    mkdir -p "fuzz/corpus/$target"
    if (cd fuzz && cargo fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1); then
        echo "ok: $target"
    else
        echo "FAILED: $target (see fuzz/artifacts/$target)"
        failed=1
    fi
done
exit "$failed"
