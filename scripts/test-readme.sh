#!/usr/bin/env bash
# The README as a new user meets it: a fresh `git clone` of this repository, and from the
# clone's root every command of the README's code blocks, as written, then every command of
# its command table with the placeholders filled in. Each must do what the README says:
#   - the set-up block writes the demo export and migrates it: "does NOT migrate" and exit
#     status 2, as the README explains (the sample is dirty on purpose);
#   - `scripts/test.sh` is the suite running this very script, so it is not run again;
#   - `up` starts, prints its URLs and sign-ins, every URL answers, the printed demo
#     password signs in, and Ctrl-C stops it with status 0;
#   - the commands of the table run on the demo export and succeed; the roles that serve
#     until stopped, and the AWS ones, answer --help.
#
# To keep this affordable the clone builds into the suite's target directory
# ($CARGO_TARGET_DIR, default ./target): dependencies are reused, the workspace's own
# crates are built again for the clone's path. CI's checkout is itself a fresh clone, so
# .ci/run sets README_IN_PLACE=1: when the checkout is clean and holds no demo output, the
# commands run in it and nothing is built twice; what they write is removed afterwards.
# When port 8080 to 8083 are taken, `up` is moved to free ones through MIGRATIONAI_PORT
# (the command stays as written).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d)
UP_PID=
IN_PLACE=0
if [ "${README_IN_PLACE:-0}" = 1 ] && [ -z "$(git status --porcelain)" ] \
   && [ ! -e demo ] && [ ! -e .migrationai ]; then
  IN_PLACE=1
fi
cleanup() {
  if [ -n "$UP_PID" ]; then kill "$UP_PID" 2>/dev/null || true; wait "$UP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  if [ "$IN_PLACE" = 1 ]; then rm -rf "$ROOT/demo" "$ROOT/.migrationai"; fi
}
trap cleanup EXIT
fail() { echo "README: $*" >&2; exit 1; }

if [ "$IN_PLACE" = 1 ]; then
  echo "the checkout is a clean clone of $(git rev-parse --short HEAD): the README runs in it"
else
  git clone -q "$ROOT" "$WORK/repo"
  cd "$WORK/repo"
  echo "fresh clone of $(git -C "$ROOT" rev-parse --short HEAD) in $WORK/repo"
fi

# The shell commands of every ```bash block: comments dropped, one command per line.
mapfile -t COMMANDS < <(python3 - README.md <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for block in re.findall(r"```bash\n(.*?)```", text, re.S):
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            print(line)
PY
)
[ ${#COMMANDS[@]} -ge 3 ] || fail "expected the set-up and up commands, found: ${COMMANDS[*]}"

free_base() {
  python3 - <<'PY'
import socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
base = 8080
while not all(free(base + i) for i in range(4)):
    base += 10
print(base)
PY
}

run_up() {
  local cmd=$1 base log=$WORK/up.log
  base=$(free_base)
  [ "$base" = 8080 ] || echo "ports 8080-8083 are taken here; up uses $base-$((base + 3)) (MIGRATIONAI_PORT)"
  MIGRATIONAI_PORT=$base bash -c "exec $cmd" >"$log" 2>&1 &
  UP_PID=$!
  for _ in $(seq 1 1800); do
    grep -qE "^Ctrl-C( \(or SIGTERM\))? stops" "$log" 2>/dev/null && break
    kill -0 "$UP_PID" 2>/dev/null || { cat "$log"; fail "\`$cmd\` exited before it was up"; }
    sleep 0.5
  done
  grep -qE "^Ctrl-C( \(or SIGTERM\))? stops" "$log" || { cat "$log"; fail "\`$cmd\` did not come up"; }
  local web="http://127.0.0.1:$((base + 2))" api="http://127.0.0.1:$base"
  grep -q "firm web app   $web/" "$log" || { cat "$log"; fail "up does not print the firm app at $web"; }
  grep -q "admin console  http://127.0.0.1:$((base + 3))/" "$log" || fail "up does not print the console"
  for url in "$web/sign-in" "http://127.0.0.1:$((base + 3))/sign-in" "$api/openapi.json" \
             "http://127.0.0.1:$((base + 1))/health"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
    [ "$code" = 200 ] || fail "$url answered $code"
  done
  local pw
  pw=$(grep "demo firm user" "$log" | awk '{print $NF}')
  grep -q "firm web app   demo@migrationai.local $pw" .migrationai/demo-credentials.txt \
    || fail "demo-credentials.txt does not label the demo password"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$api/v1/auth/sign-in" -H 'content-type: application/json' \
    -d "{\"email\":\"demo@migrationai.local\",\"password\":\"$pw\"}")
  [ "$code" = 200 ] || fail "the printed demo password does not sign in ($code)"
  kill -INT "$UP_PID"
  local status=0
  wait "$UP_PID" || status=$?
  UP_PID=
  [ "$status" = 0 ] || { cat "$log"; fail "up stopped with status $status on Ctrl-C"; }
  echo "ok: $cmd (every URL answered, the demo sign-in works, Ctrl-C stops it)"
}

for cmd in "${COMMANDS[@]}"; do
  echo "== $cmd"
  case "$cmd" in
    scripts/test.sh*)
      echo "skipped: this is the suite running now" ;;
    *" -- up"*|*"migrationai up"*)
      run_up "$cmd" ;;
    *" migrate "*)
      status=0
      bash -c "$cmd" >"$WORK/out.log" 2>&1 || status=$?
      tail -n 12 "$WORK/out.log"
      [ "$status" = 2 ] || fail "\`$cmd\` exited $status; the README says 2 for the dirty demo"
      grep -q "does NOT migrate" "$WORK/out.log" || fail "no verdict printed"
      [ -s demo/ground_truth.json ] || fail "no demo/ground_truth.json"
      ls .migrationai/reports/export/report.json .migrationai/reports/export/report.html >/dev/null \
        || fail "the report files are not where the README says" ;;
    *)
      bash -c "$cmd" || fail "\`$cmd\` failed" ;;
  esac
done

# The command table, on the demo export (the README's binary is target/release/migrationai).
BIN=$CARGO_TARGET_DIR/release/migrationai
[ -x "$BIN" ] || fail "no $BIN after the README's cargo run --release"
table() {
  echo "== migrationai $*"
  "$BIN" "$@" >"$WORK/cmd.log" 2>&1 || { cat "$WORK/cmd.log"; fail "migrationai $* failed"; }
  tail -n 3 "$WORK/cmd.log" | cut -c1-160
}
table sample --size small --seed 7 --out "$WORK/s7" --zip
table inspect demo/export
table inspect demo/export --write-mapping "$WORK/mapping.toml"
table inspect demo/export --mapping "$WORK/mapping.toml" --json
status=0
"$BIN" migrate demo/export --mapping "$WORK/mapping.toml" --job reviewed >"$WORK/cmd.log" 2>&1 || status=$?
[ "$status" = 2 ] || { cat "$WORK/cmd.log"; fail "migrate --mapping --job exited $status"; }
table jobs
table report export
"$BIN" report export --json | head -c 200 >/dev/null || fail "report --json | head"
table queues
table dlq list contacts
table dlq redrive contacts
table bench ingest demo/export --no-baseline
table bench queue --messages 2000
for role in api admin-api web admin-web tfp worker lambda "bench migrate" "bench sqs" "bench tfp"; do
  # shellcheck disable=SC2086
  table $role --help
done
echo "README commands passed"
