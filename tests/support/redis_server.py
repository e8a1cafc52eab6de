"""A private redis-server a test may kill and start again on the same port.

The shared Redis on 6379 serves other suites and is never touched; a fault test
runs its own Debian `redis-server` in the foreground (no persistence) instead.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis.asyncio as redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, *, directory: Path, port: int | None = None, options: tuple[str, ...] = ()) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is missing: apt-get install redis-server"
        self._binary = binary
        self.directory = directory
        self.port = port or free_port()
        # More redis-server options, e.g. ("--maxmemory", "4mb", "--maxmemory-policy", "noeviction").
        self.options = options
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        process = self._process = self._spawn()
        deadline = time.monotonic() + 10
        while not await self.answers():
            assert process.poll() is None, (self.directory / "redis.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
            await asyncio.sleep(0.05)

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.directory.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            [
                self._binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", str(self.directory),
                *self.options,
            ],
            stdout=(self.directory / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    async def answers(self) -> bool:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port), timeout=0.5
            )
        except (OSError, TimeoutError):
            return False
        try:
            writer.write(b"PING\r\n")
            await writer.drain()
            return (await asyncio.wait_for(reader.readline(), timeout=0.5)).startswith(b"+PONG")
        except (OSError, TimeoutError):
            return False
        finally:
            writer.close()

    def kill(self) -> None:
        """SIGKILL: no goodbye to the clients, as when a Redis host dies."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)
        self._process = None


async def commands_called(admin: redis.Redis) -> dict[str, int]:
    """How often the server ran each command since its statistics were last reset."""
    stats = await admin.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(values["calls"]) for name, values in stats.items()}
