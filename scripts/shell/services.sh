#!/usr/bin/env bash
# Local Elasticsearch and Redis for development and tests, without Docker.
#
#   scripts/shell/services.sh up [es|redis]...    start what is not running yet (idempotent)
#   scripts/shell/services.sh down [es|redis]...  stop what this script started
#   scripts/shell/services.sh status
#
# Sourcing it defines the functions (fetch, the Elasticsearch user, node
# start/stop) without running anything: scripts/shell/es_cluster.sh builds on them.
#
# Elasticsearch is the official integration-test distribution from Maven
# Central, fetched once with `mvn` and unpacked into a cache directory outside
# the repository. It refuses to run as root, so as root it runs as the
# dedicated system user $ES_USER. Redis is Debian's redis-server, without
# persistence.
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.9}"
ES_PORT="${ES_PORT:-9200}"
REDIS_PORT="${REDIS_PORT:-6379}"
ES_HEAP="${ES_HEAP:-512m}"
ES_USER="${ES_USER:-autosgraph}"
if [ "$(id -u)" = 0 ]; then
  CACHE_DIR="${AUTOS_GRAPH_CACHE:-/var/cache/autos-graph}"
else
  CACHE_DIR="${AUTOS_GRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/autos-graph}"
fi
ES_HOME="$CACHE_DIR/elasticsearch-$ES_VERSION"
RUN_DIR="$CACHE_DIR/run"
ES_RUN="$RUN_DIR/es-$ES_PORT"
# The filesystem snapshot repository (`autos-graph data snapshot …`) lives under path.repo.
ES_SNAPSHOT_DIR="${ES_SNAPSHOT_DIR:-$CACHE_DIR/snapshots}"
REDIS_RUN="$RUN_DIR/redis-$REDIS_PORT"
ES_URL="http://127.0.0.1:$ES_PORT"

say() { printf '[services] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

es_answers() { curl -sf -m 2 "$ES_URL/_cluster/health" >/dev/null 2>&1; }
redis_answers() { [ "$(timeout 2 redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" = PONG ]; }

java_home() {
  # ES_JAVA_HOME wins; otherwise the JDK of the `java` on PATH.
  if [ -n "${ES_JAVA_HOME:-}" ]; then echo "$ES_JAVA_HOME"; return; fi
  command -v java >/dev/null 2>&1 || die "no JDK found: install a JDK 17 or newer (apt-get install openjdk-17-jdk-headless) or set ES_JAVA_HOME"
  dirname "$(dirname "$(readlink -f "$(command -v java)")")"
}

check_jdk() {
  local home major
  home="$(java_home)"
  [ -x "$home/bin/java" ] || die "ES_JAVA_HOME=$home has no bin/java"
  major="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [ -n "$major" ] && [ "$major" -ge 17 ] || die "Elasticsearch $ES_VERSION needs JDK 17 or newer; $home/bin/java is version '${major:-unknown}'"
}

fetch_es() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Elasticsearch: apt-get install maven"
  command -v unzip >/dev/null 2>&1 || die "unzip is needed to unpack Elasticsearch: apt-get install unzip"
  mkdir -p "$CACHE_DIR/download"
  say "fetching Elasticsearch $ES_VERSION (integration-test distribution) with mvn"
  local started=$SECONDS
  mvn -q -B dependency:copy \
    "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    "-DoutputDirectory=$CACHE_DIR/download" >"$CACHE_DIR/download/mvn.log" 2>&1 \
    || { tail -n 20 "$CACHE_DIR/download/mvn.log" >&2; die "mvn could not fetch Elasticsearch $ES_VERSION"; }
  local zip="$CACHE_DIR/download/elasticsearch-$ES_VERSION.zip"
  rm -rf "$ES_HOME.partial" && mkdir -p "$ES_HOME.partial"
  unzip -q "$zip" -d "$ES_HOME.partial"
  mv "$ES_HOME.partial/elasticsearch-$ES_VERSION" "$ES_HOME" && rm -rf "$ES_HOME.partial"
  say "Elasticsearch $ES_VERSION unpacked in $ES_HOME ($(du -h "$zip" | cut -f1) download, $((SECONDS - started)) s)"
}

ensure_es_user() {
  [ "$(id -u)" = 0 ] || return 0
  id "$ES_USER" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" \
    || die "could not create the user $ES_USER that runs Elasticsearch"
}

as_es_user() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups -- "$@"
  else
    "$@"
  fi
}

# prepare_es_node RUN_DIR: a private config dir and data dir for one node, its
# elasticsearch.yml read from stdin (path.data/path.logs/path.repo are added). Keeping
# them per node leaves the unpacked distribution read-only, so several nodes
# and several checkouts can share it.
prepare_es_node() {
  local run="$1"
  rm -rf "$run/config"
  mkdir -p "$run/config" "$run/data" "$run/logs" "$ES_SNAPSHOT_DIR"
  cp -r "$ES_HOME/config/." "$run/config/"
  { cat; printf 'path.data: %s\npath.logs: %s\npath.repo: %s\n' "$run/data" "$run/logs" "$ES_SNAPSHOT_DIR"; } \
    >"$run/config/elasticsearch.yml"
  [ "$(id -u)" = 0 ] && chown -R "$ES_USER:$ES_USER" "$run" "$ES_SNAPSHOT_DIR"
  chmod -R a+rX "$ES_HOME"
}

# launch_es_node RUN_DIR HEAP: start a prepared node in the background (pid in RUN_DIR/es.pid).
launch_es_node() {
  local run="$1" heap="$2"
  as_es_user env ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$run/config" \
    ES_JAVA_OPTS="-Xms$heap -Xmx$heap" \
    "$ES_HOME/bin/elasticsearch" -d -p "$run/es.pid" \
    >"$run/stdout.log" 2>&1 || { tail -n 30 "$run/stdout.log" >&2; die "Elasticsearch in $run did not start"; }
}

# wait_es_health URL HEALTH_QUERY TIMEOUT RUN_DIR...: until _cluster/health?HEALTH_QUERY answers 200,
# or die with the logs of the nodes in RUN_DIR... when it does not, or when one of them exited.
wait_es_health() {
  local url="$1" query="$2" timeout="$3" run
  shift 3
  local deadline=$((SECONDS + timeout))
  until curl -sf -m 10 "$url/_cluster/health?$query&timeout=5s" >/dev/null 2>&1; do
    local exited=""
    for run in "$@"; do
      if [ -f "$run/es.pid" ] && ! kill -0 "$(cat "$run/es.pid")" 2>/dev/null; then exited="$run"; fi
    done
    if [ $SECONDS -ge $deadline ] || [ -n "$exited" ]; then
      for run in "$@"; do tail -n 30 "$run"/logs/*.log >&2 2>/dev/null || true; done
      die "Elasticsearch on $url did not become healthy ($query)${exited:+; the node in $exited exited}"
    fi
    sleep 1
  done
}

start_es() {
  if es_answers; then
    say "Elasticsearch already answers on $ES_URL"
    curl -sf -m 5 "$ES_URL/_nodes/settings?filter_path=nodes.*.settings.path.repo" | grep -q '"repo"' \
      || say "WARNING: it has no path.repo, so \`autos-graph data snapshot\` cannot work: restart it (make services-down services)"
    return 0
  fi
  check_jdk
  fetch_es
  ensure_es_user
  prepare_es_node "$ES_RUN" <<YML
cluster.name: autos-graph-local
node.name: local-$ES_PORT
network.host: 127.0.0.1
http.port: $ES_PORT
# Its own transport port: left to pick, a second node would take 9301, which the 3-node cluster of
# scripts/shell/es_cluster.sh needs (9301-9303). 9200 keeps Elasticsearch's usual 9300.
transport.port: $((ES_PORT + 100))
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
xpack.security.enabled: false
xpack.security.autoconfiguration.enabled: false
YML
  say "starting Elasticsearch $ES_VERSION on $ES_URL (heap $ES_HEAP)"
  local started=$SECONDS
  launch_es_node "$ES_RUN" "$ES_HEAP"
  wait_es_health "$ES_URL" "wait_for_status=yellow" 180 "$ES_RUN"
  touch "$ES_RUN/started-by-script"
  say "Elasticsearch is up on $ES_URL after $((SECONDS - started)) s"
}

stop_pidfile() {
  local name="$1" pidfile="$2" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop_es() {
  stop_pidfile Elasticsearch "$ES_RUN/es.pid"
  rm -f "$ES_RUN/started-by-script"
}

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's redis-server"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null \
      || die "apt-get could not install redis-server"
  else
    die "redis-server is missing: apt-get install redis-server (or set REDIS_URL to an existing Redis)"
  fi
}

start_redis() {
  ensure_redis
  if redis_answers; then say "Redis already answers on 127.0.0.1:$REDIS_PORT"; return 0; fi
  mkdir -p "$REDIS_RUN"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$REDIS_RUN/redis.pid" --logfile "$REDIS_RUN/redis.log" --dir "$REDIS_RUN" \
    || die "redis-server did not start (see $REDIS_RUN/redis.log)"
  for _ in $(seq 1 50); do redis_answers && break; sleep 0.1; done
  redis_answers || die "Redis on 127.0.0.1:$REDIS_PORT did not answer"
  touch "$REDIS_RUN/started-by-script"
  say "Redis is up on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  stop_pidfile Redis "$REDIS_RUN/redis.pid"
  rm -f "$REDIS_RUN/started-by-script"
}

status() {
  if es_answers; then say "Elasticsearch: up on $ES_URL"; else say "Elasticsearch: down"; fi
  if command -v redis-cli >/dev/null 2>&1 && redis_answers; then say "Redis: up on 127.0.0.1:$REDIS_PORT"; else say "Redis: down"; fi
}

main() {
  local action="${1:-status}"; shift || true
  local targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(es redis)
  case "$action" in
    up) for t in "${targets[@]}"; do "start_$t"; done ;;
    down) for t in "${targets[@]}"; do "stop_$t"; done ;;
    status) status ;;
    fetch) check_jdk; fetch_es ;;
    *) die "usage: $0 up|down|status|fetch [es|redis]..." ;;
  esac
}

# Sourced (scripts/shell/es_cluster.sh does), it only defines the functions above.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
