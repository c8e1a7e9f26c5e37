#!/usr/bin/env bash
# Shared helpers for the bring-up scripts. Sourced, never run directly.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@";
  else die "need root (or sudo) to run: $*"; fi
}

APT_UPDATED=0
apt_install() {
  # Installs the Debian packages that are not installed yet; no-op when all are present.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs node dependencies when package-lock.json changed since the last install.
npm_install() {
  cd "$REPO_ROOT"
  local stamp="node_modules/.stash-sense-install"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "node modules up to date"
  else
    log "npm ci (onnxruntime's CUDA download skipped: GPU is chosen at run time)"
    ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
  log "prisma generate"
  # The schema names env("DATABASE_URL"); without it Prisma cannot read the schema's engineType and
  # falls back to downloading a query engine (impossible offline). Generation never connects.
  DATABASE_URL="${DATABASE_URL:-postgresql://stash_sense:stash_sense@127.0.0.1:5432/stash_sense}" \
    npx --no-install prisma generate >/dev/null
}

# Builds the moderation dashboard (apps/dashboard → apps/dashboard/dist, served by the cloud under /admin) unless
# the build is newer than every source it is made from.
build_dashboard() {
  cd "$REPO_ROOT"
  local out="apps/dashboard/dist/index.html"
  if [ -f "$out" ] && [ -z "$(find apps/dashboard/src apps/dashboard/index.html apps/dashboard/vite.config.ts \
    apps/dashboard/package.json libs/contracts/src package-lock.json -newer "$out" -print -quit 2>/dev/null)" ]; then
    log "moderation dashboard up to date"
  else
    log "moderation dashboard (vite build)"
    npm run build:dashboard --silent >/dev/null
  fi
}
