#!/bin/sh
# The image's entrypoint (installed as /usr/local/bin/playlog): runs one Playlog service by name.
#
#   playlog api | worker | scheduler | migrate | emulator | lake-export   [extra arguments for the service]
#   playlog dlq list|retry|retry-all|purge | rotate-key | import --user <id> <file>
#                                                            operator commands (npm run dlq / rotate-key / import)
#   playlog <any other command>                              runs that command (sh, node, ...)
#
# Each is the same file as its package.json script (start:api, start:worker, start:scheduler,
# migrate, start:emulator, lake:export, dlq, rotate-key, import), but run with `node` directly rather than `npm run`,
# so that the service itself receives SIGTERM (tini, PID 1, forwards it) and shuts down gracefully.
# The worker gets the same node flags as start:worker: a V8 heap bounded by WORKER_MAX_OLD_SPACE_MB.
# PLAYLOG_WATCH=true (development only, Tilt) restarts the service when a synced source changes.
set -eu

cd "${PLAYLOG_HOME:-/app}"

usage() {
  echo "usage: playlog api|worker|scheduler|migrate|emulator|lake-export [args...]  (or any command to run it)"
  echo "       playlog dlq list|retry|retry-all|purge ... | rotate-key | import --user <id> <file>  (operator commands)"
}

service="${1:-}"
[ $# -gt 0 ] && shift

case "$service" in
  api) entry=services/api/main.ts ;;
  worker) entry=services/worker/main.ts ;;
  scheduler) entry=services/scheduler/main.ts ;;
  migrate) entry=services/shared/db/migrate.ts ;;
  emulator) entry=services/spotify-emulator/main.ts ;;
  lake-export) entry=services/lake-export/main.ts ;;
  dlq) entry=services/worker/dlq/dlq-cli.ts ;;
  rotate-key) entry=scripts/rotate-key.ts ;;
  import) entry=scripts/import.ts ;;
  "" | help | -h | --help)
    usage
    [ -n "$service" ]
    exit
    ;;
  *)
    if command -v "$service" >/dev/null 2>&1; then
      exec "$service" "$@"
    fi
    echo "playlog: unknown service '$service'" >&2
    usage >&2
    exit 2
    ;;
esac

# The worker's V8 old space, in MiB (0: Node sizes it from the container's memory). Unbounded on a large
# host, V8 lets an import's garbage pile up far past the live heap (docs/import.md, "Memory").
# (Left unquoted below: no argument at all for the other services.)
node_flags=""
if [ "$service" = worker ]; then node_flags="--max-old-space-size=${WORKER_MAX_OLD_SPACE_MB:-256}"; fi
# The lake export's memory near what it uses (docs/benchmarks.md, lake-export): a V8 heap bounded as in
# npm run lake:export (left alone, V8 lets the garbage of streaming millions of rows pile up), and two
# malloc arenas (glibc gives each thread its own and keeps what DuckDB's threads freed in them).
if [ "$service" = lake-export ]; then
  node_flags="--max-old-space-size=128"
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
fi

# Only long-running services restart on changes; a one-off command run in a dev pod must still exit.
watch=false
case "$service" in api | worker) watch="${PLAYLOG_WATCH:-false}" ;; esac
if [ "$watch" = "true" ]; then
  # tsx watch restarts the process when a file it imported changes (Tilt live_update syncs them).
  exec node_modules/.bin/tsx watch --clear-screen=false $node_flags "$entry" "$@"
fi
exec node $node_flags --import tsx "$entry" "$@"
