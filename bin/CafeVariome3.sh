#!/usr/bin/env bash
# CafeVariome3.sh: process manager for the Cafe Variome V3 backend (`node dist/main.js`), as the original CV3 script
# does for Hypercorn.
#
#   CafeVariome3.sh install <dir>   put the script on PATH as <dir>/CafeVariome3 (a symlink) and record PATH and
#                                   CV3_APP_PATH in ~/.bashrc ($CV3_BASHRC when set); re-running replaces the block
#   CafeVariome3.sh start           start the backend as a daemon; waits until it listens on CV3_BIND
#   CafeVariome3.sh stop            SIGTERM, then SIGKILL after CV3_GRACEFUL_TIMEOUT seconds; harmless when not running
#   CafeVariome3.sh restart         stop, then start
#   CafeVariome3.sh status          exit 0 running, 1 dead but the pid file remains, 3 not running (LSB)
#
# Settings (environment overrides each):
#   CV3_APP_PATH          backend folder (holds dist/main.js; the app's cwd)   default: the folder above this script
#   CV3_LOGFILE           the app's log lines (pino JSON, stdout)             default: $CV3_APP_PATH/cafevariome3.log
#   CV3_ACCESS_LOG_FILE   the HTTP request lines, split from stdout            default: $CV3_APP_PATH/access.log
#   CV3_ERROR_LOG_FILE    the app's stderr (crashes, config errors)            default: $CV3_APP_PATH/error.log
#   CV3_PIDFILE           pid of the node process                              default: $CV3_APP_PATH/cafevariome3.pid
#   CV3_BIND              host:port the app listens on (main.ts reads it)      default: 127.0.0.1:5000
#   CV3_GRACEFUL_TIMEOUT  seconds `stop` waits after SIGTERM                    default: 30
#   CV3_START_TIMEOUT     seconds `start` waits for the port                    default: 90
#   CV3_NODE              node binary                                          default: node
# The app itself reads INSTANCE_CONFIG_PATH (relative paths are from CV3_APP_PATH), VAULT_ROLE_ID and VAULT_SECRET_ID
# from the environment, which this script passes through unchanged; it reads no .env file.
set -euo pipefail

SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
CV3_APP_PATH="${CV3_APP_PATH:-$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)}"
CV3_LOGFILE="${CV3_LOGFILE:-$CV3_APP_PATH/cafevariome3.log}"
CV3_ACCESS_LOG_FILE="${CV3_ACCESS_LOG_FILE:-$CV3_APP_PATH/access.log}"
CV3_ERROR_LOG_FILE="${CV3_ERROR_LOG_FILE:-$CV3_APP_PATH/error.log}"
CV3_PIDFILE="${CV3_PIDFILE:-$CV3_APP_PATH/cafevariome3.pid}"
CV3_BIND="${CV3_BIND:-127.0.0.1:5000}"
CV3_GRACEFUL_TIMEOUT="${CV3_GRACEFUL_TIMEOUT:-30}"
CV3_START_TIMEOUT="${CV3_START_TIMEOUT:-90}"
CV3_NODE="${CV3_NODE:-node}"

# Relative settings are taken from the caller's folder; the app runs in CV3_APP_PATH, so make them absolute.
absolute() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
CV3_APP_PATH="$(absolute "$CV3_APP_PATH")"
CV3_LOGFILE="$(absolute "$CV3_LOGFILE")"
CV3_ACCESS_LOG_FILE="$(absolute "$CV3_ACCESS_LOG_FILE")"
CV3_ERROR_LOG_FILE="$(absolute "$CV3_ERROR_LOG_FILE")"
CV3_PIDFILE="$(absolute "$CV3_PIDFILE")"

APP_ENTRY="dist/main.js"
NAME="CafeVariome3"

# Runs in the new session: $1 pid file, $2 node, $3 entry, $4 error log, $5 log, $6 access log, $7 awk options.
# shellcheck disable=SC2016
LAUNCHER='
  echo $$ >"$1"
  exec "$2" "$3" 2>>"$4" > >(exec awk $7 -v app="$5" -v access="$6" "
    /\"responseTime\":/ { print >> access; fflush(access); next }
    { print >> app; fflush(app) }
  ")
'

say() { printf '%s\n' "$*"; }
err() { printf '%s: %s\n' "$NAME" "$*" >&2; }
die() { err "$*"; exit 1; }

usage() {
  local code="${1:-0}"
  if [ "$code" -eq 0 ]; then help_text; else help_text >&2; fi
  exit "$code"
}
help_text() { sed -n '2,23p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//'; }

# --- process checks ----------------------------------------------------------------------------------------------

read_pid() {
  local pid=""
  if [ -f "$CV3_PIDFILE" ]; then read -r pid <"$CV3_PIDFILE" 2>/dev/null || true; fi
  [[ "$pid" =~ ^[0-9]+$ ]] && printf '%s' "$pid"
  return 0
}

# True when pid is a live process; a zombie (exited, not yet reaped by whoever adopted it) is not.
is_alive() {
  local pid="$1" state
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != "Z" ]
}

# True when pid is a live process running our entry point. A pid reused by another program counts as not ours:
# we never signal it.
is_ours() {
  local pid="$1" cmdline
  is_alive "$pid" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ " $cmdline " == *" $APP_ENTRY "* || " $cmdline " == *"/$APP_ENTRY "* ]]
}

# host and port from CV3_BIND, with the address to probe (a wildcard bind is reached on loopback).
bind_host() { local h="${CV3_BIND%:*}"; h="${h#[}"; printf '%s' "${h%]}"; }
bind_port() { printf '%s' "${CV3_BIND##*:}"; }
probe_host() {
  case "$(bind_host)" in
    "" | 0.0.0.0) printf '127.0.0.1' ;;
    ::) printf '::1' ;;
    *) bind_host ;;
  esac
}

# True when something accepts TCP connections on CV3_BIND.
port_open() {
  # shellcheck disable=SC2016
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$(probe_host)" "$(bind_port)" 2>/dev/null
}

file_size() { if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else printf 0; fi; }

# The lines a file gained after byte offset $2 (so a failed start shows this run's output, not an old one's).
new_lines() {
  local file="$1" from="$2" n="${3:-20}"
  [ -f "$file" ] || return 0
  tail -c "+$((from + 1))" "$file" | tail -n "$n"
}

# --- commands ----------------------------------------------------------------------------------------------------

cmd_status() {
  local pid
  pid="$(read_pid)"
  if is_ours "$pid"; then
    say "$NAME is running (pid $pid, $CV3_BIND)"
    return 0
  fi
  if [ -f "$CV3_PIDFILE" ]; then
    say "$NAME is not running, but $CV3_PIDFILE remains (pid ${pid:-?} is dead or not $NAME)"
    return 1
  fi
  say "$NAME is not running"
  return 3
}

cmd_start() {
  local pid node log_from err_from i
  pid="$(read_pid)"
  if is_ours "$pid"; then
    die "already running (pid $pid, $CV3_BIND); use 'restart' to restart it"
  fi
  if [ -f "$CV3_PIDFILE" ]; then
    say "removing stale pid file $CV3_PIDFILE (pid ${pid:-?} is dead or not $NAME)"
    rm -f "$CV3_PIDFILE"
  fi

  [[ "$(bind_port)" =~ ^[0-9]+$ ]] || die "CV3_BIND must be host:port, got '$CV3_BIND'"
  [ -f "$CV3_APP_PATH/$APP_ENTRY" ] || die "$CV3_APP_PATH/$APP_ENTRY not found: run 'npm ci && npm run build' there, or set CV3_APP_PATH"
  node="$(command -v "$CV3_NODE")" || die "node binary '$CV3_NODE' not found (set CV3_NODE)"
  if port_open; then
    die "$CV3_BIND is already in use by another process"
  fi

  mkdir -p "$(dirname "$CV3_PIDFILE")" "$(dirname "$CV3_LOGFILE")" "$(dirname "$CV3_ACCESS_LOG_FILE")" \
    "$(dirname "$CV3_ERROR_LOG_FILE")"
  log_from="$(file_size "$CV3_LOGFILE")"
  err_from="$(file_size "$CV3_ERROR_LOG_FILE")"

  # setsid detaches the app from our terminal and session (no SIGHUP when the shell closes). The launcher writes
  # its own pid, then execs node, so the pid file names the node process itself. stdout goes through awk, which
  # sends pino-http's request lines (the only ones with "responseTime") to the access log and the rest to the log;
  # awk ends when node closes stdout. mawk reads a pipe in blocks unless told `-W interactive`.
  local awk_opts=""
  if awk -W version 2>&1 | grep -q mawk; then awk_opts="-W interactive"; fi
  export CV3_BIND
  # shellcheck disable=SC2094 # the launcher's arguments name the error log; it only appends to it
  (
    cd "$CV3_APP_PATH"
    exec setsid bash -c "$LAUNCHER" cv3-launch "$CV3_PIDFILE" "$node" "$APP_ENTRY" "$CV3_ERROR_LOG_FILE" \
      "$CV3_LOGFILE" "$CV3_ACCESS_LOG_FILE" "$awk_opts" </dev/null >/dev/null 2>>"$CV3_ERROR_LOG_FILE"
  ) &

  for ((i = 0; i < 50; i++)); do
    pid="$(read_pid)"
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || die "the launcher did not write $CV3_PIDFILE"

  # Until the launcher has exec'd node, the pid is alive but not yet ours.
  for ((i = 0; i < CV3_START_TIMEOUT * 5; i++)); do
    if ! is_alive "$pid"; then
      rm -f "$CV3_PIDFILE"
      err "failed to start: the process exited during startup"
      start_failure_details "$err_from" "$log_from"
      exit 1
    fi
    if is_ours "$pid" && port_open; then
      say "$NAME started (pid $pid) on http://$CV3_BIND"
      say "logs: $CV3_LOGFILE, access: $CV3_ACCESS_LOG_FILE, errors: $CV3_ERROR_LOG_FILE"
      return 0
    fi
    sleep 0.2
  done
  err "failed to start: not listening on $CV3_BIND after ${CV3_START_TIMEOUT}s; stopping it"
  start_failure_details "$err_from" "$log_from"
  if is_ours "$pid"; then stop_pid "$pid"; fi
  rm -f "$CV3_PIDFILE"
  exit 1
}

start_failure_details() {
  local errors lines
  errors="$(new_lines "$CV3_ERROR_LOG_FILE" "$1")"
  lines="$(new_lines "$CV3_LOGFILE" "$2" 10)"
  if [ -n "$errors" ]; then
    printf -- '--- %s (last lines) ---\n%s\n' "$CV3_ERROR_LOG_FILE" "$errors" >&2
  fi
  if [ -n "$lines" ]; then
    printf -- '--- %s (last lines) ---\n%s\n' "$CV3_LOGFILE" "$lines" >&2
  fi
  if [ -z "$errors$lines" ]; then
    err "no output in $CV3_ERROR_LOG_FILE or $CV3_LOGFILE"
  fi
}

# SIGTERM, wait up to CV3_GRACEFUL_TIMEOUT seconds, then SIGKILL. Returns once the process is gone.
stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < CV3_GRACEFUL_TIMEOUT * 10; i++)); do
    is_ours "$pid" || return 0
    sleep 0.1
  done
  err "pid $pid still running after ${CV3_GRACEFUL_TIMEOUT}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    is_ours "$pid" || return 0
    sleep 0.1
  done
  die "pid $pid survived SIGKILL"
}

cmd_stop() {
  local pid
  pid="$(read_pid)"
  if ! is_ours "$pid"; then
    if [ -f "$CV3_PIDFILE" ]; then
      rm -f "$CV3_PIDFILE"
      say "$NAME was not running; removed stale pid file $CV3_PIDFILE"
    else
      say "$NAME is not running"
    fi
    return 0
  fi
  say "stopping $NAME (pid $pid)"
  stop_pid "$pid"
  rm -f "$CV3_PIDFILE"
  say "$NAME stopped"
}

cmd_install() {
  local dir="${1:-}" rc="${CV3_BASHRC:-$HOME/.bashrc}" app tmp
  [ -n "$dir" ] || { err "install needs a directory"; usage 2; }
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  app="$(cd "$CV3_APP_PATH" && pwd -P)"
  ln -sfn "$SCRIPT_PATH" "$dir/$NAME"

  # One marked block, replaced on each install, so re-running (even from another folder) never duplicates lines.
  touch "$rc"
  tmp="$(mktemp)"
  awk '/^# >>> CafeVariome3 >>>$/ { skip = 1 } !skip { print } /^# <<< CafeVariome3 <<<$/ { skip = 0 }' "$rc" >"$tmp"
  {
    printf '# >>> CafeVariome3 >>>\n'
    # shellcheck disable=SC2016 # $PATH is expanded by the shell that sources the file
    printf 'export PATH=%q:"$PATH"\n' "$dir"
    printf 'export CV3_APP_PATH=%q\n' "$app"
    printf '# <<< CafeVariome3 <<<\n'
  } >>"$tmp"
  # Rewrite in place rather than mv, so a symlinked ~/.bashrc stays a symlink.
  cat "$tmp" >"$rc"
  rm -f "$tmp"
  say "installed $dir/$NAME (CV3_APP_PATH=$app); PATH and CV3_APP_PATH are set in $rc"
  say "open a new shell or run: source $rc"
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  -h | --help | help) usage 0 ;;
  *) usage 2 ;;
esac
