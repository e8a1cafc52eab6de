#!/usr/bin/env bash
# The operations tools the tests run: promtool (Debian's `prometheus` package) checks and
# unit-tests the alert rules; haproxy balances the replicas of the rolling-restart test.
# Usage: ensure_ops_tools.sh promtool [haproxy]
#
# Installed with apt-get (as root) without starting their services: the packages ship a
# Prometheus server and an HAProxy daemon, and a test machine must not be left running either.
set -euo pipefail
declare -A PACKAGE=([promtool]=prometheus [haproxy]=haproxy)
missing=()
for tool in "$@"; do
  [ -n "${PACKAGE[$tool]:-}" ] || { echo "[ops-tools] ERROR: unknown tool $tool" >&2; exit 2; }
  PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[ops-tools] ERROR: missing ${missing[*]}: run as root, or apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "[ops-tools] installing Debian's ${missing[*]} (services not started)" >&2
# policy-rc.d answering 101 tells invoke-rc.d and deb-systemd-invoke not to start services.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  added_policy=true
fi
cleanup() { if [ "$added_policy" = true ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "[ops-tools] ERROR: apt-get could not install ${missing[*]}" >&2; exit 1; }
