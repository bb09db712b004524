#!/usr/bin/env bash
# Web-facing tests of MigrationAI against `migrationai up`:
#   1. schemathesis (pinned, from PyPI, in a venv) against /openapi.json: no 5xx, responses
#      conform to the schema;
#   2. a browser test (Debian's chromium driven by playwright-core from npm, no browser
#      download; scripts/web/browser.mjs says what it walks): review and fix a mapping, start,
#      follow progress, read the verdict, report and sign-off, sort and fix rejects, browse
#      records, then the operator console. Every page's status and content are checked.
#      Screenshots (and the sign-off as PDF) are kept in $ARTIFACTS (default
#      target/web-artifacts).
#   3. with BENCH=1, wrk figures for a cached list endpoint and job progress.
# Needs: apt-get install chromium chromium-driver wrk; network to PyPI and npm on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ARTIFACTS=${ARTIFACTS:-$ROOT/target/web-artifacts}
TOOLS=${WEB_TOOLS:-$ROOT/target/web-tools}
PORT=${PORT:-18080}
mkdir -p "$ARTIFACTS" "$TOOLS"

need() { command -v "$1" >/dev/null || { echo "missing $1: apt-get install -y $2" >&2; exit 2; }; }

# Tools, pinned. `--prepare` installs them and stops (scripts/test.sh fetches them while
# Rust compiles).
if [ ! -x "$TOOLS/venv/bin/st" ]; then
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q "schemathesis==3.39.16" "hypothesis==6.125.3"
fi
if [ ! -d "$TOOLS/npm/node_modules/playwright-core" ]; then
  need node nodejs
  mkdir -p "$TOOLS/npm"
  (cd "$TOOLS/npm" && npm install --no-audit --no-fund --silent playwright-core@1.56.1)
fi
[ "${1:-}" = "--prepare" ] && exit 0

need chromium chromium
need node nodejs
need curl curl
[ "${BENCH:-0}" = 1 ] && need wrk wrk

# MIGRATIONAI_BIN: a binary built already (skips the release build).
if [ -z "${MIGRATIONAI_BIN:-}" ]; then
  cargo build --release -q -p migrationai --bin migrationai
fi
BIN=${MIGRATIONAI_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/migrationai}

DATA=$(mktemp -d)
LOG=$ARTIFACTS/up.log
cleanup() { [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
"$BIN" sample --out "$DATA/sample" --zip >/dev/null
# The review walk's export: the sample with a file of tasks under opaque headers, which the
# analysis cannot recognise and a person must map.
"$BIN" sample --out "$DATA/review" >/dev/null
printf 'X1,X2,X3,X4\nT9001,M000001,Call the client about the settlement,2024-05-01\nT9002,M000002,File the motion,2024-05-02\nT9003,M000003,Review the medical records,2024-05-03\n' \
  >"$DATA/review/export/Misc Data.csv"
python3 - "$DATA/review/export" "$DATA/review/export.zip" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in os.walk(root):
        for f in files:
            path = os.path.join(folder, f)
            z.write(path, os.path.relpath(path, root))
PY
# schemathesis sends a few hundred sign-ins from this one address; the walk after it must
# still get in. The limits themselves are tested against the running roles in the Rust suite.
MIGRATIONAI_SIGN_IN_PER_MINUTE=100000 \
  "$BIN" up --data-dir "$DATA/run" --port "$PORT" >"$LOG" 2>&1 &
UP_PID=$!
for _ in $(seq 1 100); do grep -qE "^Ctrl-C( \(or SIGTERM\))? stops" "$LOG" 2>/dev/null && break; sleep 0.2; done
grep -qE "^Ctrl-C( \(or SIGTERM\))? stops" "$LOG" || { cat "$LOG"; echo "up did not start" >&2; exit 1; }
API=http://127.0.0.1:$PORT
WEB=http://127.0.0.1:$((PORT + 2))
ADMIN_WEB=http://127.0.0.1:$((PORT + 3))
creds() { grep "$1" "$LOG" | awk '{print $NF}'; }
DEMO_EMAIL=demo@migrationai.local; DEMO_PW=$(creds "demo firm user")
ADMIN_EMAIL=admin@migrationai.local; ADMIN_PW=$(creds "operator ")
TOKEN=$(curl -sf "$API/v1/auth/sign-in" -H 'content-type: application/json' \
  -d "{\"email\":\"$DEMO_EMAIL\",\"password\":\"$DEMO_PW\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

echo "== schemathesis"
"$TOOLS/venv/bin/st" run "$API/openapi.json" --base-url "$API" \
  -H "Authorization: Bearer $TOKEN" \
  --experimental=openapi-3.1 \
  --checks not_a_server_error --checks response_schema_conformance \
  --hypothesis-max-examples "${ST_EXAMPLES:-25}" --hypothesis-seed 1 \
  --exclude-path /v1/auth/sign-out --exclude-path-regex '/v1/auth/tokens/' \
  --junit-xml "$ARTIFACTS/schemathesis.xml"

echo "== browser"
# ES modules resolve packages from the script's folder: run a copy beside node_modules.
cp "$ROOT/scripts/web/browser.mjs" "$TOOLS/npm/browser.mjs"
SHOTS=$ARTIFACTS DATA_DIR=$DATA/run node "$TOOLS/npm/browser.mjs" \
  "$WEB" "$ADMIN_WEB" "$DEMO_EMAIL" "$DEMO_PW" "$ADMIN_EMAIL" "$ADMIN_PW" "$DATA/sample/export.zip" \
  "$DATA/review/export.zip"

if [ "${BENCH:-0}" = 1 ]; then
  echo "== wrk"
  JOB=$(curl -sf "$API/v1/jobs" -H "authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print([j["id"] for j in json.load(sys.stdin) if j.get("run_status")=="done"][0])')
  for path in "/v1/jobs/$JOB/records/contacts?per_page=20" "/v1/jobs/$JOB/progress"; do
    echo "-- $path"
    wrk -t2 -c32 -d10s --latency -H "authorization: Bearer $TOKEN" "$API$path" | grep -E "Requests/sec|50%|99%|Latency"
  done
  echo "peak RSS of up (all roles): $(grep VmHWM /proc/$UP_PID/status)"
fi
echo "web tests passed; artifacts in $ARTIFACTS"
