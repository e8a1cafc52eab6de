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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from tests.conftest import ES_URL, REDIS_URL

BIN = Path(sys.executable).parent / "autos-graph"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServedProcess:
    """One `autos-graph serve` process that a test starts, signals and restarts on the same port."""

    def __init__(
        self,
        *,
        index: str,
        log_path: Path,
        port: int | None = None,
        unset: tuple[str, ...] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        environment = {
            **os.environ,
            "ELASTICSEARCH_URL": ES_URL,
            "REDIS_URL": REDIS_URL,
            "ES_INDEX": index,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "ENVIRONMENT": "test",
            # Suites send thousands of requests from one address; the limiter and the cost budget
            # have tests of their own.
            "RATE_LIMIT_PER_MINUTE": "0",
            "COST_BUDGET_PER_MINUTE": "0",
            "ACCESS_LOG": "false",
            "LOG_LEVEL": "WARNING",
            # Nothing balances load in front of these: stopping need not wait for health checks.
            "SHUTDOWN_DELAY_SECONDS": "0",
            **(env or {}),
        }
        for name in unset:
            environment.pop(name, None)
        self._environment = environment
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process (its output appended to the log) and wait until it is live."""
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [str(BIN), "serve"], env=self._environment, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, f"the server exited:\n{self.log_path.read_text()[-3000:]}"
            try:
                if httpx.get(f"{self.base_url}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (
                f"the server did not start:\n{self.log_path.read_text()[-3000:]}"
            )
            time.sleep(0.2)

    def stop(self, *, timeout: float = 20) -> int:
        """SIGTERM, as Kubernetes stops a pod; SIGKILL only past the timeout. The exit code."""
        assert self.process is not None
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@contextmanager
def served(*, index: str, log_path: Path, unset: tuple[str, ...] = (), **env: str) -> Iterator[str]:
    """The base URL of a server on the given index; `env` overrides its environment, `unset` removes names."""
    server = ServedProcess(index=index, log_path=log_path, unset=unset, env=env)
    log_path.write_text("")
    try:
        server.start()
        yield server.base_url
    finally:
        if server.process is not None and server.process.poll() is None:
            with suppress(subprocess.TimeoutExpired):
                server.stop()


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
