#!/usr/bin/env bash
# The whole test suite on a fresh machine: install, bring up PostgreSQL+pgvector and Redis, run tests.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$REPO_ROOT/infra/setup.sh" --services
cd "$REPO_ROOT"
exec node scripts/run-tests.mjs "$@"
