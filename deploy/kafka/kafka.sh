#!/usr/bin/env bash
# One Apache Kafka node (KRaft: broker + controller) on 127.0.0.1 for development and tests.
#   deploy/kafka/kafka.sh start|stop|status|jars (jars: only fetch them, for deploy/kafka/Containerfile)
# KAFKA_PORT (default 9092) is the client port; the controller listens on KAFKA_CONTROLLER_PORT
# (default KAFKA_PORT + 1). Jars come from Maven Central once, into deploy/kafka/.cache/.
# KAFKA_TLS=1 makes a node that talks only TLS to clients, with certificates from
# deploy/tls/dev-certs.sh (in deploy/tls/.cache/): SASL_SSL on KAFKA_PORT (SCRAM-SHA-512, SCRAM-SHA-256
# and PLAIN for the user `osprey`; its password is generated into .cache/node-PORT/sasl-password),
# SSL with a required client certificate (mutual TLS) on KAFKA_PORT + 2, and the broker's own
# PLAINTEXT listener on KAFKA_PORT + 3 (127.0.0.1 only). Use it on other ports than the plaintext
# node: `KAFKA_TLS=1 KAFKA_PORT=19392 deploy/kafka/kafka.sh start`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="$here/.cache"
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
node_dir="$cache/node-$port"
jars="$cache/jars"
pidfile="$node_dir/kafka.pid"
tls=${KAFKA_TLS:-0}
tls_dir="$here/../tls/.cache"

log() { echo "kafka: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

fetch_jars() {
  if [ -f "$jars/.complete" ] && [ "$jars/.complete" -nt "$here/pom.xml" ]; then return; fi
  log "fetching the broker jars from Maven Central (once)"
  rm -rf "$jars"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$jars"
  touch "$jars/.complete"
}

write_config() {
  mkdir -p "$node_dir"
  if [ "$tls" = 1 ]; then tls_listeners; else plaintext_listeners; fi > "$node_dir/server.properties"
  cat >> "$node_dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
log.dirs=$node_dir/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
}

plaintext_listeners() {
  cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
PROPS
}

tls_listeners() {
  local mtls_port=$((port + 2)) internal_port=$((port + 3)) password scram
  password=$(cat "$node_dir/sasl-password")
  scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  cat <<PROPS
listeners=SASL_SSL://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port,SSL://127.0.0.1:$mtls_port,INTERNAL://127.0.0.1:$internal_port
advertised.listeners=SASL_SSL://127.0.0.1:$port,SSL://127.0.0.1:$mtls_port,INTERNAL://127.0.0.1:$internal_port
listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_osprey="$password";
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls_dir/server.p12
ssl.keystore.password=$(cat "$tls_dir/server.p12.password")
ssl.truststore.type=PEM
ssl.truststore.location=$tls_dir/ca.pem
listener.name.ssl.ssl.client.auth=required
PROPS
}

java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -Dkafka.logs.dir="$node_dir"
  -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$jars/*")

run_java() { java "${java_opts[@]}" "$@"; }

start() {
  if running; then log "already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
  if port_open "$port"; then log "port $port is taken by another process; set KAFKA_PORT"; exit 1; fi
  fetch_jars
  local format_args=()
  if [ "$tls" = 1 ]; then
    bash "$here/../tls/dev-certs.sh" "$tls_dir"
    mkdir -p "$node_dir"
    [ -s "$node_dir/sasl-password" ] || (umask 077 && openssl rand -hex 16 > "$node_dir/sasl-password")
    local password
    password=$(cat "$node_dir/sasl-password")
    # SCRAM credentials live in the cluster metadata, written when the storage is formatted.
    format_args=(--add-scram "SCRAM-SHA-512=[name=osprey,password=$password]"
      --add-scram "SCRAM-SHA-256=[name=osprey,password=$password]")
  fi
  write_config
  if [ ! -f "$node_dir/data/meta.properties" ]; then
    cluster_id=$(run_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    run_java kafka.tools.StorageTool format -t "$cluster_id" -c "$node_dir/server.properties" \
      --standalone "${format_args[@]}" >/dev/null
  fi
  log "starting on 127.0.0.1:$port"
  # setsid: the broker outlives the shell that started it, as a service would.
  setsid java "${java_opts[@]}" kafka.Kafka "$node_dir/server.properties" \
    >"$node_dir/stdout.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if port_open "$port"; then log "ready on 127.0.0.1:$port"; return; fi
    if ! running; then log "the broker exited; see $node_dir/server.log"; tail -n 20 "$node_dir/stdout.log" >&2; exit 1; fi
    sleep 0.5
  done
  log "not listening after 60 s; see $node_dir/server.log"
  exit 1
}

stop() {
  if ! running; then log "not running"; rm -f "$pidfile"; return; fi
  pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pidfile"; log "stopped"; return; fi
    sleep 0.5
  done
  log "did not stop in 30 s; killing"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

status() {
  if running && port_open "$port"; then
    echo "running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
  elif running; then
    echo "starting (pid $(cat "$pidfile")), not yet listening on $port"
    exit 3
  else
    echo "not running"
    exit 3
  fi
}

mkdir -p "$cache"
# One start/stop at a time, even when several test processes ask at once.
exec 9>"$cache/.lock"
flock 9
case "${1:-}" in
  jars) fetch_jars ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|jars" >&2; exit 2 ;;
esac
