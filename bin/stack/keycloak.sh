# Keycloak (Quarkus distribution from Maven Central) in dev mode: in-memory H2, the realm imported at every start.
# shellcheck shell=bash
#
# Install: fetch and unzip the dist, then one augmentation run ("start-dev" re-augments the shipped production
# build for the dev profile once; it is persisted in the dist's lib/quarkus, so later starts skip it).
# Start: start-dev with --db=dev-mem: nothing persists, the realm (bin/stack/keycloak/realm.json, values
# substituted into a per-run copy) is imported from $CV3_STACK_RUN/keycloak-import at each start.
# On Java 25 the first start after install records an AOT cache (JEP 514/515) that `down` assembles; later
# starts load it (about a quarter less CPU to ready). CV3_KEYCLOAK_AOT=false turns that off.

KEYCLOAK_VERSION="${CV3_KEYCLOAK_VERSION:-26.7.3}"
CV3_KEYCLOAK_SHORT_LIFESPAN="${CV3_KEYCLOAK_SHORT_LIFESPAN:-2}"
KEYCLOAK_TEMURIN25=/usr/lib/jvm/temurin-25-jdk-amd64
# Build-time options: changing them needs a new augmentation, so they key the install marker.
KEYCLOAK_BUILD_OPTS=(--db=dev-mem)

keycloak_port() { echo "$CV3_KEYCLOAK_PORT"; }
keycloak_address() { echo "http://127.0.0.1:$CV3_KEYCLOAK_PORT"; }
keycloak_timeout() { echo 240; }

keycloak_home() { echo "$CV3_STACK_CACHE/keycloak/keycloak-$KEYCLOAK_VERSION"; }

# The JDK to run on: Temurin 25 when present, else Java 17 (still supported by Keycloak 26, deprecated).
# CV3_KEYCLOAK_JAVA_HOME picks another JDK (17+).
keycloak_java_home() {
  if [ -n "${CV3_KEYCLOAK_JAVA_HOME:-}" ]; then echo "$CV3_KEYCLOAK_JAVA_HOME"; return; fi
  if [ -x "$KEYCLOAK_TEMURIN25/bin/java" ]; then echo "$KEYCLOAK_TEMURIN25"; return; fi
  local d
  for d in /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/temurin-17-jdk-amd64; do
    if [ -x "$d/bin/java" ]; then echo "$d"; return; fi
  done
  return 1
}

# The JVM's feature version (17, 21, 25, ...) from $JAVA_HOME/release.
keycloak_java_feature() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

keycloak_marker() {
  local h; h="$(printf '%s\n' "$KEYCLOAK_VERSION" "${KEYCLOAK_BUILD_OPTS[@]}" | sha256sum | cut -c1-12)"
  echo "$(keycloak_home)/.cv3-installed-$h"
}

# JVM options: the dist's defaults (G1) plus a modest heap, and C1 only: on 2 cores it cuts start-up CPU by
# about a fifth, and the test stack does not need C2's peak throughput. No second GC flag (the dist sets G1).
keycloak_java_env() {
  local jh="$1"
  printf '%s\n' "JAVA_HOME=$jh" "JAVA_OPTS_KC_HEAP=-Xms64m -Xmx512m" \
    "KC_BOOTSTRAP_ADMIN_USERNAME=admin" "KC_BOOTSTRAP_ADMIN_PASSWORD=admin"
}

keycloak_install() {
  local dir="$CV3_STACK_CACHE/keycloak" home marker jh
  home="$(keycloak_home)"
  marker="$(keycloak_marker)"
  [ -f "$marker" ] && return 0

  jh="$(keycloak_java_home)" || {
    say "[keycloak] no Java 17+ found; installing Debian's openjdk-17-jre-headless"
    apt_install openjdk-17-jre-headless || return 1
    jh="$(keycloak_java_home)" || return 1
  }
  [ "$jh" = "$KEYCLOAK_TEMURIN25" ] || say "[keycloak] Temurin 25 not found: running on $jh (Java 17 support is deprecated in Keycloak 26)"
  command -v mvn >/dev/null || apt_install maven || return 1
  command -v unzip >/dev/null || apt_install unzip || return 1

  mkdir -p "$dir/download"
  local zip="$dir/download/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  if [ ! -s "$zip" ]; then
    say "[keycloak] fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip"
    mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
      -DoutputDirectory="$dir/download" >"$dir/download.log" 2>&1 ||
      { tail -n 20 "$dir/download.log" >&2; return 1; }
  fi
  say "[keycloak] unpacking"
  local tmp="$dir/.unpack.$$"
  rm -rf "$tmp" "$home"
  mkdir -p "$tmp"
  unzip -q "$zip" -d "$tmp" || { rm -rf "$tmp" "$zip"; return 1; }
  [ -x "$tmp/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ] || chmod +x "$tmp/keycloak-$KEYCLOAK_VERSION"/bin/*.sh
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$home"
  rm -rf "$tmp" "$zip"   # Maven's local repository keeps a copy

  # Augment for the dev profile now ("kc.sh build" refuses dev mode; the first start-dev does it and then
  # relaunches the server). Stop as soon as the relaunched server begins, so the result is persisted.
  say "[keycloak] augmenting for start-dev (once per install)"
  local log="$dir/augment.log" pid i ok=false
  (
    cd "$home" || exit 1
    while IFS= read -r kv; do export "${kv?}"; done < <(keycloak_java_env "$jh")
    exec setsid bin/kc.sh start-dev "${KEYCLOAK_BUILD_OPTS[@]}" --http-host=127.0.0.1 \
      --http-port="$CV3_KEYCLOAK_PORT" --hostname="http://127.0.0.1:$CV3_KEYCLOAK_PORT" >"$log" 2>&1 </dev/null
  ) &
  pid=$!
  for i in $(seq 1 1200); do
    if grep -q 'Running the server in development mode' "$log" 2>/dev/null; then ok=true; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ! $ok || [ ! -f "$home/lib/quarkus/generated-bytecode.jar" ]; then
    say "[keycloak] augmentation failed; see $log"
    tail -n 20 "$log" >&2
    return 1
  fi
  rm -rf "$home/data"
  touch "$marker"
}

# json_escape <string>: the string as the inside of a JSON string literal.
keycloak_json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"
  printf '%s' "$s"
}

# The per-run copy of the realm template, with this run's names, ports and secrets.
keycloak_write_realm() {
  local out="$1" secret tpl k v
  secret="$(cat "$CV3_STACK_RUN/keycloak-client-secret")"
  tpl="$(cat "$STACK_DIR/keycloak/realm.json")"
  local -A vals=(
    [CV3_REALM]="$CV3_REALM"
    [CV3_REALM_LOWER]="${CV3_REALM,,}"
    [CV3_KEYCLOAK_CLIENT]="$CV3_KEYCLOAK_CLIENT"
    [CV3_KEYCLOAK_CLIENT_SECRET]="$secret"
    [CV3_TEST_CLIENT]="$CV3_TEST_CLIENT"
    [CV3_TEST_PASSWORD]="$CV3_TEST_PASSWORD"
    [CV3_SMTP_PORT]="$CV3_SMTP_PORT"
    [CV3_SHORT_LIFESPAN]="$CV3_KEYCLOAK_SHORT_LIFESPAN"
  )
  for k in "${!vals[@]}"; do
    v="$(keycloak_json_escape "${vals[$k]}")"
    tpl="${tpl//"@$k@"/"$v"}"
  done
  printf '%s\n' "$tpl" >"$out"
}

keycloak_aot_file() {  # <java home>: the AOT cache for this dist on this exact JVM
  local rel; rel="$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$1/release" 2>/dev/null)"
  echo "$(keycloak_home)/.cv3-aot/kc-${rel:-unknown}.aot"
}

keycloak_start() {
  local home jh data imp aot extra=""
  home="$(keycloak_home)"
  jh="$(keycloak_java_home)" || return 1
  data="$CV3_STACK_RUN/keycloak-data"
  imp="$CV3_STACK_RUN/keycloak-import"
  rm -rf "$data" "$imp"   # dev-mem keeps nothing anyway: always a fresh realm
  mkdir -p "$data" "$imp"
  [ -s "$CV3_STACK_RUN/keycloak-client-secret" ] ||
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$CV3_STACK_RUN/keycloak-client-secret"
  keycloak_write_realm "$imp/$CV3_REALM-realm.json"

  extra="-XX:TieredStopAtLevel=1"
  aot="$(keycloak_aot_file "$jh")"
  rm -f "$aot.recording" "$aot.recording.config" "$CV3_STACK_RUN/keycloak.aot-recording"
  if [ "${CV3_KEYCLOAK_AOT:-true}" = true ] && [ "$(keycloak_java_feature "$jh")" -ge 25 ] 2>/dev/null; then
    mkdir -p "$(dirname "$aot")"
    if [ -s "$aot" ]; then
      extra="$extra -XX:AOTCache=$aot"
    else
      extra="$extra -XX:AOTCacheOutput=$aot.recording"
      echo "$aot" >"$CV3_STACK_RUN/keycloak.aot-recording"
    fi
  fi

  (
    cd "$home" || exit 1
    while IFS= read -r kv; do export "${kv?}"; done < <(keycloak_java_env "$jh")
    export JAVA_OPTS_APPEND="$extra"
    # -Dkeycloak.migration.dir: the startup import reads this folder (what --import-realm sets to
    # <home>/data/import); strategy IGNORE_EXISTING, and ${ENV} placeholders in the file are expanded.
    spawn keycloak bin/kc.sh start-dev "${KEYCLOAK_BUILD_OPTS[@]}" \
      --http-host=127.0.0.1 --http-port="$CV3_KEYCLOAK_PORT" \
      --hostname="http://127.0.0.1:$CV3_KEYCLOAK_PORT" \
      "-Dkeycloak.migration.dir=$imp" \
      "-Dquarkus.transaction-manager.object-store.directory=$data/transaction-logs"
  )
}

keycloak_ready() {
  http_ok "http://127.0.0.1:$CV3_KEYCLOAK_PORT/realms/$CV3_REALM/.well-known/openid-configuration"
}

# Like stop_pid, but when this run records an AOT cache, give the JVM time to assemble it at exit
# (~20-40 s on 2 cores), and keep the cache only when it completed.
keycloak_stop() {
  local pf pid i aot="" grace=100 rec="$CV3_STACK_RUN/keycloak.aot-recording"
  pf="$(pidfile keycloak)"
  [ -f "$pf" ] || return 0
  pid="$(cat "$pf")"
  if [ -s "$rec" ]; then aot="$(cat "$rec")"; grace=900; fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 "$grace"); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pf" "$rec"
  if [ -n "$aot" ]; then
    if [ -s "$aot.recording" ] && grep -q "AOTCache creation is complete: $aot.recording" "$(logfile keycloak)" 2>/dev/null; then
      mv -f "$aot.recording" "$aot"
    else
      rm -f "$aot.recording"
    fi
    rm -f "$aot.recording.config"
  fi
}

keycloak_env() {
  local secret=""
  [ -s "$CV3_STACK_RUN/keycloak-client-secret" ] && secret="$(cat "$CV3_STACK_RUN/keycloak-client-secret")"
  printf 'export CV3_KEYCLOAK_URL=%q\n' "http://127.0.0.1:$CV3_KEYCLOAK_PORT"
  printf 'export CV3_KEYCLOAK_REALM=%q\n' "$CV3_REALM"
  printf 'export CV3_KEYCLOAK_CLIENT=%q\n' "$CV3_KEYCLOAK_CLIENT"
  printf 'export CV3_KEYCLOAK_CLIENT_SECRET=%q\n' "$secret"
  printf 'export CV3_TEST_CLIENT=%q\n' "$CV3_TEST_CLIENT"
  printf 'export CV3_TEST_PASSWORD=%q\n' "$CV3_TEST_PASSWORD"
  printf 'export CV3_KEYCLOAK_SHORT_LIFESPAN=%q\n' "$CV3_KEYCLOAK_SHORT_LIFESPAN"
}
