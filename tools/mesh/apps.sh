#!/usr/bin/env bash
# Runs the mesh's apps on this machine, next to the local stack (tools/stack):
#   apps.sh up [app...]     start the apps that are not running and wait until they are ready
#   apps.sh down            stop the apps apps.sh started (SIGTERM: they finish and commit first)
#   apps.sh status          one line per app with its URL; non-zero if any is not ready
#   apps.sh env             the local secrets as shell exports (for the CLIs and the demo)
# Secrets for local runs (admin token, control secret, webhook tokens) are generated once into
# .stack/mesh.env (git-ignored, mode 600); they never live in the repository.
set -euo pipefail
# shellcheck source=../stack/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../stack/lib.sh"

# The stack's helpers, speaking for the mesh's apps rather than for the stack.
say() { printf 'mesh: %s\n' "$*"; }
fail() {
  local app=$1
  shift
  printf 'mesh: %s: %s\n' "$app" "$*" >&2
  exit 1
}

# The apps and their local ports come from apps.list (the generator registers new sinks there).
APPS=()
declare -A APP_PORT=()
NAME_WIDTH=0
while read -r name port _; do
  [[ -z $name || $name == \#* ]] && continue
  APPS+=("$name")
  APP_PORT[$name]=$port
  if ((${#name} > NAME_WIDTH)); then NAME_WIDTH=${#name}; fi
done <"$(dirname "${BASH_SOURCE[0]}")/apps.list"
SECRETS_FILE="$STACK_HOME/mesh.env"

ensure_secrets() {
  mkdir -p "$STACK_HOME"
  if [[ ! -f $SECRETS_FILE ]]; then
    (
      umask 077
      {
        printf 'MESH_ADMIN_TOKEN=%s\n' "$(openssl rand -hex 24)"
        printf 'MESH_CONTROL_SECRET=%s\n' "$(openssl rand -hex 32)"
        printf 'ROUTER_TOKEN_ACME=%s\n' "$(openssl rand -hex 24)"
        printf 'ROUTER_TOKEN_GLOBEX=%s\n' "$(openssl rand -hex 24)"
      } >"$SECRETS_FILE"
    )
  fi
  set -a
  # shellcheck source=/dev/null
  . "$SECRETS_FILE"
  set +a
}

app_ready() {
  curl -fsS --connect-timeout 1 -m 2 "http://127.0.0.1:${APP_PORT[$1]}/health/ready" >/dev/null 2>&1
}

cmd_up() {
  ensure_secrets
  local app
  for app in "${@:-${APPS[@]}}"; do
    [[ -n ${APP_PORT[$app]:-} ]] || fail "$app" "no such app in tools/mesh/apps.list (known: ${APPS[*]})"
    if ours_alive "$app"; then
      say "$app: running (http://127.0.0.1:${APP_PORT[$app]})"
      continue
    fi
    port_open 127.0.0.1 "${APP_PORT[$app]}" && fail "$app" "port ${APP_PORT[$app]} is taken; stop what listens there"
    MESH_HTTP_PORT=${APP_PORT[$app]} start_daemon "$app" node --conditions=@ingest-mesh/source --import tsx "$STACK_ROOT/apps/$app/src/main.ts"
    local i
    for ((i = 0; i < 120; i++)); do
      app_ready "$app" && break
      ours_alive "$app" || fail "$app" "exited during start-up; see $(tail_hint "$app")"
      sleep 0.5
    done
    app_ready "$app" || fail "$app" "not ready after 60s; see $LOG_DIR/$app.log"
    say "$app: started (http://127.0.0.1:${APP_PORT[$app]}, log $LOG_DIR/$app.log)"
  done
}

cmd_down() {
  local app
  for app in "${APPS[@]}"; do
    if [[ -f $(pidfile "$app") ]]; then
      stop_daemon "$app" 35
      say "$app: stopped"
    fi
  done
}

# One line per app: name, URL, state; exits non-zero if any app is not ready.
cmd_status() {
  local app state rc=0
  for app in "${APPS[@]}"; do
    if app_ready "$app"; then state=ready
    elif ours_alive "$app"; then state="not ready"; rc=1
    else state=down; rc=1; fi
    printf '%-*s  %-22s  %s\n' "$NAME_WIDTH" "$app" "http://127.0.0.1:${APP_PORT[$app]}" "$state"
  done
  return $rc
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) ensure_secrets; sed 's/^/export /' "$SECRETS_FILE" ;;
  *) echo "usage: apps.sh up [app...] | down | status | env" >&2; exit 2 ;;
esac
