#!/usr/bin/env bash
# The README's first command: install what is missing, then run the cloud service on embedded defaults
# (PGlite + pgvector under .data/, Redis on 127.0.0.1:6379 or a local redis-server) and print its URLs.
# Given DATABASE_URL / REDIS_URL are used instead. Ctrl-C stops it gracefully.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$REPO_ROOT/infra/setup.sh"
cd "$REPO_ROOT"

export DATA_DIR="${DATA_DIR:-$REPO_ROOT/.data/cloud}"
export PORT="${PORT:-8080}"
mkdir -p "$DATA_DIR"
# A demo admin, created on first start; its password is kept beside the data so reruns log in alike.
secret_file="$DATA_DIR/demo-admin-password"
[ -f "$secret_file" ] || node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("base64url"))' > "$secret_file"
export ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.org}"
export ADMIN_PASSWORD="${ADMIN_PASSWORD:-$(cat "$secret_file")}"
jwt_file="$DATA_DIR/jwt-secret"
[ -f "$jwt_file" ] || node -e 'process.stdout.write(require("crypto").randomBytes(48).toString("base64"))' > "$jwt_file"
export JWT_SECRET="${JWT_SECRET:-$(cat "$jwt_file")}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"

log "demo admin: $ADMIN_EMAIL / $ADMIN_PASSWORD"
exec node --conditions=source --import @swc-node/register/esm-register apps/cloud/src/main.ts
