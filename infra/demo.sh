#!/usr/bin/env bash
# The README's first command: install what is missing (packages, node modules, models, PostgreSQL+pgvector and
# Redis), then show the whole loop (scripts/demo/loop.ts): cloud API + worker, a local demo stash-box, demo
# contributors, contributions built by the client from samples/faces, consensus, a signed index build, the client
# pulling and verifying it, and an identification — and leave the cloud running with its URLs printed.
# DATABASE_URL / REDIS_URL point it at other services; PORT (default 8080). Ctrl-C stops it gracefully.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$REPO_ROOT/infra/setup.sh" --services
cd "$REPO_ROOT"
exec node --conditions=source --import @swc-node/register/esm-register scripts/demo/loop.ts "$@"
