#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, starts the
# throwaway servers they use on loopback, runs every test, and stops the servers.
#
#   scripts/test.sh            everything
#   SKIP_INFRA=1 scripts/test.sh   without the Terraform/checkov suite
#   SKIP_WEB=1 scripts/test.sh     without schemathesis and the browser test
#   SKIP_CRASH=1 scripts/test.sh   without the crash test on the medium sample
#   SKIP_README=1 scripts/test.sh  without running the README's commands on a fresh clone
#   FUZZ_SECONDS=0 scripts/test.sh without the fuzz smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '\n== %s\n' "$*"; }
failures=()
# Each step's output is also kept in a log, and the end of every failed step's log is printed
# again at the very end: CI shows only the tail of the run, and it must show why.
logs=${CARGO_TARGET_DIR:-$root/target}/test-logs
mkdir -p "$logs"
# Each step's wall time is printed in a table at the end, so a slow CI run shows where its
# time went.
timings=()
check() {
    local name=$1 started=$SECONDS
    shift
    if "$@" 2>&1 | tee "$logs/${name// /-}.log"; then :; else failures+=("$name"); fi
    timings+=("$(printf '%-14s %5ds' "$name" $((SECONDS - started)))")
}
print_times() {
    printf '\n== time per step (total %ds)\n' "$SECONDS"
    printf '   %s\n' "${timings[@]}"
}

# Shows how much disk each step leaves, so a full disk on CI is found at once.
disk() { df -h --output=avail "${CARGO_TARGET_DIR:-$root/target}" 2>/dev/null | tail -1 | xargs printf '   disk free: %s\n' || true; }

say "toolchain"
cargo --version
mkdir -p "${CARGO_TARGET_DIR:-$root/target}"
disk
if ! cargo nextest --version >/dev/null 2>&1; then
    check "cargo-nextest" cargo install cargo-nextest --locked
fi

say "system packages the tests use"
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium chromium-driver)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
install_missing() {
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
if [ ${#missing[@]} -gt 0 ]; then
    check "apt packages" install_missing
fi

# The suites' own tools (moto, checkov, schemathesis, playwright-core) are downloads: they
# are fetched in the background while Rust compiles, and each suite installs whatever this
# did not. Its log is kept beside the others.
prefetch() {
    scripts/services.sh prepare
    [ "${SKIP_WEB:-0}" = 1 ] || scripts/test-web.sh --prepare
    [ "${SKIP_INFRA:-0}" = 1 ] || scripts/test-infra.sh --prepare
}
prefetch_started=$SECONDS
prefetch >"$logs/prefetch.log" 2>&1 &
prefetch_pid=$!
await_prefetch() {
    [ -n "${prefetch_pid:-}" ] || return 0
    if wait "$prefetch_pid"; then :; else
        echo "   fetching the tools failed (each suite installs its own; see $logs/prefetch.log)"
    fi
    timings+=("$(printf '%-14s %5ds (in the background)' "tool fetch" $((SECONDS - prefetch_started)))")
    prefetch_pid=
}

say "hygiene: cargo fmt and clippy"
check "cargo fmt" cargo fmt --all --check
check "cargo clippy" cargo clippy --workspace --all-targets -q -- -D warnings
disk

say "workspace tests (moto, redis and PostgreSQL on loopback)"
# Under CI a test whose server (moto, Redis, PostgreSQL, a tmpfs) is missing fails instead
# of skipping: scripts/services.sh has just started them, so a missing one is a defect.
export CI="${CI:-true}"
await_prefetch
check "cargo nextest" scripts/services.sh run -- cargo nextest run --workspace --no-fail-fast
check "doc tests" cargo test --workspace --doc --quiet
disk

say "release build (the crash test at scale and the web suite run it)"
release=${CARGO_TARGET_DIR:-$root/target}/release/migrationai
check "release build" cargo build --release -q -p migrationai --bin migrationai
disk

if [ "${SKIP_README:-0}" != "1" ]; then
    say "the README as written, on a fresh clone (builds into the same target directory)"
    check readme scripts/test-readme.sh
    disk
fi

if [ "${SKIP_CRASH:-0}" != "1" ]; then
    say "crash safety: migrate the medium sample, kill -9 at ten points, compare with a clean run"
    # --workspace keeps the feature set of the run above, so nothing is compiled again.
    check crash env MIGRATIONAI_BIN="$release" cargo nextest run --workspace --run-ignored only \
        -E 'package(migrationai-host) & binary(crash_medium)'
fi

if [ "${SKIP_WEB:-0}" != "1" ]; then
    say "web (schemathesis against /openapi.json, headless Chromium)"
    check web env MIGRATIONAI_BIN="$release" scripts/test-web.sh
fi

if [ "${SKIP_INFRA:-0}" != "1" ]; then
    say "infrastructure (terraform fmt/validate/test, checkov)"
    if [ -z "${TF_PLUGIN_DIR:-}" ] && [ -d /opt/tf-plugins ]; then export TF_PLUGIN_DIR=/opt/tf-plugins; fi
    check infra scripts/test-infra.sh
fi

if [ "${FUZZ_SECONDS:-10}" != "0" ]; then
    say "fuzz smoke (${FUZZ_SECONDS:-10}s per target)"
    check fuzz env FUZZ_SECONDS="${FUZZ_SECONDS:-10}" scripts/fuzz-smoke.sh
fi

print_times
if [ ${#failures[@]} -gt 0 ]; then
    for name in "${failures[@]}"; do
        printf '\n---- %s: the last 40 lines of %s\n' "$name" "$logs/${name// /-}.log"
        tail -n 40 "$logs/${name// /-}.log" || true
    done
    printf '\nFAILED: %s\n' "${failures[*]}"
    exit 1
fi
printf '\nall suites passed\n'
