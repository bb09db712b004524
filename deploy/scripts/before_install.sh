#!/usr/bin/env bash
# Keep the running release's image coordinates for a rollback, and make room for the new one.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

mkdir -p "$APP_DIR" "$DATA_DIR/tmp"
chown -R 65532:65532 "$DATA_DIR"
if [ -f "${APP_DIR}/deploy.env" ]; then
  cp "${APP_DIR}/deploy.env" "${APP_DIR}/previous.env"
  log "previous release: $(grep '^IMAGE_TAG=' "${APP_DIR}/previous.env" || true)"
fi
rm -rf "$RELEASE_DIR"
mkdir -p "$RELEASE_DIR"
