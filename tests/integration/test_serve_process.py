"""`autos-graph serve` as operators run it: SIGTERM drains, several workers share one /metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ES_URL, REDIS_URL, TEST_INDEX

BIN = Path(sys.executable).parent / "autos-graph"
QUERY = b'{"query": "query Drain { __typename }"}'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(**env: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN), "serve"],
        env={
            **os.environ,
            "ELASTICSEARCH_URL": ES_URL,
            "REDIS_URL": REDIS_URL,
            "ES_INDEX": TEST_INDEX,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "RATE_LIMIT_PER_MINUTE": "0",
            "COST_BUDGET_PER_MINUTE": "0",
            "ENVIRONMENT": "test",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.1)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_sigterm_drains_the_request_in_flight_then_exits_zero() -> None:
    # No readiness delay here: this test is about uvicorn's own drain once it stops accepting.
    with serving(WORKERS="1", SHUTDOWN_DELAY_SECONDS="0") as (process, port):
        # A request whose body is still arriving is in flight: the server must finish it.
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        head = (
            "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(QUERY)}\r\n\r\n"
        ).encode()
        connection.sendall(head + QUERY[:10])
        time.sleep(0.3)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        # Stopped accepting: a new connection is refused while the old one is served.
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            refused = False
        except OSError:
            refused = True
        connection.sendall(QUERY[10:])
        received = b""
        while chunk := connection.recv(65536):  # the server closes once it has answered
            received += chunk
        connection.close()
        response = received.decode()
        output, _ = process.communicate(timeout=25)
        took = time.monotonic() - started
    assert response.startswith("HTTP/1.1 200"), response
    assert '"__typename":"Query"' in response
    assert refused
    assert process.returncode == 0, output
    assert took < 20  # inside the drain bound, itself inside Kubernetes' 30 s grace period
    assert '"message":"stopped"' in output


DRAIN_DELAY_SECONDS = 5


def test_sigterm_turns_readiness_503_while_requests_are_still_served() -> None:
    # The delay leaves 5x and more the time the probes and the request below take on a loaded machine.
    with serving(WORKERS="1", SHUTDOWN_DELAY_SECONDS=str(DRAIN_DELAY_SECONDS)) as (process, port):
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/health/ready", timeout=5).status_code == 200
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        ready = httpx.get(f"{base}/health/ready", timeout=5)
        health = httpx.get(f"{base}/health", timeout=5)
        live = httpx.get(f"{base}/health/live", timeout=5)
        # Load balancers take it out of rotation; whatever still reaches it is answered.
        answered = httpx.post(f"{base}/graphql", content=QUERY, headers={"content-type": "application/json"})
        output, _ = process.communicate(timeout=25)
        took = time.monotonic() - started
    assert ready.status_code == 503
    assert ready.json()["status"] == "draining"
    assert health.status_code == 503
    assert live.status_code == 200
    assert answered.status_code == 200
    assert process.returncode == 0, output
    assert DRAIN_DELAY_SECONDS <= took < 20
    assert '"message":"draining: readiness is 503, stopping after the delay"' in output


def _requests_total(text: str, operation: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "autos_graph_http_requests_total" and sample.labels["operation"] == operation:
                total += sample.value
    return total


def test_two_workers_report_one_set_of_metrics(tmp_path: Path) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_999999.db").write_bytes(b"stale")  # a previous run's file
    with serving(WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(directory)) as (process, port):

        def pids() -> set[str]:
            return {path.stem.rsplit("_", 1)[-1] for path in directory.glob("*.db")} - {"999999"}

        # A fresh connection each time, so the kernel spreads them over both workers; on a loaded
        # machine one worker may take a run of them, so send until both have counted one (each
        # worker's first count writes its file), not a fixed number.
        sent = 0
        while sent < 12 or (len(pids()) < 3 and sent < 500):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                assert client.post("/graphql", json={"query": "query Spread { __typename }"}).is_success
            sent += 1
        scrapes = []
        for _ in range(4):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                scrapes.append(_requests_total(client.get("/metrics").text, "Spread"))
        seen = pids()
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=25)
    assert not (directory / "counter_999999.db").exists()  # the previous run's file was cleared
    assert len(seen) >= 3  # the supervisor and both workers
    # Whichever worker answers the scrape, it reports every worker's requests.
    assert scrapes == [float(sent)] * 4
    assert process.returncode == 0
