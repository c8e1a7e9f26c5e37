#!/usr/bin/env bash
# Brings up PostgreSQL (with pgvector) and Redis on the standard local ports. Idempotent: uses what
# already answers, installs (Debian packages) and starts only what is missing.
# Settings: DATABASE_URL and REDIS_URL (defaults below). Only local URLs are brought up; remote ones
# are taken as they are.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATABASE_URL="${DATABASE_URL:-postgresql://stash_sense:stash_sense@127.0.0.1:5432/stash_sense}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
PGVECTOR_TARBALL="${PGVECTOR_TARBALL:-$REPO_ROOT/infra/vendor/pgvector-0.8.6.tar.gz}"

pg_field() { node -e 'const u=new URL(process.argv[1]);const f=process.argv[2];const v={host:u.hostname,port:u.port||"5432",user:decodeURIComponent(u.username),password:decodeURIComponent(u.password),db:u.pathname.slice(1)}[f];process.stdout.write(v)' "$DATABASE_URL" "$1"; }
PG_HOST="$(pg_field host)"; PG_PORT="$(pg_field port)"; PG_USER="$(pg_field user)"
PG_PASSWORD="$(pg_field password)"; PG_DB="$(pg_field db)"

is_local() { case "$1" in 127.*|localhost|::1|"[::1]") return 0;; *) return 1;; esac; }

# psql as the cluster's superuser: TCP as postgres if that is trusted, else the local socket as the
# postgres OS user (peer auth on a fresh Debian cluster).
pg_admin() {
  if PGCONNECT_TIMEOUT=3 psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -Atqc 'select 1' >/dev/null 2>&1; then
    psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -v ON_ERROR_STOP=1 -Atq "$@"
  else
    as_root runuser -u postgres -- psql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  fi
}

postgres_up() {
  if ! is_local "$PG_HOST"; then log "PostgreSQL at $PG_HOST:$PG_PORT is remote: not managed here"; return; fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql postgresql-contrib
  fi
  local major
  major="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  apt_install "postgresql-server-dev-$major" make gcc libc6-dev
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    if ! ls "/etc/postgresql/$major/main" >/dev/null 2>&1; then
      log "creating PostgreSQL $major cluster"
      as_root pg_createcluster "$major" main --port "$PG_PORT" >/dev/null
    fi
    log "starting PostgreSQL $major"
    as_root pg_ctlcluster --skip-systemctl-redirect "$major" main start
    for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || die "PostgreSQL did not start on $PG_HOST:$PG_PORT"
  fi
  local server_major
  server_major="$(pg_admin -c 'show server_version_num' | cut -c1-2)"
  local sharedir="/usr/share/postgresql/$server_major/extension"
  if [ -f "$sharedir/vector.control" ]; then
    log "pgvector already installed for PostgreSQL $server_major"
  else
    apt_install "postgresql-server-dev-$server_major" make gcc libc6-dev
    [ -f "$PGVECTOR_TARBALL" ] || die "pgvector source not found at $PGVECTOR_TARBALL"
    log "building pgvector for PostgreSQL $server_major"
    local build; build="$(mktemp -d)"
    tar xzf "$PGVECTOR_TARBALL" -C "$build"
    # OPTFLAGS="" avoids -march=native, so the build runs on any x86-64 machine it is copied to.
    (cd "$build"/pgvector-* && make -s -j2 OPTFLAGS="" PG_CONFIG="/usr/lib/postgresql/$server_major/bin/pg_config" >/dev/null \
      && as_root make -s install PG_CONFIG="/usr/lib/postgresql/$server_major/bin/pg_config" >/dev/null)
    rm -rf "$build"
  fi
  # The application role: a password so that scram-authenticated TCP works on a fresh cluster; superuser
  # because migrations run CREATE EXTENSION vector and the tests create one database per test file.
  pg_admin -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
        CREATE ROLE \"$PG_USER\" LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
      END IF; END \$\$;" >/dev/null
  if [ "$(pg_admin -c "select 1 from pg_database where datname = '$PG_DB'")" != 1 ]; then
    log "creating database $PG_DB"
    pg_admin -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\"" >/dev/null
  fi
  log "PostgreSQL ready at $PG_HOST:$PG_PORT (database $PG_DB)"
}

redis_up() {
  local host port
  host="$(node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.hostname)' "$REDIS_URL")"
  port="$(node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.port||"6379")' "$REDIS_URL")"
  if ! is_local "$host"; then log "Redis at $host:$port is remote: not managed here"; return; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG; then
    log "Redis already answering on $host:$port"; return
  fi
  log "starting Redis on $host:$port"
  mkdir -p "$REPO_ROOT/.data/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$REPO_ROOT/.data/redis" --logfile "$REPO_ROOT/.data/redis/redis.log"
  for _ in $(seq 1 20); do redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.5; done
  redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG || die "Redis did not start on $host:$port"
}

postgres_up
redis_up
