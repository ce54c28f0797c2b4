# Shared helpers for bin/cv3-stack and the per-service recipes in bin/stack/<service>.sh.
# shellcheck shell=bash

CV3_STACK_HOME="${CV3_STACK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/cv3-stack}"
# Installed software (kept across runs) and run state (pid files, logs, data; per `up`).
CV3_STACK_CACHE="$CV3_STACK_HOME/cache"
CV3_STACK_RUN="${CV3_STACK_RUN:-$CV3_STACK_HOME/run}"
CV3_STACK_BIND="127.0.0.1"
STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$STACK_DIR/../.." && pwd)"

# Ports, each overridable by environment.
CV3_MONGO_PORT="${CV3_MONGO_PORT:-27017}"
CV3_REDIS_PORT="${CV3_REDIS_PORT:-6379}"
CV3_KEYCLOAK_PORT="${CV3_KEYCLOAK_PORT:-8180}"
CV3_VAULT_PORT="${CV3_VAULT_PORT:-8200}"
CV3_SMTP_PORT="${CV3_SMTP_PORT:-2525}"
CV3_NEO4J_PORT="${CV3_NEO4J_PORT:-7687}"

# Names the app config and the realm share.
CV3_REALM="${CV3_REALM:-cafe_variome}"
CV3_KEYCLOAK_CLIENT="${CV3_KEYCLOAK_CLIENT:-cv3-backend}"
CV3_TEST_CLIENT="${CV3_TEST_CLIENT:-cv3-test}"
CV3_TEST_PASSWORD="${CV3_TEST_PASSWORD:-cv3-test-password}"
CV3_VAULT_TRANSIT_PATH="${CV3_VAULT_TRANSIT_PATH:-transit_cv3}"
CV3_VAULT_KV2_PATH="${CV3_VAULT_KV2_PATH:-kv}"
CV3_VAULT_KV2_PREFIX="${CV3_VAULT_KV2_PREFIX:-cv3}"

mkdir -p "$CV3_STACK_CACHE" "$CV3_STACK_RUN"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'cv3-stack: %s\n' "$*" >&2; exit 1; }

# fail_service <name> <message>: stop with the service's name and the tail of its log.
fail_service() {
  local svc="$1" msg="$2" log="$CV3_STACK_RUN/$1.log"
  printf 'cv3-stack: %s: %s\n' "$svc" "$msg" >&2
  if [ -s "$log" ]; then
    printf -- '--- last lines of %s ---\n' "$log" >&2
    tail -n 30 "$log" >&2
  fi
  exit 1
}

pidfile() { printf '%s/%s.pid' "$CV3_STACK_RUN" "$1"; }
logfile() { printf '%s/%s.log' "$CV3_STACK_RUN" "$1"; }

# alive <pid>: the process exists and is not a zombie waiting to be reaped.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  # The state follows the command name, which is in parentheses and may itself hold spaces.
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ "$state" != "Z" ]
}

# is_running <service>: the pid in its pid file is alive.
is_running() {
  local pf; pf="$(pidfile "$1")"
  [ -f "$pf" ] && alive "$(cat "$pf")"
}

# port_free <port>: nothing listens on 127.0.0.1:<port>.
port_free() {
  ! (exec 3<>"/dev/tcp/$CV3_STACK_BIND/$1") 2>/dev/null
}

# tcp_open <port>
tcp_open() {
  (exec 3<>"/dev/tcp/$CV3_STACK_BIND/$1") 2>/dev/null
}

# spawn <service> <command...>: start in the background, in its own session, log and pid file.
spawn() {
  local svc="$1"; shift
  local log; log="$(logfile "$svc")"
  : >"$log"
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! >"$(pidfile "$svc")"
}

# stop_pid <service>: SIGTERM the process group started by spawn, then SIGKILL after a grace period.
stop_pid() {
  local svc="$1" pf pid i
  pf="$(pidfile "$svc")"
  [ -f "$pf" ] || return 0
  pid="$(cat "$pf")"
  if alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 100); do
      alive "$pid" || break
      sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pf"
}

# wait_ready <service> <timeout-seconds> <probe command...>
wait_ready() {
  local svc="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! is_running "$svc"; then fail_service "$svc" "the process exited before it became ready"; fi
    sleep 0.5
  done
  fail_service "$svc" "not ready within ${timeout}s"
}

# apt_install <package...>: install Debian packages when missing (as root, or with sudo).
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ ! -f "$CV3_STACK_CACHE/.apt-updated" ]; then
    $sudo apt-get update -qq >&2 || return 1
    touch "$CV3_STACK_CACHE/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

# http_ok <url> [curl args...]: a 2xx answer.
http_ok() {
  local url="$1"; shift
  curl -fsS -o /dev/null --max-time 3 "$@" "$url"
}
