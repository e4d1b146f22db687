# shellcheck shell=bash
# Apicurio Registry: the schema registry at SCHEMA_REGISTRY_URL if one answers there; otherwise
# Apicurio Registry 3.x of our own (the Quarkus fast-jar from Maven Central), serving the
# Confluent-compatible API at /apis/ccompat/v7 and storing everything in the `registry` database
# of the PostgreSQL at DATABASE_URL, so schema ids survive a restart.
#
# Choices (all passed as -D properties in registry_start):
#   - schema ids are Apicurio content ids (apicurio.ccompat.legacy-id-mode.enabled=false): the same
#     schema under two subjects has one id, as in Confluent Schema Registry;
#   - the default global compatibility rule is BACKWARD (Confluent's default), so GET /config
#     answers BACKWARD and an incompatible new version is refused with 409; a PUT /config stores
#     an explicit rule in the database, which then takes precedence over this default;
#   - no UI (not part of this artifact), no telemetry export, no auth, no access log; the Quarkus
#     management interface (health/metrics) cannot be switched off at run time, so it listens on
#     an ephemeral loopback port instead of a fixed one;
#   - heap capped at 512 MiB with the serial collector (no GC threads competing with Kafka on a
#     small machine) and a JDBC pool of 2..20 connections instead of Apicurio's 20..100.

REGISTRY_DB=registry

registry_env_var() { printf 'SCHEMA_REGISTRY_URL'; }
registry_endpoint() {
  local u=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}
  printf '%s' "${u%/}"
}
registry_port() { url_port "$(registry_endpoint)" 8081; }
registry_timeout() { printf 120; }

registry_home() { printf '%s/registry-%s' "$ART_DIR" "$APICURIO_VERSION"; }

# Healthy: GET <endpoint>/config answers 200 with the global compatibility level, which takes the
# Confluent-compatible API and the storage behind it (any Confluent-compatible registry passes).
registry_healthy() {
  local body
  body=$(curl -fsS --connect-timeout 1 -m 3 "$(registry_endpoint)/config" 2>/dev/null) || return 1
  [[ $body == *'"compatibilityLevel"'* ]]
}

# Apicurio Registry 3.3 is compiled for Java 21.
registry_java() {
  find_java "$JAVA_MIN_FOR_21" ||
    fail registry "Apicurio Registry $APICURIO_VERSION needs Java $JAVA_MIN_FOR_21 or newer and none was found (JAVA_HOME, /usr/lib/jvm, PATH); install one (e.g. apt-get install openjdk-21-jre-headless) or set JAVA_HOME to it"
}

# percent-decoding for the user and password parts of DATABASE_URL.
registry_urldecode() {
  local s=${1//+/ }
  printf '%b' "${s//%/\\x}"
}

# user, password, host and port of DATABASE_URL, one per line (password may be empty).
registry_db_parts() {
  local u creds="" user pass=""
  u=$(postgres_endpoint)
  u=${u#*://}
  u=${u%%/*}
  if [[ $u == *@* ]]; then creds=${u%@*}; fi
  user=${creds%%:*}
  if [[ $creds == *:* ]]; then pass=${creds#*:}; fi
  printf '%s\n%s\n%s\n%s\n' "$(registry_urldecode "${user:-postgres}")" "$(registry_urldecode "$pass")" \
    "$(url_host "$(postgres_endpoint)")" "$(postgres_port)"
}

# Creates the `registry` database when it is missing (the postgres component creates it only on
# a server it started itself). Needs psql; without it the registry reports a missing database.
registry_ensure_database() {
  command -v psql >/dev/null || return 0
  local parts user pass host port
  mapfile -t parts < <(registry_db_parts)
  user=${parts[0]} pass=${parts[1]} host=${parts[2]} port=${parts[3]}
  local -a psql_cmd=(psql -X -q -w -h "$host" -p "$port" -U "$user")
  if PGPASSWORD=$pass PGCONNECT_TIMEOUT=5 "${psql_cmd[@]}" -d "$REGISTRY_DB" -Atc 'SELECT 1' >/dev/null 2>&1; then
    return 0
  fi
  local db
  db=$(postgres_endpoint)
  db=${db##*/}
  db=${db%%\?*}
  PGPASSWORD=$pass PGCONNECT_TIMEOUT=5 "${psql_cmd[@]}" -d "${db:-postgres}" -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE $REGISTRY_DB" >>"$LOG_DIR/registry.log" 2>&1 ||
    fail registry "database '$REGISTRY_DB' does not exist on $host:$port and user $user cannot create it; create it (CREATE DATABASE $REGISTRY_DB) and retry"
  say "registry: created database $REGISTRY_DB on $host:$port"
}

registry_prepare() {
  registry_java >/dev/null
  command -v curl >/dev/null || fail registry "curl is not installed (needed for the health check); apt-get install curl"
  postgres_healthy || fail registry "PostgreSQL at $(postgres_endpoint) does not answer; the registry stores its schemas there: start it first (stack.sh up postgres)"
  registry_ensure_database
  mkdir -p "$DATA_DIR/registry/tmp" "$LOG_DIR"
  local home dl
  home=$(registry_home)
  [[ -f $home/quarkus-run.jar ]] && return 0
  dl="$ART_DIR/registry-$APICURIO_VERSION.download"
  rm -rf "$dl" "$home.partial"
  mvn_get registry "io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" "$dl"
  mkdir -p "$home.partial"
  tar -xzf "$dl/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$home.partial" 2>>"$LOG_DIR/registry.fetch.log" ||
    fail registry "could not unpack apicurio-registry-app-$APICURIO_VERSION-all.tar.gz; see $LOG_DIR/registry.fetch.log"
  [[ -f $home.partial/quarkus-run.jar ]] ||
    fail registry "apicurio-registry-app-$APICURIO_VERSION-all.tar.gz has no quarkus-run.jar; is APICURIO_VERSION a 3.x release?"
  mv "$home.partial" "$home"
  rm -rf "$dl"
}

registry_start() {
  local java parts user pass host port tmp
  java=$(registry_java)
  mapfile -t parts < <(registry_db_parts)
  user=${parts[0]} pass=${parts[1]} host=${parts[2]} port=${parts[3]}
  tmp="$DATA_DIR/registry/tmp"
  # The password travels in the environment, not on the command line that ps shows.
  start_daemon registry env ${pass:+"APICURIO_DATASOURCE_PASSWORD=$pass"} \
    "$java" -Xms64m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir="$tmp" \
    -Dquarkus.http.host="$(url_host "$(registry_endpoint)")" -Dquarkus.http.port="$(registry_port)" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=0 \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="jdbc:postgresql://$host:$port/$REGISTRY_DB" \
    -Dapicurio.datasource.username="$user" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=20 \
    -Dapicurio.rules.global.compatibility=BACKWARD \
    -Dapicurio.ccompat.legacy-id-mode.enabled=false \
    -Dapicurio.storage.snapshot.location="$tmp" -Dapicurio.import.work-dir="$tmp" \
    -Dquarkus.http.access-log.enabled=false \
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss} %p [%c{3.}] (%t) %m%n' \
    -jar "$(registry_home)/quarkus-run.jar"
}
