"""A worker imports what it uses: what only an optional feature needs is imported when it is on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Loaded by OTLP tracing only (the exporter brings protobuf): ~4 MB of every worker otherwise.
TRACING_ONLY = ("opentelemetry.exporter.otlp.proto.http.trace_exporter", "google.protobuf")

BUILD_A_WORKER = """
import json, sys
from graph.asgi import app_factory
app_factory()
print(json.dumps(sorted(sys.modules)))
"""


def modules_of_a_worker(**env: str) -> set[str]:
    """The modules loaded once a worker's app is built, in a fresh interpreter."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    environment.update({"ENVIRONMENT": "production", "LOG_LEVEL": "WARNING", **env})
    done = subprocess.run(
        [sys.executable, "-c", BUILD_A_WORKER],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_worker_without_tracing_loads_no_exporter() -> None:
    loaded = modules_of_a_worker()
    assert "graph.app" in loaded
    assert not loaded & set(TRACING_ONLY)


def test_a_worker_with_tracing_loads_the_exporter() -> None:
    loaded = modules_of_a_worker(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318")
    assert set(TRACING_ONLY) <= loaded
