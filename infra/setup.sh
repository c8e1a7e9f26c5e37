#!/usr/bin/env bash
# One idempotent install step for a fresh Debian machine with Node 20: system packages, node modules,
# Prisma client, face models. With --services it also brings up PostgreSQL+pgvector and Redis.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WITH_SERVICES=0
for arg in "$@"; do
  case "$arg" in
    --services) WITH_SERVICES=1 ;;
    *) die "unknown option $arg (use --services)" ;;
  esac
done

# ffmpeg decodes video frames for the client; make/g++/python3 build the native add-ons that ship no
# prebuilt binary for this platform; redis-server backs the queue in the embedded mode.
command -v ffmpeg >/dev/null 2>&1 || apt_install ffmpeg
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || apt_install make g++
command -v python3 >/dev/null 2>&1 || apt_install python3
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
command -v psql >/dev/null 2>&1 || apt_install postgresql-client
# Debian's chromium runs the Stash plugin's browser test (playwright-core drives it; no browser download).
command -v chromium >/dev/null || apt_install chromium

npm_install
build_dashboard
log "face models"
node "$REPO_ROOT/scripts/fetch-models.mjs"

if [ "$WITH_SERVICES" = 1 ]; then
  bash "$REPO_ROOT/infra/services.sh"
fi
log "setup done"
