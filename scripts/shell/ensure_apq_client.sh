#!/usr/bin/env bash
# The packages of tests/apq_client (Apollo Client, graphql-codegen), from its lock file.
set -euo pipefail
exec bash "$(cd "$(dirname "$0")" && pwd)/ensure_node_packages.sh" tests/apq_client
