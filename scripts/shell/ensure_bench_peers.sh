#!/usr/bin/env bash
# The bench's peers (scripts/bench/peers/): Node.js 20 or newer and wrk from the
# machine's packages, then the peers' locked npm dependencies with `npm ci`.
set -euo pipefail
peers="$(cd "$(dirname "$0")/../bench/peers" && pwd)"
say() { echo "[bench-peers] $*" >&2; }

install_packages() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $* with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
      || { say "ERROR: apt-get could not install $*"; exit 1; }
  else
    say "ERROR: $* missing: apt-get install $*"
    exit 1
  fi
}

command -v wrk >/dev/null 2>&1 || install_packages wrk
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  install_packages nodejs npm
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  say "ERROR: Node.js $(node --version) is too old for Apollo Server 5; install Node.js 20 or newer"
  exit 1
fi

stamp="$peers/node_modules/.ci-stamp"
if [ ! -f "$stamp" ] || [ "$peers/package-lock.json" -nt "$stamp" ] || [ "$peers/package.json" -nt "$stamp" ]; then
  say "npm ci in scripts/bench/peers"
  (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
