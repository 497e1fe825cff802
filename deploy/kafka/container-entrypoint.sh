#!/usr/bin/env bash
# The broker of deploy/kafka/Containerfile: server.properties from the KAFKA_* variables the
# official apache/kafka image reads (KAFKA_LOG_DIRS → log.dirs), storage formatted on first start.
set -euo pipefail
props=/etc/kafka/server.properties
: >"$props"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_CLUSTER_ID) ;;
    KAFKA_*)
      key=${name#KAFKA_}
      key=${key,,}
      echo "${key//_/.}=$value" >>"$props"
      ;;
  esac
done < <(env)
java_opts=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC
  -Dlog4j2.configurationFile=/etc/kafka/log4j2.properties -Dkafka.logs.dir=/tmp -cp '/opt/kafka/libs/*')
log_dir=$(sed -n 's/^log\.dirs=//p' "$props")
if [ ! -f "${log_dir:-/tmp/kafka-logs}/meta.properties" ]; then
  cluster_id=${KAFKA_CLUSTER_ID:-$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid | tail -n 1)}
  java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >/dev/null
fi
exec java "${java_opts[@]}" kafka.Kafka "$props"
