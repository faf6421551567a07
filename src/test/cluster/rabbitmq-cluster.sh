#!/usr/bin/env bash
# A three-node RabbitMQ cluster of the installed rabbitmq-server, for the cluster tests: own node names
# (hubtestN@localhost), AMQP ports 5681-5683, distribution ports 25681-25683, data and logs under
# target/rabbitmq-cluster/. It never touches the RabbitMQ on 5672 (rabbit@localhost).
#
#   rabbitmq-cluster.sh start            start the three nodes (fresh data) and cluster them
#   rabbitmq-cluster.sh stop             stop every node and remove the data
#   rabbitmq-cluster.sh kill N           kill -9 node N
#   rabbitmq-cluster.sh start-node N     start node N again (it rejoins the cluster)
#   rabbitmq-cluster.sh pause N|resume N SIGSTOP / SIGCONT node N (a hung broker)
#   rabbitmq-cluster.sh alarm N|clear N  set node N's memory high watermark tiny (publishers blocked) / back
#   rabbitmq-cluster.sh leader QUEUE     the node number that leads a quorum queue
#   rabbitmq-cluster.sh members QUEUE    how many members a quorum queue has
#   rabbitmq-cluster.sh connections NAME how many client connections of that name the cluster has
#   rabbitmq-cluster.sh addresses        spring.rabbitmq.addresses for the hub
set -euo pipefail

NODES=(1 2 3)
BIN=/usr/lib/rabbitmq/bin
ROOT="${HUB_CLUSTER_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/target/rabbitmq-cluster}"

node_name() { echo "hubtest$1@localhost"; }
amqp_port() { echo $((5680 + $1)); }

# Runs the RabbitMQ scripts as the current user, with node N's own environment.
env_of() {
  local n=$1 dir="$ROOT/node$1"
  echo RABBITMQ_NODENAME="$(node_name "$n")" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(amqp_port "$n")" RABBITMQ_DIST_PORT=$((25680 + n)) \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/pid" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_ENABLED_PLUGINS= RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    ERL_EPMD_ADDRESS=127.0.0.1 HOME="$ROOT"
}

ctl() { local n=$1; shift; env $(env_of "$n") "$BIN/rabbitmqctl" -n "$(node_name "$n")" -q "$@"; }

pid_of() { cat "$ROOT/node$1/pid" 2>/dev/null || true; }

prepare() {
  local n=$1 dir="$ROOT/node$1"
  mkdir -p "$dir/mnesia" "$dir/log"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$(amqp_port "$n")" > "$dir/rabbitmq.conf"
  printf '[].\n' > "$dir/enabled_plugins"
  printf '[].\n' > "$dir/advanced.config"
  : > "$dir/rabbitmq-env.conf"
}

start_node() {
  local n=$1
  prepare "$n"
  env $(env_of "$n") "$BIN/rabbitmq-server" -detached
  for _ in $(seq 1 120); do
    if ctl "$n" await_startup --timeout 1 >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "node $n did not start; see $ROOT/node$n/log" >&2
  return 1
}

stop_all() {
  for n in "${NODES[@]}"; do
    local pid
    pid=$(pid_of "$n")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -CONT "$pid" 2>/dev/null || true
      ctl "$n" stop >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$ROOT"
}

case "${1:-}" in
  start)
    stop_all
    mkdir -p "$ROOT"
    # One Erlang cookie for the three nodes and rabbitmqctl (HOME is the cluster folder).
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$ROOT/.erlang.cookie"
    chmod 400 "$ROOT/.erlang.cookie"
    for n in "${NODES[@]}"; do start_node "$n" & done
    wait
    for n in 2 3; do
      ctl "$n" stop_app
      ctl "$n" join_cluster "$(node_name 1)"
      ctl "$n" start_app
    done
    ;;
  stop) stop_all ;;
  kill) kill -9 "$(pid_of "$2")" ;;
  start-node)
    env $(env_of "$2") "$BIN/rabbitmq-server" -detached
    for _ in $(seq 1 120); do
      ctl "$2" await_startup --timeout 1 >/dev/null 2>&1 && exit 0
      sleep 1
    done
    exit 1
    ;;
  pause) kill -STOP "$(pid_of "$2")" ;;
  resume) kill -CONT "$(pid_of "$2")" ;;
  alarm) ctl "$2" set_vm_memory_high_watermark absolute 1 ;;
  clear) ctl "$2" set_vm_memory_high_watermark 0.4 ;;
  leader)
    for n in "${NODES[@]}"; do
      if leader=$(ctl "$n" list_queues name leader --no-table-headers 2>/dev/null | awk -v q="$2" '$1 == q { print $2 }'); then
        [ -n "$leader" ] && { echo "${leader#hubtest}" | cut -d@ -f1; exit 0; }
      fi
    done
    exit 1
    ;;
  members)
    for n in "${NODES[@]}"; do
      if line=$(ctl "$n" list_queues name members --no-table-headers 2>/dev/null | awk -v q="$2" '$1 == q'); then
        [ -n "$line" ] && { echo "$line" | grep -o 'hubtest[0-9]@' | wc -l; exit 0; }
      fi
    done
    exit 1
    ;;
  connections)
    for n in "${NODES[@]}"; do
      if out=$(ctl "$n" list_connections client_properties --no-table-headers 2>/dev/null); then
        echo "$out" | grep -c -- "$2" || true
        exit 0
      fi
    done
    exit 1
    ;;
  addresses) echo "127.0.0.1:5681,127.0.0.1:5682,127.0.0.1:5683" ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
