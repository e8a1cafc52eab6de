#!/usr/bin/env bash
# Node and the packages of tests/apq_client (Apollo Client, graphql-codegen), installed
# from its lock file with `npm ci`; Node itself is Debian's package when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../../tests/apq_client"
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[apq-client] installing Debian's nodejs and npm" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
      || { echo "[apq-client] ERROR: apt-get could not install nodejs and npm" >&2; exit 1; }
  else
    echo "[apq-client] ERROR: node and npm are missing: apt-get install nodejs npm" >&2
    exit 1
  fi
fi
stamp=node_modules/.installed-from-lock
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
