#!/usr/bin/env bash
# A local 3-node Elasticsearch cluster for fault tests, beside (never instead of)
# the single node of scripts/shell/services.sh.
#
#   scripts/shell/es_cluster.sh up       start the three nodes, create the index, load the sample (idempotent)
#   scripts/shell/es_cluster.sh down     stop the nodes this script started
#   scripts/shell/es_cluster.sh status
#   scripts/shell/es_cluster.sh urls     the nodes' URLs, comma-separated, as ELASTICSEARCH_URL takes them
#   scripts/shell/es_cluster.sh pid N    the process id of node N (1-3), for a test to kill
#
# Nodes: HTTP 9201-9203, transport 9301-9303, all master-eligible data nodes,
# heap ES_CLUSTER_HEAP (320m) each. The index (ES_CLUSTER_INDEX, default
# autos-cluster) has 3 shards and 1 replica, so any one node can die without
# losing a shard. Fetching, unpacking and the Elasticsearch user are
# scripts/shell/services.sh's, sourced here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/shell/services.sh
source "$here/services.sh"

CLUSTER_NAME="autos-graph-faults"
HTTP_PORTS=(9201 9202 9203)
TRANSPORT_PORTS=(9301 9302 9303)
ES_CLUSTER_HEAP="${ES_CLUSTER_HEAP:-320m}"
ES_CLUSTER_INDEX="${ES_CLUSTER_INDEX:-autos-cluster}"
PY="${PY:-$here/../../.venv/bin/python}"

node_run() { echo "$RUN_DIR/es-cluster-${HTTP_PORTS[$1]}"; }
node_url() { echo "http://127.0.0.1:${HTTP_PORTS[$1]}"; }
cluster_urls() { local IFS=,; local urls=(); for i in 0 1 2; do urls+=("$(node_url "$i")"); done; echo "${urls[*]}"; }
node_answers() { curl -sf -m 2 "$(node_url "$1")/_cluster/health" >/dev/null 2>&1; }

start_node() {
  local i="$1" run
  run="$(node_run "$i")"
  if node_answers "$i"; then say "cluster node $((i + 1)) already answers on $(node_url "$i")"; return 0; fi
  # A node killed by a test leaves its data; reusing it lets the node rejoin as the same node.
  prepare_es_node "$run" <<YML
cluster.name: $CLUSTER_NAME
node.name: faults-$((i + 1))
network.host: 127.0.0.1
http.port: ${HTTP_PORTS[$i]}
transport.port: ${TRANSPORT_PORTS[$i]}
discovery.seed_hosts: ["127.0.0.1:${TRANSPORT_PORTS[0]}", "127.0.0.1:${TRANSPORT_PORTS[1]}", "127.0.0.1:${TRANSPORT_PORTS[2]}"]
cluster.initial_master_nodes: ["faults-1", "faults-2", "faults-3"]
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
xpack.security.enabled: false
xpack.security.autoconfiguration.enabled: false
YML
  launch_es_node "$run" "$ES_CLUSTER_HEAP"
  touch "$run/started-by-script"
}

cluster_up() {
  check_jdk
  fetch_es
  ensure_es_user
  local started=$SECONDS
  say "starting a 3-node cluster on $(cluster_urls) (heap $ES_CLUSTER_HEAP each)"
  for i in 0 1 2; do start_node "$i"; done
  wait_es_health "$(node_url 0)" "wait_for_nodes=3&wait_for_status=yellow" 240 \
    "$(node_run 0)" "$(node_run 1)" "$(node_run 2)"
  say "cluster formed after $((SECONDS - started)) s; loading the index $ES_CLUSTER_INDEX"
  [ -x "$PY" ] || die "no Python at $PY: run make install first"
  (cd "$here/../.." && "$PY" -m scripts.es_cluster_index --url "$(cluster_urls)" --alias "$ES_CLUSTER_INDEX")
  wait_es_health "$(node_url 0)" "wait_for_status=green" 120 "$(node_run 0)" "$(node_run 1)" "$(node_run 2)"
  say "cluster green after $((SECONDS - started)) s: ELASTICSEARCH_URL=$(cluster_urls) ES_INDEX=$ES_CLUSTER_INDEX"
}

cluster_down() {
  for i in 0 1 2; do
    stop_pidfile "cluster node $((i + 1))" "$(node_run "$i")/es.pid"
    rm -f "$(node_run "$i")/started-by-script"
  done
}

cluster_status() {
  for i in 0 1 2; do
    if node_answers "$i"; then say "node $((i + 1)): up on $(node_url "$i")"; else say "node $((i + 1)): down"; fi
  done
  curl -s -m 2 "$(node_url 0)/_cat/health?v" >&2 2>/dev/null || true
}

node_pid() {
  local n="${1:?node number 1-3}"
  [[ "$n" =~ ^[1-3]$ ]] || die "node number must be 1, 2 or 3"
  cat "$(node_run $((n - 1)))/es.pid"
}

case "${1:-status}" in
  up) cluster_up ;;
  down) cluster_down ;;
  status) cluster_status ;;
  urls) cluster_urls ;;
  pid) node_pid "${2:-}" ;;
  *) die "usage: $0 up|down|status|urls|pid N" ;;
esac
