"""The real console script, started as operators start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "autos-graph"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "serve"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_unreachable_elasticsearch_exits_non_zero_with_a_clear_line() -> None:
    port = _closed_port()
    started = time.monotonic()
    result = _run(
        {
            "ELASTICSEARCH_URL": f"http://127.0.0.1:{port}",
            "ES_STARTUP_TIMEOUT_SECONDS": "2",
            "PORT": str(_closed_port()),
        }
    )
    assert result.returncode != 0
    assert time.monotonic() - started < 30
    assert f"cannot reach Elasticsearch at http://127.0.0.1:{port}" in result.stdout


def test_bad_configuration_stops_the_process_with_one_line() -> None:
    result = _run({"PORT": "not-a-port"}, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("autos-graph: invalid configuration: PORT")
