"""The real console script, started as operators start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.conftest import ES_URL
from tests.support.server import served

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


def json_lines(text: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in text.splitlines() if line.startswith("{")]


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


def test_the_old_deployments_es_url_alone_starts_the_service(sample_index: str, tmp_path: Path) -> None:
    log_path = tmp_path / "serve.log"
    with served(
        index=sample_index,
        log_path=log_path,
        unset=("ELASTICSEARCH_URL", "ENVIRONMENT"),
        ES_URL=ES_URL,
        NODE_ENV="test",
    ) as base:
        health = httpx.get(f"{base}/health", timeout=5)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    warnings = [line for line in json_lines(log_path.read_text()) if line["level"] == "warning"]
    [warning] = [line for line in warnings if "ES_URL" in line["message"]]
    assert "ELASTICSEARCH_URL" in warning["message"]
    assert "NODE_ENV as ENVIRONMENT" in warning["message"]


def test_old_and_new_elasticsearch_urls_that_disagree_stop_the_start() -> None:
    result = _run({"ES_URL": "http://127.0.0.1:9", "ELASTICSEARCH_URL": ES_URL, "PORT": str(_closed_port())})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("autos-graph: invalid configuration: ES_URL")
    assert "ELASTICSEARCH_URL" in line
    assert "disagree" in line
