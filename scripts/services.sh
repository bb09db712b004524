#!/usr/bin/env bash
# Starts on loopback what the AWS adapter tests need, and stops it afterwards:
#   - moto server (SQS and S3), from PyPI in a virtual environment this script creates;
#   - redis-server (installed with apt-get when missing);
#   - a throwaway PostgreSQL cluster (initdb and pg_ctl) in a temporary directory.
#
# Usage:
#   scripts/services.sh run -- CMD [ARGS...]   start, run CMD with the variables, stop
#   scripts/services.sh start                  start; prints `export` lines (eval them)
#   scripts/services.sh stop                   stop what `start` started
#   scripts/services.sh prepare                install moto and redis, start nothing
#   source scripts/services.sh                 defines services_start / services_stop
#
# Exports MIGRATIONAI_TEST_SQS_ENDPOINT, MIGRATIONAI_TEST_S3_ENDPOINT (the moto URL),
# MIGRATIONAI_TEST_REDIS_URL, MIGRATIONAI_TEST_DATABASE_URL, and moto's dummy AWS keys.
set -euo pipefail

MOTO_VERSION="5.1.22"
SERVICES_DIR="${MIGRATIONAI_SERVICES_DIR:-${TMPDIR:-/tmp}/migrationai-services}"
VENV="${MIGRATIONAI_VENV:-${TMPDIR:-/tmp}/migrationai-venv}"

log() { echo "services: $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

apt_install() {
  log "installing $* with apt-get"
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for SECONDS CMD...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 0.2
  done
}

install_moto() {
  if ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    log "creating $VENV with moto[server]==$MOTO_VERSION"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
  fi
}

start_moto() {
  install_moto
  local port; port=$(free_port)
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$SERVICES_DIR/moto.log" 2>&1 &
  echo $! >"$SERVICES_DIR/moto.pid"
  if ! wait_for 60 curl -sf "http://127.0.0.1:$port/moto-api/data.json"; then
    log "moto did not start:"; cat "$SERVICES_DIR/moto.log" >&2; return 1
  fi
  curl -sf -X POST "http://127.0.0.1:$port/moto-api/reset" >/dev/null
  MOTO_URL="http://127.0.0.1:$port"
}

start_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  local port; port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" --dir "$SERVICES_DIR" \
    --logfile "$SERVICES_DIR/redis.log" >&2
  if ! wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"; then
    log "redis did not start:"; cat "$SERVICES_DIR/redis.log" >&2; return 1
  fi
  REDIS_URL="redis://127.0.0.1:$port"
}

pg_bin() {
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    # Follow symlinks to the version's bin directory, which also has createdb.
    dirname "$(readlink -f "$(command -v initdb)")"; return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$dir" ]; then
    apt_install postgresql
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  fi
  echo "$dir"
}

start_postgres() {
  local bin; bin=$(pg_bin)
  local dir; dir=$(mktemp -d "${TMPDIR:-/tmp}/migrationai-pg.XXXXXX")
  echo "$dir" >"$SERVICES_DIR/pg.dir"
  local port; port=$(free_port)
  # initdb refuses to run as root: run the cluster as an unprivileged user.
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$dir"
    run=(runuser -u "$user" --)
  fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$SERVICES_DIR/initdb.log" 2>&1 || {
    cat "$SERVICES_DIR/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 || {
    cat "$dir/log" >&2; return 1; }
  echo "$bin" >"$SERVICES_DIR/pg.bin"
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres migrationai_test
  DATABASE_URL="postgres://postgres@127.0.0.1:$port/migrationai_test?sslmode=disable"
}

services_start() {
  services_stop 2>/dev/null || true
  mkdir -p "$SERVICES_DIR"
  trap 'services_stop' ERR
  start_moto
  start_redis
  start_postgres
  cat >"$SERVICES_DIR/env.sh" <<ENV
export MIGRATIONAI_TEST_SQS_ENDPOINT=$MOTO_URL
export MIGRATIONAI_TEST_S3_ENDPOINT=$MOTO_URL
export MIGRATIONAI_TEST_REDIS_URL=$REDIS_URL
export MIGRATIONAI_TEST_DATABASE_URL='$DATABASE_URL'
export MIGRATIONAI_TEST_MOTO_VENV=$VENV
export MIGRATIONAI_TEST_PG_BIN=$(cat "$SERVICES_DIR/pg.bin")
ENV
  # shellcheck disable=SC1091
  . "$SERVICES_DIR/env.sh"
  trap - ERR
  log "moto $MOTO_URL, redis $REDIS_URL, postgres $DATABASE_URL"
}

services_stop() {
  [ -d "$SERVICES_DIR" ] || return 0
  if [ -f "$SERVICES_DIR/moto.pid" ]; then
    kill "$(cat "$SERVICES_DIR/moto.pid")" 2>/dev/null || true
  fi
  if [ -f "$SERVICES_DIR/redis.pid" ]; then
    kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
  fi
  if [ -f "$SERVICES_DIR/pg.dir" ]; then
    local dir bin; dir=$(cat "$SERVICES_DIR/pg.dir"); bin=$(cat "$SERVICES_DIR/pg.bin" 2>/dev/null || true)
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then
      local run=()
      [ "$(id -u)" -eq 0 ] && run=(runuser -u "$(stat -c %U "$dir")" --)
      "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
  fi
  rm -rf "$SERVICES_DIR"
}

# Sourced: only define the functions.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  return 0
fi

case "${1:-}" in
  start)
    services_start
    cat "$SERVICES_DIR/env.sh"
    ;;
  stop)
    services_stop
    ;;
  prepare)
    install_moto
    command -v redis-server >/dev/null || apt_install redis-server
    ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    trap services_stop EXIT
    services_start
    "$@"
    ;;
  *)
    echo "usage: $0 start|stop|prepare|run -- CMD..." >&2
    exit 2
    ;;
esac
