#!/usr/bin/env bash
# One Apache Kafka node (KRaft: broker + controller) on 127.0.0.1 for development and tests.
#   deploy/kafka/kafka.sh start|stop|status|jars (jars: only fetch them, for deploy/kafka/Containerfile)
# KAFKA_PORT (default 9092) is the client port; the controller listens on KAFKA_CONTROLLER_PORT
# (default KAFKA_PORT + 1). Jars come from Maven Central once, into deploy/kafka/.cache/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="$here/.cache"
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
node_dir="$cache/node-$port"
jars="$cache/jars"
pidfile="$node_dir/kafka.pid"

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
  cat > "$node_dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$node_dir/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
}

java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -Dkafka.logs.dir="$node_dir"
  -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$jars/*")

run_java() { java "${java_opts[@]}" "$@"; }

start() {
  if running; then log "already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
  if port_open "$port"; then log "port $port is taken by another process; set KAFKA_PORT"; exit 1; fi
  fetch_jars
  write_config
  if [ ! -f "$node_dir/data/meta.properties" ]; then
    cluster_id=$(run_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    run_java kafka.tools.StorageTool format -t "$cluster_id" -c "$node_dir/server.properties" --standalone >/dev/null
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
