"""`autos-graph serve` in a subprocess on a free loopback port, as operators run it.

For tests that want the real HTTP stack (uvicorn's parser, its handling of
bad bytes) or a synchronous client (hypothesis' @given runs synchronous tests).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import ES_URL, REDIS_URL

BIN = Path(sys.executable).parent / "autos-graph"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(*, index: str, log_path: Path, unset: tuple[str, ...] = (), **env: str) -> Iterator[str]:
    """The base URL of a server on the given index; `env` overrides its environment, `unset` removes names."""
    port = free_port()
    environment = {
        **os.environ,
        "ELASTICSEARCH_URL": ES_URL,
        "REDIS_URL": REDIS_URL,
        "ES_INDEX": index,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "ENVIRONMENT": "test",
        # Suites send thousands of requests from one address; the limiter has tests of its own.
        "RATE_LIMIT_PER_MINUTE": "0",
        "ACCESS_LOG": "false",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    for name in unset:
        environment.pop(name, None)
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen([str(BIN), "serve"], env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"the server exited:\n{log_path.read_text()[-3000:]}"
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"the server did not start:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Text that must never reach a client: a Python traceback or Elasticsearch's own error names.
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "parse_exception",
    "search_phase_execution_exception",
    "x_content_parse_exception",
    "query_shard_exception",
    "illegal_argument_exception",
    "elastic_transport",
)


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [marker for marker in LEAK_MARKERS if marker.lower() in lowered]
