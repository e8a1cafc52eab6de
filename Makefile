# The developer commands of README.md. Every target installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# npm ci writes this file; it is newer than the lock until the lock changes.
CLIENTS_STAMP := tests/clients/node_modules/.package-lock.json
export ELASTICSEARCH_URL ?= http://127.0.0.1:9200
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install clients image run serve test test-fast test-slow test-tools test-faults lint format services services-down load-sample load-full schema bench bench-infix clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# The real JavaScript clients the suite runs (tests/integration/test_real_clients.py).
clients: $(CLIENTS_STAMP)

$(CLIENTS_STAMP): tests/clients/package.json tests/clients/package-lock.json
	@bash scripts/shell/ensure_node.sh
	cd tests/clients && npm ci --no-audit --no-fund --loglevel=error
	@touch $(CLIENTS_STAMP)

services:
	@bash scripts/shell/services.sh up

services-down:
	@bash scripts/shell/services.sh down

# The API image (docs/image.md): buildah where no Docker engine answers, docker where one does.
image:
	@bash scripts/shell/image.sh build
	@bash scripts/shell/image.sh name

run: install services
	$(BIN)/autos-graph data bootstrap
	$(BIN)/autos-graph serve

serve: install
	$(BIN)/autos-graph serve

# The suite. `make test` (what .ci/run runs) is all of it: the slow tests (3-node cluster kill,
# rolling restart behind HAProxy, thorough fuzzing, soak, memory bound, full-dataset release) and
# the others, as two pytest runs side by side (scripts/shell/run_suite.sh). test-fast leaves the slow
# ones out while working; test-slow runs only them. Tools the tests run are installed here
# (test-tools), never skipped for.
test: install clients test-tools
	@bash scripts/shell/with_services.sh bash scripts/shell/run_suite.sh $(PY)

test-fast: install clients test-tools
	@bash scripts/shell/with_services.sh $(PY) -m pytest -m "not slow"

test-slow: install clients test-tools
	@bash scripts/shell/with_services.sh $(PY) -m pytest -m slow

test-tools:
	@bash scripts/shell/ensure_browser.sh
	@bash scripts/shell/ensure_ops_tools.sh promtool haproxy
	@bash scripts/shell/ensure_apq_client.sh
	@bash scripts/shell/ensure_node_packages.sh tests/federation
	@bash scripts/shell/image.sh tools

# Every fault, fuzzing and soak test, fast and long (a 3-node cluster on 9201-9203 is started and stopped
# by the node-kill test); -s shows the measured numbers ([faults], [fuzz], [soak], [rolling] lines).
# The rolling restart runs two replicas behind Debian's HAProxy.
FAULT_TESTS := tests/integration/test_faults_elasticsearch.py tests/integration/test_faults_redis.py \
	tests/integration/test_faults_double.py tests/integration/test_faults_single_flight.py \
	tests/integration/test_faults_cluster.py tests/integration/test_fuzz_graphql.py \
	tests/integration/test_bad_input.py tests/integration/test_soak.py \
	tests/integration/test_faults_rolling_restart.py tests/integration/test_persisted_flood.py \
	tests/integration/test_security_battery.py tests/integration/test_security_battery_slow_clients.py \
	tests/integration/test_security_battery_dependencies.py
test-faults: install
	@bash scripts/shell/ensure_ops_tools.sh promtool haproxy
	@bash scripts/shell/with_services.sh $(PY) -m pytest -s $(FAULT_TESTS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# New data goes live as a release, whatever is live now (docs/releases.md).
load-sample: install services
	$(BIN)/autos-graph data release --sample

load-full: install services
	$(BIN)/autos-graph data release --full

schema: install
	$(BIN)/autos-graph schema export

# BENCH_ARGS passes options to the harness, e.g. BENCH_ARGS="--duration 2 --modes cold".
bench: install
	@bash scripts/shell/ensure_bench_peers.sh
	@bash scripts/shell/with_services.sh $(PY) -m scripts.bench $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-infix

# What matching inside words costs, on the full dataset in an index of its own (loaded when missing).
bench-infix: install
	@bash scripts/shell/with_services.sh $(PY) scripts/measure_infix.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
