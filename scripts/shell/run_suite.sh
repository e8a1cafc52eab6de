#!/usr/bin/env bash
# The whole suite as `make test` (and CI) runs it: the slow tests (-m slow) and the others at the
# same time, in two pytest processes, so that one's waits (servers starting, timeouts, a cluster
# electing a master) overlap the other's work. Usage: run_suite.sh PYTHON [pytest options]
#
# The two share nothing but the servers: the slow run has its own test indices
# (AUTOS_TEST_INDEX + "-slow") and its own Redis database (SLOW_REDIS_URL, by default
# REDIS_URL's database + 1), so no cached answer, aggregation or rate window of one reaches the
# other. The others print as they run; the slow run's output follows them. Fails if either fails.
set -uo pipefail
py="$1"
shift
redis_url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
db="${redis_url##*/}"
[[ "$db" =~ ^[0-9]+$ ]] || { echo "[suite] ERROR: REDIS_URL must end with a database number: $redis_url" >&2; exit 2; }
slow_redis_url="${SLOW_REDIS_URL:-${redis_url%/*}/$((db + 1))}"
slow_index="${AUTOS_TEST_INDEX:-autos-graph-test}-slow"
log="$(mktemp -t autos-graph-slow-tests.XXXXXX)"

echo "[suite] the slow tests run beside the others (index $slow_index, Redis $slow_redis_url); their output follows" >&2
started=$SECONDS
AUTOS_TEST_INDEX="$slow_index" RELEASE_LOCK_INDEX="$slow_index-locks" REDIS_URL="$slow_redis_url" \
  "$py" -m pytest -m slow -p no:cacheprovider "$@" >"$log" 2>&1 &
slow=$!
# Stopped with the run (an interrupted `make test` leaves no pytest behind).
trap 'kill "$slow" 2>/dev/null; rm -f "$log"' EXIT
"$py" -m pytest -m "not slow" "$@"
others_rc=$?
echo "[suite] the others finished in $((SECONDS - started)) s (exit $others_rc); waiting for the slow tests" >&2
wait "$slow"
slow_rc=$?
echo "==================== the slow tests (-m slow) ===================="
cat "$log"
echo "[suite] the slow tests finished in $((SECONDS - started)) s (exit $slow_rc)" >&2
[ "$others_rc" -eq 0 ] && [ "$slow_rc" -eq 0 ]
