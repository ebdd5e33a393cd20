#!/usr/bin/env bash
# Makes Postgres and Redis reachable at DATABASE_URL and REDIS_URL, idempotently.
#
#   scripts/services.sh up      use them if they answer; else docker compose when an engine runs;
#                               else Debian's postgresql + redis-server (installed with apt if missing)
#   scripts/services.sh down    stop what `up` started for these URLs (never a Postgres or Redis it found running)
#   scripts/services.sh status  say what answers
#
# Used by `npm test`, `npm run demo`, `.ci/run` and developers alike, so that every path starts
# the services the same way.
set -euo pipefail

cd "$(dirname "$0")/.."

# .env may set the URLs; the environment wins over it.
if [[ -f .env ]]; then
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^(DATABASE_URL|REDIS_URL)$ ]] || continue
    [[ -n "${!key:-}" ]] || export "$key=${value}"
  done < <(grep -E '^(DATABASE_URL|REDIS_URL)=' .env)
fi
DATABASE_URL="${DATABASE_URL:-postgres://playlog:playlog@127.0.0.1:5432/playlog}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

log() { printf 'services: %s\n' "$*" >&2; }

# What `up` started, one file per service and port, so that `down` stops exactly that.
STARTED_DIR="$PWD/.services/started"
mark_started() { mkdir -p "$STARTED_DIR"; printf '%s\n' "$2" > "$STARTED_DIR/$1"; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

# postgres://user:pass@host:port/db -> fields (no URL-decoding: local credentials are plain).
url_re='^[a-z]+://(([^:@/]*)(:([^@/]*))?@)?([^:/?]+)(:([0-9]+))?(/([^?]*))?'
[[ "$DATABASE_URL" =~ $url_re ]] || die "DATABASE_URL is not a postgres URL: it must look like postgres://user:password@host:5432/db"
PG_USER="${BASH_REMATCH[2]:-postgres}"; PG_PASS="${BASH_REMATCH[4]:-}"
PG_HOST="${BASH_REMATCH[5]}"; PG_PORT="${BASH_REMATCH[7]:-5432}"; PG_DB="${BASH_REMATCH[9]:-$PG_USER}"
[[ "$REDIS_URL" =~ $url_re ]] || die "REDIS_URL is not a redis URL: it must look like redis://host:6379"
REDIS_HOST="${BASH_REMATCH[5]}"; REDIS_PORT="${BASH_REMATCH[7]:-6379}"

is_local() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo -n "$@"
  else die "need root to run: $*"; fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

redis_answers() {
  port_open "$REDIS_HOST" "$REDIS_PORT" || return 1
  local reply
  reply=$(exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT"; printf 'PING\r\n' >&3; timeout 2 head -c 7 <&3 || true)
  [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
}

postgres_answers() {
  command -v pg_isready >/dev/null || { port_open "$PG_HOST" "$PG_PORT"; return; }
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
}

postgres_login_works() {
  command -v psql >/dev/null || return 0
  PGPASSWORD="$PG_PASS" psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -tAc 'select 1' >/dev/null 2>&1
}

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 60); do
    if $check; then return 0; fi
    sleep 0.5
  done
  die "$what did not become reachable within 30 s"
}

# An engine that can run the compose file: a running daemon and the Compose v2 plugin.
docker_engine() { command -v docker >/dev/null && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; }

apt_install() {
  command -v apt-get >/dev/null || die "Postgres/Redis are not reachable, no Docker engine runs and apt-get is missing: start them yourself and set DATABASE_URL / REDIS_URL"
  log "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n1; }

start_local_postgres() {
  is_local "$PG_HOST" || die "Postgres at $PG_HOST:$PG_PORT does not answer, and it is not on this machine"
  [[ -n "$(pg_version)" ]] || apt_install postgresql
  local ver; ver=$(pg_version)
  if ! pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p {found=1} END {exit !found}'; then
    log "creating Postgres $ver cluster on port $PG_PORT"
    as_root pg_createcluster "$ver" "playlog$PG_PORT" -p "$PG_PORT" >/dev/null
  fi
  local cluster; cluster=$(pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p {print $1, $2; exit}')
  log "starting Postgres cluster $cluster"
  # shellcheck disable=SC2086
  as_root pg_ctlcluster $cluster start 2>/dev/null || true
  mark_started "postgres-$PG_PORT" "$cluster"
  wait_for Postgres postgres_answers
}

ensure_postgres_role() {
  is_local "$PG_HOST" || return 0
  postgres_login_works && return 0
  command -v runuser >/dev/null || die "cannot create role $PG_USER: runuser is missing"
  log "creating role $PG_USER and database $PG_DB"
  local sql_pass=${PG_PASS//\'/\'\'}
  as_root runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -q <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE "$PG_USER" LOGIN CREATEDB PASSWORD '$sql_pass';
  ELSE
    ALTER ROLE "$PG_USER" LOGIN CREATEDB PASSWORD '$sql_pass';
  END IF;
END \$\$;
SQL
  if ! as_root runuser -u postgres -- psql -p "$PG_PORT" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
    as_root runuser -u postgres -- createdb -p "$PG_PORT" -O "$PG_USER" "$PG_DB"
  fi
  postgres_login_works || die "cannot log in to Postgres as $PG_USER at $PG_HOST:$PG_PORT/$PG_DB"
}

start_local_redis() {
  is_local "$REDIS_HOST" || die "Redis at $REDIS_HOST:$REDIS_PORT does not answer, and it is not on this machine"
  command -v redis-server >/dev/null || apt_install redis-server
  local dir="$PWD/.services/redis-$REDIS_PORT"
  mkdir -p "$dir"
  log "starting redis-server on port $REDIS_PORT"
  # noeviction: BullMQ loses jobs silently under any other policy. AOF keeps queues across restarts.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
    --dir "$dir" --appendonly yes --save '' \
    --maxmemory-policy noeviction \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  wait_for Redis redis_answers
  mark_started "redis-$REDIS_PORT" "$dir/redis.pid"
}

ensure_redis_policy() {
  command -v redis-cli >/dev/null || return 0
  local policy
  policy=$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" config get maxmemory-policy 2>/dev/null | tail -n1 || true)
  if [[ -n "$policy" && "$policy" != "noeviction" ]]; then
    log "setting Redis maxmemory-policy to noeviction (was $policy): BullMQ requires it"
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" config set maxmemory-policy noeviction >/dev/null
  fi
}

up() {
  if postgres_answers && redis_answers; then
    ensure_postgres_role; ensure_redis_policy
    log "Postgres ($PG_HOST:$PG_PORT) and Redis ($REDIS_HOST:$REDIS_PORT) answer"
    return 0
  fi
  if docker_engine && [[ -f docker-compose.yml ]]; then
    log "starting postgres and redis with docker compose"
    docker compose up -d --wait postgres redis
    mark_started compose "postgres redis"
  else
    postgres_answers || start_local_postgres
    redis_answers || start_local_redis
  fi
  wait_for Postgres postgres_answers
  wait_for Redis redis_answers
  ensure_postgres_role; ensure_redis_policy
  log "Postgres ($PG_HOST:$PG_PORT) and Redis ($REDIS_HOST:$REDIS_PORT) answer"
}

# Stops only what `up` started (its marks under .services/started); a service it found running is left alone.
down() {
  local stopped=0
  if [[ -f "$STARTED_DIR/compose" ]]; then
    docker_engine && docker compose stop postgres redis
    rm -f "$STARTED_DIR/compose"
    stopped=1
  fi
  if [[ -f "$STARTED_DIR/redis-$REDIS_PORT" ]]; then
    local pidfile; pidfile=$(cat "$STARTED_DIR/redis-$REDIS_PORT")
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "stopping the redis-server it started on port $REDIS_PORT"
      kill "$(cat "$pidfile")"
    fi
    rm -f "$STARTED_DIR/redis-$REDIS_PORT"
    stopped=1
  fi
  if [[ -f "$STARTED_DIR/postgres-$PG_PORT" ]]; then
    local cluster; cluster=$(cat "$STARTED_DIR/postgres-$PG_PORT")
    if pg_lsclusters -h 2>/dev/null | awk -v c="$cluster" '($1 " " $2) == c && $4 == "online" {found=1} END {exit !found}'; then
      log "stopping the Postgres cluster it started ($cluster)"
      # shellcheck disable=SC2086
      as_root pg_ctlcluster $cluster stop
    fi
    rm -f "$STARTED_DIR/postgres-$PG_PORT"
    stopped=1
  fi
  [[ $stopped -eq 1 ]] || log "nothing to stop: Postgres ($PG_HOST:$PG_PORT) and Redis ($REDIS_HOST:$REDIS_PORT) were not started by scripts/services.sh up"
}

status() {
  local rc=0
  if postgres_answers; then log "Postgres answers at $PG_HOST:$PG_PORT"; else log "Postgres does not answer at $PG_HOST:$PG_PORT"; rc=1; fi
  if redis_answers; then log "Redis answers at $REDIS_HOST:$REDIS_PORT"; else log "Redis does not answer at $REDIS_HOST:$REDIS_PORT"; rc=1; fi
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: scripts/services.sh up|down|status" >&2; exit 2 ;;
esac
