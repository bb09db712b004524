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

# Shows how much disk each step leaves, so a full disk on CI is found at once.
disk() { df -h --output=avail "${CARGO_TARGET_DIR:-$root/target}" 2>/dev/null | tail -1 | xargs printf '   disk free: %s\n' || true; }

say "toolchain"
cargo --version
mkdir -p "${CARGO_TARGET_DIR:-$root/target}"
disk
if ! cargo nextest --version >/dev/null 2>&1; then
    cargo install cargo-nextest --locked
fi

say "system packages the tests use"
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium chromium-driver)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

say "hygiene: cargo fmt and clippy"
if cargo fmt --all --check; then :; else failures+=("cargo fmt"); fi
if cargo clippy --workspace --all-targets -q -- -D warnings; then :; else failures+=("cargo clippy"); fi
disk

say "workspace tests (moto, redis and PostgreSQL on loopback)"
# Under CI a test whose server (moto, Redis, PostgreSQL, a tmpfs) is missing fails instead
# of skipping: scripts/services.sh has just started them, so a missing one is a defect.
export CI="${CI:-true}"
if scripts/services.sh run -- cargo nextest run --workspace --no-fail-fast; then :; else failures+=("cargo nextest"); fi
if cargo test --workspace --doc --quiet; then :; else failures+=("doc tests"); fi
disk

say "release build (the crash test at scale and the web suite run it)"
release=${CARGO_TARGET_DIR:-$root/target}/release/migrationai
if cargo build --release -q -p migrationai --bin migrationai; then :; else failures+=("release build"); fi
disk

if [ "${SKIP_README:-0}" != "1" ]; then
    say "the README as written, on a fresh clone (builds into the same target directory)"
    if scripts/test-readme.sh; then :; else failures+=("readme"); fi
    disk
fi

if [ "${SKIP_CRASH:-0}" != "1" ]; then
    say "crash safety: migrate the medium sample, kill -9 at ten points, compare with a clean run"
    # --workspace keeps the feature set of the run above, so nothing is compiled again.
    if MIGRATIONAI_BIN=$release cargo nextest run --workspace --run-ignored only \
        -E 'package(migrationai-processing) & binary(crash_medium)'; then :; else failures+=("crash (medium)"); fi
fi

if [ "${SKIP_WEB:-0}" != "1" ]; then
    say "web (schemathesis against /openapi.json, headless Chromium)"
    if MIGRATIONAI_BIN=$release scripts/test-web.sh; then :; else failures+=("web"); fi
fi

if [ "${SKIP_INFRA:-0}" != "1" ]; then
    say "infrastructure (terraform fmt/validate/test, checkov)"
    if [ -z "${TF_PLUGIN_DIR:-}" ] && [ -d /opt/tf-plugins ]; then export TF_PLUGIN_DIR=/opt/tf-plugins; fi
    if scripts/test-infra.sh; then :; else failures+=("infra"); fi
fi

if [ "${FUZZ_SECONDS:-10}" != "0" ]; then
    say "fuzz smoke (${FUZZ_SECONDS:-10}s per target)"
    if FUZZ_SECONDS="${FUZZ_SECONDS:-10}" scripts/fuzz-smoke.sh; then :; else failures+=("fuzz"); fi
fi

if [ ${#failures[@]} -gt 0 ]; then
    printf '\nFAILED: %s\n' "${failures[*]}"
    exit 1
fi
printf '\nall suites passed\n'
