# shellcheck shell=bash
# Apache Kafka: the broker at KAFKA_BROKERS if one answers there; otherwise a single KRaft node of
# our own (broker and controller in one JVM), run from the Maven Central jars that tools/stack/pom.xml
# names, with its log under .stack/data/kafka/data so topics and committed offsets survive a restart.
#
# Choices (server.properties is written by kafka_write_config on every start):
#   - loopback only: the client listener at KAFKA_BROKERS, the controller at 127.0.0.1:KAFKA_CONTROLLER_PORT
#     (9093); plaintext, no auth;
#   - auto.create.topics.enable=false: the mesh creates its topics explicitly, as in production;
#   - every internal topic with replication factor 1 and min ISR 1 (one broker), num.partitions=3,
#     no initial rebalance delay for consumer groups, fewer threads than the defaults (2 cores);
#   - heap -Xms256m -Xmx768m (KAFKA_HEAP_OPTS overrides it).

KAFKA_NODE_ID=1

kafka_env_var() { printf 'KAFKA_BROKERS'; }
kafka_endpoint() { printf '%s' "${KAFKA_BROKERS:-127.0.0.1:9092}"; }
kafka_port() { url_port "$(kafka_endpoint)" 9092; }
kafka_controller_port() { printf '%s' "${KAFKA_CONTROLLER_PORT:-9093}"; }
kafka_timeout() { printf 90; }

kafka_home() { printf '%s/kafka-%s' "$ART_DIR" "$KAFKA_VERSION"; }
kafka_dir() { printf '%s/kafka' "$DATA_DIR"; }

# Healthy: the broker answers an ApiVersions request (v0, correlation id "MESH") on the client
# listener with error code 0. A KRaft broker only processes requests once it has caught up with
# the metadata log and been unfenced, so a reply means topics can be created and used; an open
# port alone does not (the socket is bound long before that).
kafka_healthy() {
  local reply
  reply=$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$(url_host "$(kafka_endpoint)")/$(kafka_port)" || exit 1
    # size 14 | api_key 18 (ApiVersions) | api_version 0 | correlation_id | client_id "mesh"
    printf '\x00\x00\x00\x0e\x00\x12\x00\x00MESH\x00\x04mesh' >&3
    timeout 1 head -c 10 <&3 | od -An -tx1 | tr -d ' \n'
  ) 2>/dev/null || return 1
  # size (4 bytes, any) | correlation_id "MESH" | error_code 0
  [[ $reply =~ ^[0-9a-f]{8}4d4553480000$ ]]
}

# Kafka 4 brokers need Java 17; 3.x runs on 11.
kafka_java_min() {
  if [[ ${KAFKA_VERSION%%.*} -ge 4 ]]; then printf 17; else printf 11; fi
}

kafka_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
}

# The java Kafka's own scripts would use (JAVA_HOME, else PATH) when it is new enough, otherwise
# the newest JDK find_java sees.
kafka_java() {
  local min cand major
  min=$(kafka_java_min)
  cand=${JAVA_HOME:+$JAVA_HOME/bin/java}
  [[ -n $cand ]] || cand=$(command -v java 2>/dev/null || true)
  if [[ -n $cand && -x $cand ]]; then
    major=$(kafka_java_major "$cand")
    if [[ -n $major && $major -ge $min ]]; then
      printf '%s' "$cand"
      return 0
    fi
  fi
  find_java "$min"
}

kafka_prepare() {
  local home tmp java
  home=$(kafka_home)
  java=$(kafka_java) ||
    fail kafka "Kafka $KAFKA_VERSION needs Java $(kafka_java_min) or newer and none was found (JAVA_HOME, PATH, /usr/lib/jvm); install one (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME to it"
  if [[ ! -f $home/.complete ]]; then
    command -v mvn >/dev/null || fail kafka "Maven (mvn) is not installed; install it (apt-get install maven) and retry"
    tmp="$ART_DIR/.kafka-fetch.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp" "$LOG_DIR"
    if ! mvn -B -q -f "$STACK_TOOLS/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp/libs" \
      -Dkafka.version="$KAFKA_VERSION" -Dkafka.scala.version="$KAFKA_SCALA_VERSION" \
      -Dkafka.log4j.version="$KAFKA_LOG4J_VERSION" >>"$LOG_DIR/kafka.fetch.log" 2>&1; then
      rm -rf "$tmp"
      fail kafka "could not download Kafka $KAFKA_VERSION (Scala $KAFKA_SCALA_VERSION) from Maven Central; see $LOG_DIR/kafka.fetch.log"
    fi
    [[ -f $tmp/libs/kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar ]] ||
      { rm -rf "$tmp"; fail kafka "Maven resolved no kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar; see $LOG_DIR/kafka.fetch.log"; }
    rm -rf "$home"
    mv "$tmp" "$home"
    touch "$home/.complete"
  fi
  if port_open 127.0.0.1 "$(kafka_controller_port)"; then
    fail kafka "controller port $(kafka_controller_port) is taken by another process; stop it or set KAFKA_CONTROLLER_PORT to a free port"
  fi
  kafka_write_config
  kafka_format "$java"
}

# Formats the log dir once, with a cluster id kept beside it (.stack/data/kafka/cluster.id), so a
# wiped log dir comes back as the same cluster; a formatted dir (meta.properties) is left alone.
kafka_format() {
  local java=$1 dir id
  dir=$(kafka_dir)
  [[ ! -f $dir/data/meta.properties ]] || return 0
  if [[ -s $dir/cluster.id ]]; then
    id=$(<"$dir/cluster.id")
  else
    # A Kafka Uuid: 16 random bytes, base64url without padding (not starting with '-').
    id=-
    while [[ $id == -* ]]; do
      id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    done
    printf '%s\n' "$id" >"$dir/cluster.id"
  fi
  if ! "$java" -Xmx256m -cp "$(kafka_home)/libs/*" -Dlog4j2.configurationFile="$dir/config/log4j2.properties" \
    kafka.tools.StorageTool format --cluster-id "$id" --config "$dir/config/server.properties" --ignore-formatted \
    >>"$LOG_DIR/kafka.log" 2>&1; then
    fail kafka "kafka-storage format of $dir/data failed; see $LOG_DIR/kafka.log"
  fi
}

# Writes server.properties and log4j2.properties under .stack/data/kafka/config on every start,
# so that the settings here always apply; edit this file, not the generated ones.
kafka_write_config() {
  local dir conf host
  dir=$(kafka_dir)
  conf="$dir/config"
  host=$(url_host "$(kafka_endpoint)")
  mkdir -p "$conf" "$dir/data"
  cat >"$conf/server.properties" <<EOF
# Generated by tools/stack/components/kafka.sh on every start; edit that file instead.
process.roles=broker,controller
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_NODE_ID@127.0.0.1:$(kafka_controller_port)
listeners=PLAINTEXT://$host:$(kafka_port),CONTROLLER://127.0.0.1:$(kafka_controller_port)
advertised.listeners=PLAINTEXT://$host:$(kafka_port)
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$dir/data

auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
EOF
  cat >"$conf/log4j2.properties" <<'EOF'
# Generated by tools/stack/components/kafka.sh; everything goes to stdout (.stack/logs/kafka.log).
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
# The full config dumps of the broker and its internal clients, and per-request chatter.
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

kafka_start() {
  local java dir
  java=$(kafka_java)
  dir=$(kafka_dir)
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
  start_daemon kafka "$java" ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/config/log4j2.properties" \
    -cp "$(kafka_home)/libs/*" kafka.Kafka "$dir/config/server.properties"
}
