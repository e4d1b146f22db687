#!/usr/bin/env bash
# The local stack: PostgreSQL, Redis, Kafka (KRaft), Apicurio Registry, OpenSearch on loopback.
#   stack.sh up       start what is not running yet, wait until every component is healthy
#   stack.sh down     stop what `up` started (never a server it found already running)
#   (up and down take component names to act on some only: postgres redis kafka registry search)
#   stack.sh status   one line per component
#   stack.sh env      the endpoints as shell exports
# A component whose endpoint already answers healthily is used as it is (external).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMPONENTS=(postgres redis kafka registry search)
for c in "${COMPONENTS[@]}"; do
  # shellcheck source=/dev/null
  . "$STACK_TOOLS/components/$c.sh"
done

STARTED_NOW=()

# On a failed `up`, stop whatever this run started, newest first, so nothing is left half-up.
cleanup_failed_up() {
  local rc=$? i
  if [[ $rc -ne 0 && ${#STARTED_NOW[@]} -gt 0 ]]; then
    for ((i = ${#STARTED_NOW[@]} - 1; i >= 0; i--)); do
      stop_component "${STARTED_NOW[$i]}" >/dev/null 2>&1 || true
    done
    printf 'stack: stopped %s again (started by this run)\n' "${STARTED_NOW[*]}" >&2
  fi
}

stop_component() {
  if declare -F "$1_stop" >/dev/null; then "$1_stop"; else stop_daemon "$1"; fi
}

up_component() {
  local c=$1 port
  if "${c}_healthy"; then
    if ours_alive "$c"; then say "$c: running ($("${c}_endpoint"))"; else say "$c: using the one already at $("${c}_endpoint")"; fi
    return 0
  fi
  if ours_alive "$c"; then
    # Ours but not answering: probably still starting from an earlier run.
    wait_healthy "$c" "$("${c}_timeout")"
    return 0
  fi
  port=$("${c}_port")
  if port_open 127.0.0.1 "$port"; then
    fail "$c" "port $port is taken by something that is not a healthy $c; stop it or point $("${c}_env_var") elsewhere"
  fi
  "${c}_prepare"
  STARTED_NOW+=("$c")
  "${c}_start"
  wait_healthy "$c" "$("${c}_timeout")"
  if declare -F "${c}_after_start" >/dev/null; then "${c}_after_start"; fi
  say "$c: started ($("${c}_endpoint"))"
}

cmd_up() {
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$DATA_DIR" "$ART_DIR"
  trap cleanup_failed_up EXIT
  local c
  for c in "${@:-${COMPONENTS[@]}}"; do up_component "$c"; done
  trap - EXIT
  say "all healthy; logs under $LOG_DIR"
  cmd_env
}

cmd_down() {
  local i c only=" ${*:-${COMPONENTS[*]}} "
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    c=${COMPONENTS[$i]}
    [[ $only == *" $c "* ]] || continue
    if [[ -f $(pidfile "$c") ]]; then
      stop_component "$c"
      say "$c: stopped"
    fi
  done
}

cmd_status() {
  local c state rc=0
  for c in "${COMPONENTS[@]}"; do
    if "${c}_healthy"; then
      if ours_alive "$c"; then state="up (pid $(<"$(pidfile "$c")"))"; else state="up (external)"; fi
    elif ours_alive "$c"; then
      state="starting or unhealthy (pid $(<"$(pidfile "$c")"))"
      rc=1
    else
      state="down"
      rc=1
    fi
    printf '%-9s %-52s %s\n' "$c" "$("${c}_endpoint")" "$state"
  done
  return $rc
}

cmd_env() {
  local c
  for c in "${COMPONENTS[@]}"; do
    printf 'export %s=%q\n' "$("${c}_env_var")" "$("${c}_endpoint")"
  done
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: stack.sh up [component...] | down [component...] | status | env" >&2
    exit 2
    ;;
esac
