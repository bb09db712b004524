#!/usr/bin/env bash
# Health checks: every role on this host must answer GET /health with 200. On failure,
# restart the previous release and fail the hook, so CodeDeploy marks the deployment
# failed (and its automatic rollback redeploys the last good revision).
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

ATTEMPTS="${HEALTH_ATTEMPTS:-30}"
DELAY="${HEALTH_DELAY_SECONDS:-5}"

healthy() {
  local port="$1" i
  for ((i = 1; i <= ATTEMPTS; i++)); do
    if curl -fsS --max-time 3 "http://127.0.0.1:${port}/health" >/dev/null; then
      return 0
    fi
    sleep "$DELAY"
  done
  return 1
}

failed=""
for port in $PORTS; do
  if healthy "$port"; then
    log "port ${port} healthy"
  else
    failed="${failed} ${port}"
  fi
done

if [ -z "$failed" ]; then
  log "release healthy"
  exit 0
fi

log "unhealthy on port(s)${failed}; container status:"
compose ps || true
compose logs --tail 50 || true

if [ -f "${APP_DIR}/previous.env" ]; then
  log "rolling back to $(grep '^IMAGE_TAG=' "${APP_DIR}/previous.env")"
  cp "${APP_DIR}/previous.env" "${APP_DIR}/deploy.env"
  if [ -f "${APP_DIR}/compose.previous.yml" ]; then
    cp "${APP_DIR}/compose.previous.yml" "${APP_DIR}/compose.yml"
  fi
  compose up -d --remove-orphans || log "rollback start failed"
fi
exit 1
