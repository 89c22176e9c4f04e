#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft) on loopback, without Docker: the jars come from Maven
# Central through `mvn` (cached in .kafka/libs), the broker runs as a plain java process.
#
#   scripts/kafka.sh start [--port 9092] [--dir .kafka/run-9092] [--fresh] [--config key=value ...]
#   scripts/kafka.sh stop  [--port 9092] [--dir ...]
#   scripts/kafka.sh status [--port 9092] [--dir ...]
#   scripts/kafka.sh fetch            (only download the jars)
#   scripts/kafka.sh classpath        (print the classpath, for Kafka's own tools)
#   scripts/kafka.sh consume --topic event_logs [--port 9092] [--max 10] [--follow]
#                                     (print key, headers and value of the topic's records;
#                                     ends 10 s after the last one, or with --follow when killed)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${KAFKA_CACHE_DIR:-$root/.kafka}"
libs="$cache/libs"
pom="$root/scripts/kafka/pom.xml"
log4j="$root/scripts/kafka/log4j2.properties"
tools_log4j="$root/scripts/kafka/tools-log4j2.properties"
start_timeout="${KAFKA_START_TIMEOUT:-90}"

die() { echo "kafka.sh: $*" >&2; exit 1; }

command="${1:-}"
[ -n "$command" ] || die "usage: kafka.sh start|stop|status|fetch|classpath|consume [--port N] [--dir D] [--fresh] [--config k=v] [--topic T] [--max N] [--follow]"
shift

port="${KAFKA_PORT:-9092}"
dir=""
fresh=0
topic=""
max_messages=""
follow=0
extra_config=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="${2:?--port needs a value}"; shift 2 ;;
    --dir) dir="${2:?--dir needs a value}"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --topic) topic="${2:?--topic needs a value}"; shift 2 ;;
    --max) max_messages="${2:?--max needs a value}"; shift 2 ;;
    --follow) follow=1; shift ;;
    --config) extra_config+=("${2:?--config needs key=value}"); shift 2 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65534 ] || die "--port must be 1..65534, got '$port'"
controller_port=$((port + 1))
dir="${dir:-$cache/run-$port}"
pidfile="$dir/broker.pid"

fetch() {
  # The pom's hash names the download, so a version bump fetches again; flock keeps parallel
  # test runs from downloading into the same folder at once.
  local stamp
  stamp="$(sha256sum "$pom" | cut -c1-16)"
  mkdir -p "$cache"
  exec 9>"$cache/.fetch.lock"
  flock 9
  if [ ! -f "$libs/.complete-$stamp" ]; then
    echo "kafka.sh: downloading Apache Kafka jars with Maven into $libs" >&2
    rm -rf "$libs"
    mvn -q -B -f "$pom" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime >&2 ||
      die "mvn could not download the Kafka jars (is Maven Central reachable?)"
    touch "$libs/.complete-$stamp"
  fi
  flock -u 9
}

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  command -v java >/dev/null || die "java (17+) is required"
  fetch
  if pid="$(running_pid)"; then
    echo "kafka.sh: broker already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  [ "$fresh" = 1 ] && rm -rf "$dir"
  mkdir -p "$dir"
  local props="$dir/server.properties"
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  local kv
  for kv in "${extra_config[@]+"${extra_config[@]}"}"; do
    echo "$kv" >>"$props"
  done

  local java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$log4j" -cp "$libs/*")
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" \
      >"$dir/format.log" 2>&1 || die "formatting the KRaft store failed, see $dir/format.log"
  fi

  : >"$dir/broker.log"
  nohup java "${java_opts[@]}" kafka.Kafka "$props" >>"$dir/broker.log" 2>&1 &
  echo $! >"$pidfile"

  local deadline=$((SECONDS + start_timeout))
  until grep -q "Kafka Server started" "$dir/broker.log"; do
    if ! running_pid >/dev/null; then
      tail -n 30 "$dir/broker.log" >&2
      die "broker exited during start, see $dir/broker.log"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      stop
      die "broker did not start within ${start_timeout}s, see $dir/broker.log"
    fi
    sleep 0.3
  done
  echo "kafka.sh: broker up on 127.0.0.1:$port (pid $(cat "$pidfile"), data in $dir)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
  echo "kafka.sh: broker on 127.0.0.1:$port stopped"
}

consume() {
  [ -n "$topic" ] || die "consume needs --topic"
  fetch
  local options=()
  [ -n "$max_messages" ] && options=(--max-messages "$max_messages")
  [ "$follow" = 1 ] || options+=(--timeout-ms 10000)
  exec java -Xmx256m "-Dlog4j2.configurationFile=$tools_log4j" -cp "$libs/*" \
    org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "127.0.0.1:$port" \
    --topic "$topic" --from-beginning "${options[@]+"${options[@]}"}" \
    --formatter-property print.key=true --formatter-property print.headers=true
}

case "$command" in
  start) start ;;
  consume) consume ;;
  stop) stop ;;
  status)
    if pid="$(running_pid)"; then echo "running (pid $pid) on 127.0.0.1:$port"; else echo "stopped"; exit 3; fi
    ;;
  fetch) fetch ;;
  classpath) fetch; echo "$libs/*" ;;
  *) die "unknown command '$command' (start|stop|status|fetch|classpath|consume)" ;;
esac
