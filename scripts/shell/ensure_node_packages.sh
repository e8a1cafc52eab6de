#!/usr/bin/env bash
# The Node packages of one test folder (tests/apq_client, tests/federation), installed from its
# lock file with `npm ci` when the lock changes; Node itself comes from ensure_node.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/ensure_node.sh"
cd "$here/../../$1"
stamp=node_modules/.installed-from-lock
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
