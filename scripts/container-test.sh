#!/usr/bin/env bash
# `npm run test:container`: the image and docker-compose.yml as a user runs them; CI runs it, and so can you.
# Builds the image (`docker compose --profile demo build`: the production target, tagged playlog:local, the image
# compose runs), starts the unchanged compose file's demo stack under its own project name and host ports, runs
# the checks in test/container with vitest (the last one stops the stack), and always removes the stack and its
# volumes at the end, failed or not. Needs a Docker engine with Compose v2; prints the time of each phase.
#
# Settings, from the environment [default]:
#   CONTAINER_TEST_PROJECT [playlog-ci]   the compose project: never `playlog`, a developer's own stack
#   CONTAINER_TEST_API_PORT [14000], CONTAINER_TEST_EMULATOR_PORT [14100], CONTAINER_TEST_POSTGRES_PORT [15432],
#   CONTAINER_TEST_REDIS_PORT [16379]     host ports on 127.0.0.1; below 32768, where the kernel picks the ports
#                                         of outgoing connections (a bind there can collide)
#   CONTAINER_TEST_LAKE_PSEUDONYM_KEY [random 64 hex digits]   the lake export's LAKE_PSEUDONYM_KEY
# Arguments go to vitest (`npm run test:container -- -t lake`); the stack is started and removed all the same.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

project=${CONTAINER_TEST_PROJECT:-playlog-ci}
if [[ $project == playlog ]]; then
  echo "container-test: refusing project name 'playlog' (docker-compose.yml's own): the test would remove that stack's volumes" >&2
  exit 2
fi

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
started_ms=$(now_ms)
phase_name=''
phase_ms=0
timings=()
phase() {
  end_phase
  phase_name=$1
  phase_ms=$(now_ms)
  printf '\n=== container test: %s\n' "$1"
}
end_phase() {
  [[ -n $phase_name ]] || return 0
  local took=$(($(now_ms) - phase_ms))
  timings+=("$(printf '%-8s %6d.%d s' "$phase_name" $((took / 1000)) $((took % 1000 / 100)))")
  phase_name=''
}

phase setup
# A Docker engine: on the project's CI machines one is provisioned by ../shared/containers/setup.sh (beside the
# repository, read-only in CI); elsewhere Docker is simply there.
shared="$(dirname "$repo")/shared/containers"
engine_pidfile=/var/cache/playlog-containers/dockerd.pid
started_dockerd=''
if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  if [[ ! -f $shared/setup.sh ]]; then
    echo "container-test: no running Docker engine (docker info fails) and no $shared/setup.sh to provision one" >&2
    exit 1
  fi
  pid_before=$(cat "$engine_pidfile" 2>/dev/null || true)
  bash "$shared/setup.sh"
  pid_after=$(cat "$engine_pidfile" 2>/dev/null || true)
  # The provisioning records the engine it started: this run stops it again at the end, by that pid.
  if [[ -n $pid_after && $pid_after != "$pid_before" ]]; then started_dockerd=$pid_after; fi
fi
# Where the provisioning put the Compose v2 plugin (its README).
if [[ -d /var/cache/playlog-containers/docker-config ]]; then export DOCKER_CONFIG=/var/cache/playlog-containers/docker-config; fi
[[ -d node_modules ]] || npm ci --no-audit --no-fund

# Compose fills the file's ${...} from the environment: compose and the checks run with only what is set here,
# so nothing in the caller's shell (LOG_LEVEL, PLAYLOG_SPOTIFY_API_URL, COMPOSE_FILE, COMPOSE_PROFILES...)
# changes the stack under test; --env-file /dev/null does the same for a developer's .env.
api_port=${CONTAINER_TEST_API_PORT:-14000}
emulator_port=${CONTAINER_TEST_EMULATOR_PORT:-14100}
postgres_port=${CONTAINER_TEST_POSTGRES_PORT:-15432}
redis_port=${CONTAINER_TEST_REDIS_PORT:-16379}
lake_key=${CONTAINER_TEST_LAKE_PSEUDONYM_KEY:-$(node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))")}
clean_env=(
  "PATH=$PATH" "HOME=${HOME:-/tmp}"
  "CONTAINER_TEST_PROJECT=$project"
  "PLAYLOG_IMAGE=playlog:local"
  "API_HOST_PORT=$api_port" "EMULATOR_HOST_PORT=$emulator_port" "POSTGRES_HOST_PORT=$postgres_port" "REDIS_HOST_PORT=$redis_port"
  "LAKE_PSEUDONYM_KEY=$lake_key"
)
for name in TERM CI TMPDIR DOCKER_CONFIG DOCKER_HOST DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY DOCKER_BUILDKIT; do
  if [[ -n ${!name:-} ]]; then clean_env+=("$name=${!name}"); fi
done
compose() {
  env -i "${clean_env[@]}" docker compose -p "$project" --env-file /dev/null -f "$repo/docker-compose.yml" --profile demo "$@"
}
echo "project $project on 127.0.0.1: api $api_port, emulator $emulator_port, postgres $postgres_port, redis $redis_port"

stack_created=''
finish() {
  local status=$?
  end_phase
  if [[ -n $stack_created ]]; then
    if ((status != 0)); then
      printf '\n=== container test failed: the stack as it was\n'
      compose --profile lake ps -a || true
      compose --profile lake logs --no-color --timestamps --tail 80 || true
    fi
    phase down
    compose --profile lake down -v --remove-orphans --timeout 30 || status=$?
    end_phase
  fi
  if [[ -n $started_dockerd ]]; then kill "$started_dockerd" 2>/dev/null || true; fi
  printf '\n=== container test: %s\n' "$( ((status == 0)) && echo passed || echo "FAILED (exit $status)")"
  printf '  %s\n' "${timings[@]}"
  local total=$(($(now_ms) - started_ms))
  printf '  %-8s %6d.%d s\n' total $((total / 1000)) $((total % 1000 / 100))
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

phase build
compose build

phase up
stack_created=yes
# A run killed before its clean-up left its stack behind: start from nothing, as a user's first `up` does.
compose --profile lake down -v --remove-orphans --timeout 10 >/dev/null 2>&1 || true
compose up -d --wait --wait-timeout 240

phase checks
env -i "${clean_env[@]}" node_modules/.bin/vitest run --config test/container/vitest.config.ts "$@"
