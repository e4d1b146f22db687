# shellcheck shell=bash
# PostgreSQL: the server at DATABASE_URL if one answers there; otherwise a cluster of our own
# under .stack/data/postgres, run as the `postgres` OS user (the server refuses to run as root).

postgres_env_var() { printf 'DATABASE_URL'; }
postgres_endpoint() { printf '%s' "${DATABASE_URL:-postgres://mesh@127.0.0.1:5432/mesh}"; }
postgres_port() { url_port "$(postgres_endpoint)" 5432; }
postgres_timeout() { printf 60; }

postgres_bindir() {
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [[ -n $d && -x $d/postgres ]] && printf '%s' "$d"
}

postgres_healthy() {
  local h p
  h=$(url_host "$(postgres_endpoint)")
  p=$(postgres_port)
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h "$h" -p "$p" -t 2
  else
    port_open "$h" "$p"
  fi
}

# Runs a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
postgres_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

postgres_prepare() {
  [[ -n $(postgres_bindir) ]] || apt_install postgres "postgresql-$POSTGRES_MAJOR" postgresql-client
  local bin data
  bin=$(postgres_bindir) || fail postgres "no PostgreSQL server binaries under /usr/lib/postgresql after install"
  data="$DATA_DIR/postgres"
  mkdir -p "$data" "$RUN_DIR/pgsock"
  [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$data" "$RUN_DIR/pgsock"
  chmod 700 "$data"
  if [[ ! -f $data/PG_VERSION ]]; then
    postgres_as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale \
      >>"$LOG_DIR/postgres.log" 2>&1 || fail postgres "initdb failed; see $LOG_DIR/postgres.log"
  fi
}

postgres_start() {
  local cmd=("$(postgres_bindir)/postgres" -D "$DATA_DIR/postgres"
    -c listen_addresses="$(url_host "$(postgres_endpoint)")" -c port="$(postgres_port)"
    -c unix_socket_directories="$RUN_DIR/pgsock" -c max_connections=200
    -c shared_buffers=256MB -c log_min_messages=warning)
  [[ $(id -u) -ne 0 ]] || cmd=(setpriv --reuid=postgres --regid=postgres --init-groups -- "${cmd[@]}")
  start_daemon postgres "${cmd[@]}"
}

# Creates the role and databases the mesh and the registry use (idempotent).
postgres_after_start() {
  local h p db role
  h=$(url_host "$(postgres_endpoint)")
  p=$(postgres_port)
  role=$(postgres_endpoint)
  role=${role#*://}
  role=${role%%@*}
  role=${role%%:*}
  db=$(postgres_endpoint)
  db=${db##*/}
  db=${db%%\?*}
  psql -q -h "$h" -p "$p" -U postgres -d postgres -v ON_ERROR_STOP=1 >>"$LOG_DIR/postgres.log" 2>&1 <<SQL || fail postgres "could not create role $role and databases; see $LOG_DIR/postgres.log"
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', '$role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$role') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', 'registry', '$role') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'registry')\gexec
SQL
}

# SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
postgres_stop() {
  local f pid i
  f=$(pidfile postgres)
  [[ -f $f ]] || return 0
  pid=$(<"$f")
  kill -INT "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  stop_daemon postgres 5
}
