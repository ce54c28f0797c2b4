# Redis: Debian's redis-server, run in the foreground by spawn (so the pid file tracks it), no persistence.
# shellcheck shell=bash

redis_port() { echo "$CV3_REDIS_PORT"; }
redis_address() { echo "redis://127.0.0.1:$CV3_REDIS_PORT"; }
redis_timeout() { echo 20; }

# Debian's package starts its own service on 6379 where an init system runs: keep it from starting
# (policy-rc.d answering 101 while apt runs), and stop and disable it should it be running anyway.
redis_install() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    return 0
  fi
  local policy=/usr/sbin/policy-rc.d made_policy=false rc=0
  if [ ! -e "$policy" ] && [ "$(id -u)" -eq 0 ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=true
  fi
  local log="$CV3_STACK_CACHE/redis-apt.log"
  say "[redis] apt-get install redis-server (log: $log)"
  # A stale package list (the update marker kept from an earlier run) gets one fresh update.
  { apt_install redis-server || { rm -f "$CV3_STACK_CACHE/.apt-updated"; apt_install redis-server; }; } \
    >"$log" 2>&1 || rc=$?
  if $made_policy; then rm -f "$policy"; fi
  if [ "$rc" -ne 0 ]; then tail -n 20 "$log" >&2; return "$rc"; fi
  redis_disable_system_service
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1
}

redis_disable_system_service() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now redis-server >/dev/null 2>&1 || true
  else
    if [ -x /etc/init.d/redis-server ]; then
      $sudo /etc/init.d/redis-server stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1; then
      $sudo update-rc.d redis-server disable >/dev/null 2>&1 || true
    fi
  fi
}

redis_start() {
  local data="$CV3_STACK_RUN/redis-data"
  if [ "${CV3_KEEP_DATA:-false}" != "true" ]; then rm -rf "$data"; fi
  mkdir -p "$data"
  # No --logfile: redis logs to stdout, which spawn writes to $CV3_STACK_RUN/redis.log.
  spawn redis redis-server \
    --daemonize no \
    --bind 127.0.0.1 \
    --port "$CV3_REDIS_PORT" \
    --save "" \
    --appendonly no \
    --dir "$data" \
    --maxmemory-policy noeviction \
    --loglevel "$( [ -n "${CV3_STACK_DEBUG:-}" ] && echo verbose || echo notice )"
}

redis_ready() {
  [ "$(redis-cli -h 127.0.0.1 -p "$CV3_REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

# Stops only the server bin/cv3-stack started (its pid file); `up --only redis` starts it again,
# also after the process was killed (the stale pid file is cleared by `up`).
redis_stop() {
  stop_pid redis
}
