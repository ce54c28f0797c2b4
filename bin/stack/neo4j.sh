# Neo4j (optional; `bin/cv3-stack up --with-neo4j`): embedded Neo4j Community from Maven jars,
# run by bin/stack/neo4j/Launcher.java with Bolt on 127.0.0.1:$CV3_NEO4J_PORT and auth disabled.
#
# Install: `mvn dependency:copy-dependencies` of bin/stack/neo4j/pom.xml into
#   $CV3_STACK_CACHE/neo4j/lib-<version>-<pom hash>/, and Launcher.java compiled once into
#   $CV3_STACK_CACHE/neo4j/launcher-<version>-<source hash>/ (so a start does not pay for javac).
# Data: $CV3_STACK_RUN/neo4j-data (fresh per start unless CV3_KEEP_DATA=true).
# Ready: the launcher writes <data>/ready once the default database answered `RETURN 1`, and Bolt accepts TCP.
# Tunables: CV3_NEO4J_JAVA_HOME (a JDK 17 or 21; default: the system's Java 17),
#           CV3_NEO4J_JAVA_OPTS (default: 512 MB heap, C1 only, serial GC: quick start on 2 cores).
# shellcheck shell=bash

NEO4J_SRC_DIR="$STACK_DIR/neo4j"

neo4j_port() { echo "$CV3_NEO4J_PORT"; }
neo4j_address() { echo "bolt://$CV3_STACK_BIND:$CV3_NEO4J_PORT"; }
neo4j_timeout() { echo 180; }

_neo4j_version() {
  sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$NEO4J_SRC_DIR/pom.xml" | head -n 1
}

_neo4j_hash() { cat "$@" | sha256sum | cut -c1-10; }

_neo4j_lib_dir() {
  printf '%s/neo4j/lib-%s-%s' "$CV3_STACK_CACHE" "$(_neo4j_version)" "$(_neo4j_hash "$NEO4J_SRC_DIR/pom.xml")"
}

_neo4j_launcher_dir() {
  printf '%s/neo4j/launcher-%s-%s' "$CV3_STACK_CACHE" "$(_neo4j_version)" \
    "$(_neo4j_hash "$NEO4J_SRC_DIR/Launcher.java" "$NEO4J_SRC_DIR/pom.xml")"
}

_neo4j_data_dir() { printf '%s/neo4j-data' "$CV3_STACK_RUN"; }

# A JDK for Neo4j 5.26 (Java 17 or 21): CV3_NEO4J_JAVA_HOME, else Debian's Java 17, else the javac on PATH.
_neo4j_java_home() {
  if [ -n "${CV3_NEO4J_JAVA_HOME:-}" ]; then printf '%s' "$CV3_NEO4J_JAVA_HOME"; return 0; fi
  local d
  for d in /usr/lib/jvm/java-17-openjdk-*; do
    if [ -x "$d/bin/javac" ]; then printf '%s' "$d"; return 0; fi
  done
  d="$(command -v javac 2>/dev/null)" || return 1
  d="$(readlink -f "$d")"
  printf '%s' "${d%/bin/javac}"
}

neo4j_install() {
  if ! _neo4j_java_home >/dev/null || ! command -v mvn >/dev/null 2>&1; then
    say "[neo4j] installing a JDK 17 and Maven (apt)"
    apt_install openjdk-17-jdk-headless maven || return 1
  fi
  local jh lib launcher tmp out
  jh="$(_neo4j_java_home)" || { say "[neo4j] no JDK found"; return 1; }
  lib="$(_neo4j_lib_dir)"
  launcher="$(_neo4j_launcher_dir)"
  mkdir -p "$CV3_STACK_CACHE/neo4j"

  if [ ! -f "$lib/.complete" ]; then
    say "[neo4j] fetching Neo4j $(_neo4j_version) jars (Maven)"
    tmp="$lib.tmp.$$"
    rm -rf "$tmp"
    # Maven's output (even with -q it prints colour resets) is shown only when it fails.
    if ! out="$(JAVA_HOME="$jh" mvn -B -q -Dstyle.color=never -f "$NEO4J_SRC_DIR/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1)"; then
      printf '%s\n' "$out" >&2
      rm -rf "$tmp"
      return 1
    fi
    [ -f "$tmp/neo4j-$(_neo4j_version).jar" ] || { say "[neo4j] the neo4j jar is missing after Maven"; rm -rf "$tmp"; return 1; }
    touch "$tmp/.complete"
    rm -rf "$lib"
    mv "$tmp" "$lib"
  fi

  if [ ! -f "$launcher/Launcher.class" ]; then
    say "[neo4j] compiling Launcher.java"
    tmp="$launcher.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    "$jh/bin/javac" -nowarn --release 17 -cp "$lib/*" -d "$tmp" "$NEO4J_SRC_DIR/Launcher.java" >&2 ||
      { rm -rf "$tmp"; return 1; }
    rm -rf "$launcher"
    mv "$tmp" "$launcher"
  fi

  # Drop what older recipes installed (other versions / hashes, interrupted installs).
  local d
  for d in "$CV3_STACK_CACHE"/neo4j/lib-* "$CV3_STACK_CACHE"/neo4j/launcher-*; do
    [ -e "$d" ] || continue
    [ "$d" = "$lib" ] || [ "$d" = "$launcher" ] || rm -rf "$d"
  done
}

neo4j_start() {
  local jh data opts
  jh="$(_neo4j_java_home)" || return 1
  data="$(_neo4j_data_dir)"
  [ "${CV3_KEEP_DATA:-false}" = true ] || rm -rf "$data"
  mkdir -p "$data"
  rm -f "$data/ready"
  opts="${CV3_NEO4J_JAVA_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError}"
  # shellcheck disable=SC2086 # opts is a list of JVM flags
  spawn neo4j "$jh/bin/java" $opts \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dlog4j2.disable.jmx=true \
    -cp "$(_neo4j_launcher_dir):$(_neo4j_lib_dir)/*" Launcher "$data" "$CV3_NEO4J_PORT"
}

neo4j_ready() {
  [ -f "$(_neo4j_data_dir)/ready" ] && tcp_open "$CV3_NEO4J_PORT"
}

neo4j_env() {
  if is_running neo4j; then
    printf 'export CV3_NEO4J_URI=%q\n' "bolt://$CV3_STACK_BIND:$CV3_NEO4J_PORT"
  fi
}
