#!/usr/bin/env bash
# Headless Chromium for the GraphiQL browser test: Debian's package, never a
# browser build downloaded by a test tool.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[browser] installing Debian's chromium" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || { echo "[browser] ERROR: apt-get could not install chromium" >&2; exit 1; }
else
  echo "[browser] ERROR: chromium is missing: apt-get install chromium" >&2
  exit 1
fi
