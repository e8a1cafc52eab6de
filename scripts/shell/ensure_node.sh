#!/usr/bin/env bash
# Node.js and npm for the real-client tests (tests/clients): Debian's packages when missing.
set -euo pipefail
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[node] installing Debian's nodejs and npm" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
    || { echo "[node] ERROR: apt-get could not install nodejs and npm" >&2; exit 1; }
else
  echo "[node] ERROR: node and npm are missing: apt-get install nodejs npm" >&2
  exit 1
fi
