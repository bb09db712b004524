#!/usr/bin/env bash
# Shared by the CodeDeploy hooks. The deployment group name (backend or tfp) picks the host.
# shellcheck disable=SC2034  # variables used by the hooks that source this file
set -euo pipefail

APP_DIR=/opt/migrationai
RELEASE_DIR="${APP_DIR}/release"
DATA_DIR=/var/lib/migrationai
HOST="${DEPLOYMENT_GROUP_NAME:-}"
if [ -z "$HOST" ] && [ -f "${APP_DIR}/host.env" ]; then
  HOST="$(sed -n 's/^MIGRATIONAI_HOST=//p' "${APP_DIR}/host.env")"
fi
case "$HOST" in
  backend) PORTS="8080 8081" ;;
  tfp) PORTS="8082" ;;
  *) echo "unknown host '${HOST}' (deployment group must be backend or tfp)" >&2; exit 1 ;;
esac

# The region and the name of this host's configuration parameter, written by the user data.
if [ -f "${APP_DIR}/host.env" ]; then
  # shellcheck disable=SC1091
  . "${APP_DIR}/host.env"
fi
AWS_REGION="${AWS_REGION:-us-west-2}"
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"

COMPOSE_PROJECT="migrationai-${HOST}"

# docker compose with the current (or a given) deploy environment.
compose() {
  local env_file="${COMPOSE_ENV_FILE:-${APP_DIR}/deploy.env}"
  docker compose -p "$COMPOSE_PROJECT" -f "${APP_DIR}/compose.yml" --env-file "$env_file" "$@"
}

log() { echo "[$(date -u +%FT%TZ)] ${HOST}: $*"; }
