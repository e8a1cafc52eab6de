"""A rolling restart behind a real load balancer loses no request.

Two replicas (`autos-graph serve`, as operators run it) sit behind HAProxy, which
health-checks `/health/ready`. Under steady GraphQL and REST traffic each replica
is restarted in turn as Kubernetes does it: SIGTERM; readiness turns 503 and
HAProxy takes the replica out; a request already in flight on it still gets its
answer; the process exits 0; a new one starts on the same port and HAProxy puts
it back. The test passes only if no request failed. The measured timings are
printed as `[rolling]` lines (`make test-faults` shows them; docs/runbook.md
quotes them).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.haproxy import HAProxy, load_balancer
from tests.support.server import ServedProcess

# Longer than HAProxy needs to see two failed checks (2 x 500 ms), with room for a loaded machine.
SHUTDOWN_DELAY_SECONDS = 3
CLIENTS = 4
GRAPHQL = {
    "query": "query Steady($first: Int) { vehicles(first: $first) { totalCount nodes { id model } } }",
    "operationName": "Steady",
}
SLOW_BODY = b'{"query": "query InFlight { vehicles(first: 1) { totalCount } }"}'


@dataclass
class Traffic:
    """Clients sending GraphQL and REST requests through the load balancer until told to stop."""

    base_url: str
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ok: int = 0
    failures: list[str] = field(default_factory=list)

    def run(self, client_number: int) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            sent = 0
            while not self.stop.is_set():
                sent += 1
                try:
                    if sent % 2:
                        response = client.post(
                            "/graphql",
                            json={**GRAPHQL, "variables": {"first": 1 + (sent + client_number) % 20}},
                        )
                        good = response.status_code == 200 and "errors" not in response.json()
                    else:
                        page = 1 + (sent + client_number) % 40
                        response = client.get("/api/v1/vehicles/details", params={"page": page, "size": 5})
                        good = response.status_code == 200 and len(response.json()["results"]) == 5
                    outcome = (
                        ""
                        if good
                        else f"{response.request.method} {response.status_code}: {response.text[:200]}"
                    )
                except httpx.HTTPError as error:
                    outcome = f"{type(error).__name__}: {error}"
                with self.lock:
                    if outcome:
                        self.failures.append(outcome)
                    else:
                        self.ok += 1
                time.sleep(0.01)


def _start_in_flight_request(port: int) -> socket.socket:
    """A GraphQL request whose body is still arriving: in flight until the test sends the rest."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /graphql HTTP/1.1\r\nHost: replica\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(SLOW_BODY)}\r\n\r\n"
    ).encode()
    connection.sendall(head + SLOW_BODY[:10])
    return connection


def _finish_in_flight_request(connection: socket.socket) -> str:
    connection.sendall(SLOW_BODY[10:])
    received = b""
    while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
    connection.close()
    return received.decode()


def _ready_status(replica: ServedProcess) -> int | None:
    try:
        return httpx.get(f"{replica.base_url}/health/ready", timeout=2).status_code
    except httpx.TransportError:
        return None


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _restart(balancer: HAProxy, name: str, replica: ServedProcess) -> dict[str, float]:
    """Restart one replica as Kubernetes does; the moments each step was seen, from SIGTERM."""
    assert replica.process is not None
    in_flight = _start_in_flight_request(replica.port)
    time.sleep(0.2)
    started = time.monotonic()
    replica.process.terminate()  # SIGTERM
    timings: dict[str, float] = {}
    while _ready_status(replica) != 503:
        assert time.monotonic() - started < 5, "readiness did not turn 503"
        time.sleep(0.02)
    timings["readiness 503"] = time.monotonic() - started
    balancer.wait_for(name, "DOWN", timeout=10)
    timings["out of the load balancer"] = time.monotonic() - started
    while _accepts(replica.port):
        assert time.monotonic() - started < SHUTDOWN_DELAY_SECONDS + 5, "the replica kept accepting"
        time.sleep(0.02)
    timings["stops accepting"] = time.monotonic() - started
    # The request that was in flight when the replica stopped accepting is still answered.
    answer = _finish_in_flight_request(in_flight)
    assert answer.startswith("HTTP/1.1 200"), answer
    assert '"totalCount"' in answer
    timings["in-flight request answered"] = time.monotonic() - started
    exit_code = replica.process.wait(timeout=25)
    assert exit_code == 0, replica.log_path.read_text()[-3000:]
    timings["process exited"] = time.monotonic() - started
    replica.start()
    timings["new process live"] = time.monotonic() - started
    balancer.wait_for(name, "UP", timeout=30)
    timings["back in the load balancer"] = time.monotonic() - started
    return timings


# About 40 s on a loaded 2-core machine (two restarts, each a fresh process start): not in the fast suite.
@pytest.mark.slow
def test_a_rolling_restart_behind_haproxy_fails_no_request(sample_index: str, tmp_path: Path) -> None:
    environment = {"SHUTDOWN_DELAY_SECONDS": str(SHUTDOWN_DELAY_SECONDS), "LOG_LEVEL": "INFO"}
    replicas = [
        ServedProcess(index=sample_index, log_path=tmp_path / f"replica{n}.log", env=environment)
        for n in (1, 2)
    ]
    try:
        for replica in replicas:
            replica.start()
        with load_balancer(workdir=tmp_path, replicas=[r.port for r in replicas]) as balancer:
            for name in balancer.names:
                balancer.wait_for(name, "UP")
            traffic = Traffic(balancer.base_url)
            clients = [threading.Thread(target=traffic.run, args=(n,)) for n in range(CLIENTS)]
            for client in clients:
                client.start()
            try:
                time.sleep(1)  # steady state first
                served_before = traffic.ok
                all_timings = []
                for name, replica in zip(balancer.names, replicas, strict=True):
                    all_timings.append(_restart(balancer, name, replica))
                    time.sleep(0.5)
            finally:
                traffic.stop.set()
                for client in clients:
                    client.join(timeout=30)
            assert set(balancer.states().values()) == {"UP"}
    finally:
        for replica in replicas:
            if replica.process is not None and replica.process.poll() is None:
                replica.stop()
    for name, timings in zip(("replica1", "replica2"), all_timings, strict=True):
        steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in timings.items())
        print(f"[rolling] {name}: {steps}")
    print(f"[rolling] {traffic.ok} requests answered, {len(traffic.failures)} failed")
    assert served_before > 0
    assert traffic.failures == []
    assert traffic.ok > served_before + 100  # traffic kept flowing through both restarts
    for replica in replicas:
        assert (
            '"message":"draining: readiness is 503, stopping after the delay"' in replica.log_path.read_text()
        )
