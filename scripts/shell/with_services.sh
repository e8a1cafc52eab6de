#!/usr/bin/env bash
# Run a command with local Elasticsearch and Redis up, and afterwards stop
# exactly the services this run started (a developer's own stay up).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
started=()
if ! curl -sf -m 2 "http://127.0.0.1:${ES_PORT:-9200}/_cluster/health" >/dev/null 2>&1; then
  started+=(es)
fi
if ! { command -v redis-cli >/dev/null 2>&1 && [ "$(timeout 2 redis-cli -p "${REDIS_PORT:-6379}" ping 2>/dev/null)" = PONG ]; }; then
  started+=(redis)
fi
stop_started() {
  [ ${#started[@]} -eq 0 ] || bash "$here/services.sh" down "${started[@]}"
}
trap stop_started EXIT
service_start=$SECONDS
bash "$here/services.sh" up || exit 1
echo "[services] ready in $((SECONDS - service_start)) s" >&2
"$@"
