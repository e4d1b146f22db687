# shellcheck shell=bash
# Shared helpers for tools/stack/stack.sh and its components (sourced, never run).
#
# Every component file under components/ defines, for its name C:
#   C_endpoint   prints the URL clients use (from the env var, loopback default)
#   C_port       prints the TCP port it listens on
#   C_healthy    exit 0 when it answers like a healthy instance of itself
#   C_prepare    fetches artifacts and initialises data; idempotent, no process left
#   C_start      starts it with start_daemon (so stack.sh owns and can stop it)
#   C_timeout    seconds to wait for health after start
# and may define C_after_start (one-time set-up once healthy) and C_stop.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_TOOLS="$STACK_ROOT/tools/stack"
STACK_HOME=${MESH_STACK_HOME:-$STACK_ROOT/.stack}
# shellcheck disable=SC2034 # used by stack.sh and the component files
LOG_DIR="$STACK_HOME/logs"
RUN_DIR="$STACK_HOME/run"
# shellcheck disable=SC2034
DATA_DIR="$STACK_HOME/data"
# shellcheck disable=SC2034
ART_DIR=${MESH_STACK_ARTIFACTS:-$STACK_HOME/artifacts}

# shellcheck source=versions.env
. "$STACK_TOOLS/versions.env"

# One line, naming the component and what to do; the caller's EXIT trap cleans up.
fail() {
  local comp=$1
  shift
  printf 'stack: %s: %s\n' "$comp" "$*" >&2
  exit 1
}

say() { printf 'stack: %s\n' "$*"; }

# host and port of a URL or host:port string (first entry of a comma list).
url_host() {
  local u=${1%%,*}
  u=${u#*://}
  u=${u#*@}
  u=${u%%/*}
  printf '%s' "${u%:*}"
}
url_port() {
  local u=${1%%,*} def=${2:-}
  u=${u#*://}
  u=${u#*@}
  u=${u%%/*}
  if [[ $u == *:* ]]; then printf '%s' "${u##*:}"; else printf '%s' "$def"; fi
}

# True when something accepts TCP connections on host:port.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

pidfile() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# True when this stack started the component and its process is still alive.
ours_alive() {
  local f pid
  f=$(pidfile "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  kill -0 "$pid" 2>/dev/null
}

# start_daemon COMP CMD...: runs CMD in its own session, logs to .stack/logs/COMP.log,
# records the pid so that `stack down` stops it (and only what stack.sh started).
start_daemon() {
  local comp=$1
  shift
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  printf '\n=== %s start %s ===\n' "$comp" "$(date -u +%FT%TZ)" >>"$LOG_DIR/$comp.log"
  setsid "$@" >>"$LOG_DIR/$comp.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$comp")"
}

# stop_daemon COMP [GRACE_SECONDS]: SIGTERM the component's process group, SIGKILL after grace.
stop_daemon() {
  local comp=$1 grace=${2:-30} f pid i
  f=$(pidfile "$comp")
  [[ -f $f ]] || return 0
  pid=$(<"$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -f "$f"
}

# wait_healthy COMP TIMEOUT: polls COMP_healthy; fails with the log to read if it never answers
# or if the process died.
wait_healthy() {
  local comp=$1 timeout=$2 i
  for ((i = 0; i < timeout * 2; i++)); do
    if "${comp}_healthy"; then return 0; fi
    if ! ours_alive "$comp"; then
      fail "$comp" "exited during start-up; see $(tail_hint "$comp")"
    fi
    sleep 0.5
  done
  fail "$comp" "not healthy after ${timeout}s; see $(tail_hint "$comp")"
}

tail_hint() {
  local last
  last=$(grep -aE 'ERROR|Error|Exception|FATAL|error' "$LOG_DIR/$1.log" 2>/dev/null | tail -1 | cut -c1-200)
  printf '%s' "$LOG_DIR/$1.log${last:+ (last error: $last)}"
}

# find_java MIN_MAJOR: prints a java binary of at least that major version, or nothing.
# Looks at JAVA_HOME, then the JDKs under MESH_JVM_DIR (default /usr/lib/jvm, newest first), then PATH.
find_java() {
  local min=$1 cand major
  for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} $(printf '%s\n' "${MESH_JVM_DIR:-/usr/lib/jvm}"/*/bin/java | sort -rV) "$(command -v java 2>/dev/null)"; do
    [[ -x $cand ]] || continue
    major=$("$cand" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)
    if [[ -n $major && $major -ge $min ]]; then
      printf '%s' "$cand"
      return 0
    fi
  done
  return 1
}

# mvn_get COMP GROUP:ARTIFACT:VERSION[:TYPE[:CLASSIFIER]] DEST_DIR: copies one artifact from
# Maven Central (through ~/.m2, so a warm machine downloads nothing).
mvn_get() {
  local comp=$1 gav=$2 dest=$3
  command -v mvn >/dev/null || fail "$comp" "Maven (mvn) is not installed; install it (apt-get install maven) and retry"
  mkdir -p "$dest" "$LOG_DIR"
  if ! mvn -B -q dependency:copy -Dartifact="$gav" -DoutputDirectory="$dest" -Dmdep.useBaseVersion=true \
    >>"$LOG_DIR/$comp.fetch.log" 2>&1; then
    fail "$comp" "could not download $gav from Maven Central; see $LOG_DIR/$comp.fetch.log"
  fi
}

# apt_install COMP PACKAGE...: installs Debian packages when we are root, without letting
# their maintainer scripts start system services (the stack runs its own instances).
apt_install() {
  local comp=$1
  shift
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    fail "$comp" "$* not installed and this user cannot apt-get install it; install it or point $("${comp}_env_var") at a running server"
  fi
  say "$comp: installing $* from Debian packages"
  local policy=/usr/sbin/policy-rc.d had_policy=0
  [[ -e $policy ]] && had_policy=1
  [[ $had_policy -eq 1 ]] || printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" ||
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }
  } >>"$LOG_DIR/$comp.install.log" 2>&1 || rc=$?
  [[ $had_policy -eq 1 ]] || rm -f "$policy"
  [[ $rc -eq 0 ]] || fail "$comp" "apt-get install $* failed; see $LOG_DIR/$comp.install.log"
}
