"""A real HAProxy (Debian's `haproxy`) in front of served replicas, on free loopback ports.

It health-checks every replica on `/health/ready`, as a Kubernetes Service's
endpoints follow the readiness probe, and its admin socket tells a test which
replicas it currently considers up.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import free_port

# Checks every 500 ms; two failures take a replica out, two successes put it back.
CHECK_INTERVAL_MS = 500
FALL = 2
RISE = 2

CONFIG = """\
global
    maxconn 512
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A WebSocket (a subscription) is a tunnel once upgraded: this, not client/server, bounds its
    # idleness; uvicorn pings every 20 s. SSE streams stay under `timeout server` with their
    # 15 s keepalive comments (docs/subscriptions.md).
    timeout tunnel 1h
    # A replica that refused the connection never saw the request: try another one.
    retries 3
    option redispatch
    retry-on conn-failure

frontend api
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter {inter}ms fastinter {inter}ms downinter {inter}ms fall {fall} rise {rise}
{servers}
"""


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next(
        (path for path in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(path).exists()), None
    )
    assert found, "haproxy is not installed; `make test` installs it (apt-get install haproxy)"
    return found


class HAProxy:
    def __init__(self, *, workdir: Path, replicas: Sequence[int]) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.socket_path = workdir / "haproxy.sock"
        self.config_path = workdir / "haproxy.cfg"
        self.log_path = workdir / "haproxy.log"
        self.names = [f"replica{index}" for index in range(1, len(replicas) + 1)]
        servers = "\n".join(
            f"    server {name} 127.0.0.1:{port} check"
            for name, port in zip(self.names, replicas, strict=True)
        )
        self.config_path.write_text(
            CONFIG.format(
                socket=self.socket_path,
                port=self.port,
                inter=CHECK_INTERVAL_MS,
                fall=FALL,
                rise=RISE,
                servers=servers,
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = haproxy_binary()
        check = subprocess.run([binary, "-c", "-f", str(self.config_path)], capture_output=True, check=False)
        assert check.returncode == 0, check.stderr.decode()
        with self.log_path.open("w") as log:
            # -db: stay in the foreground, so the test owns the process and nothing is left behind.
            self.process = subprocess.Popen(
                [binary, "-db", "-f", str(self.config_path)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 10
        while not self.socket_path.exists() or not self._accepts():
            assert self.process.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "haproxy did not start"
            time.sleep(0.05)

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def states(self) -> dict[str, str]:
        """Each replica's status as HAProxy sees it: UP, DOWN, or a transition such as 'UP 1/2'."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        result = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "replicas" and row.get("svname") in self.names:
                result[row["svname"]] = row["status"]
        return result

    def wait_for(self, name: str, status: str, *, timeout: float = 30) -> float:
        """Seconds until the replica reaches the status."""
        started = time.monotonic()
        while self.states().get(name) != status:
            assert time.monotonic() - started < timeout, f"{name} is {self.states().get(name)}, not {status}"
            time.sleep(0.05)
        return time.monotonic() - started


@contextmanager
def load_balancer(*, workdir: Path, replicas: Sequence[int]) -> Iterator[HAProxy]:
    proxy = HAProxy(workdir=workdir, replicas=replicas)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
