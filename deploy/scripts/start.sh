#!/usr/bin/env bash
# Switch to the pulled release and (re)start the containers.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

mv "${APP_DIR}/app.env.next" "${APP_DIR}/app.env"
mv "${APP_DIR}/deploy.env.next" "${APP_DIR}/deploy.env"
if [ -f "${APP_DIR}/compose.yml" ]; then
  cp "${APP_DIR}/compose.yml" "${APP_DIR}/compose.previous.yml"
fi
mv "${APP_DIR}/compose.next.yml" "${APP_DIR}/compose.yml"

compose up -d --remove-orphans
log "started $(grep '^IMAGE_TAG=' "${APP_DIR}/deploy.env")"

# Keep the disk tidy: images not used by a container and older than a week.
docker image prune -af --filter "until=168h" >/dev/null || true
