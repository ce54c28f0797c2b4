# MongoDB wire protocol: FerretDB v1.24.2 (SQLite backend) embedded in our Go program bin/stack/ferretdb/.
# The binary is built once per source hash into $CV3_STACK_CACHE/ferretdb/; Go's own module and build
# caches stay where `go env GOMODCACHE GOCACHE` puts them (by default ~/go/pkg/mod and ~/.cache/go-build).
# shellcheck shell=bash

FERRETDB_SRC="$STACK_DIR/ferretdb"
FERRETDB_TAGS="ferretdb_no_postgresql"

ferretdb_port() { echo "$CV3_MONGO_PORT"; }
ferretdb_address() { echo "mongodb://127.0.0.1:$CV3_MONGO_PORT"; }
ferretdb_timeout() { echo 30; }

ferretdb_go() {
  if command -v go >/dev/null 2>&1; then echo go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  else return 1
  fi
}

# The binary for the current sources: keyed by go.mod, go.sum, main.go and the build tags.
ferretdb_bin() {
  local hash
  hash="$(cat "$FERRETDB_SRC/go.mod" "$FERRETDB_SRC/go.sum" "$FERRETDB_SRC/main.go" <(echo "$FERRETDB_TAGS") |
    sha256sum | cut -c1-16)"
  echo "$CV3_STACK_CACHE/ferretdb/ferretdb-$hash"
}

ferretdb_install() {
  local bin go tmp old
  bin="$(ferretdb_bin)"
  [ -x "$bin" ] && return 0
  go="$(ferretdb_go)" || { say "[ferretdb] needs Go (1.24 or newer) to build bin/stack/ferretdb"; return 1; }
  mkdir -p "$CV3_STACK_CACHE/ferretdb"
  tmp="$bin.tmp.$$"
  local log="$CV3_STACK_CACHE/ferretdb/build.log"
  say "[ferretdb] building $(basename "$bin"), 2-4 minutes the first time (log: $log)"
  if ! (cd "$FERRETDB_SRC" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
        "$go" build -trimpath -tags "$FERRETDB_TAGS" -ldflags "-s -w" -o "$tmp" . ) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$bin"
  # Binaries of earlier sources are dead weight.
  for old in "$CV3_STACK_CACHE"/ferretdb/ferretdb-*; do
    [ "$old" = "$bin" ] || rm -f "$old"
  done
}

ferretdb_start() {
  local bin data level=warn
  bin="$(ferretdb_bin)"
  data="$CV3_STACK_RUN/ferretdb-data"
  if [ "${CV3_KEEP_DATA:-false}" != "true" ]; then rm -rf "$data"; fi
  mkdir -p "$data"
  [ -n "${CV3_STACK_DEBUG:-}" ] && level=debug
  # The probe uses the binary that was started, even if the sources change meanwhile.
  echo "$bin" >"$CV3_STACK_RUN/ferretdb.bin"
  spawn ferretdb "$bin" -listen "127.0.0.1:$CV3_MONGO_PORT" -data "$data" -log-level "$level"
}

# Ready: the port accepts connections and a real `ping` command answers ok: 1.
ferretdb_ready() {
  local bin
  bin="$(cat "$CV3_STACK_RUN/ferretdb.bin" 2>/dev/null || true)"
  [ -x "$bin" ] || bin="$(ferretdb_bin)"
  tcp_open "$CV3_MONGO_PORT" && "$bin" -ping "127.0.0.1:$CV3_MONGO_PORT" >/dev/null 2>&1
}
