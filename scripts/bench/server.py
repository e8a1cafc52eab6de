"""Server processes under test: start on a free loopback port, wait for them, watch their memory, stop them.

Only processes this module started are ever signalled: the Popen it holds,
whose uvicorn supervisor stops its own workers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import psutil

STOP_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_get(url: str, *, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


class ServerProcess:
    """A server subprocess; `with` it to be sure it is stopped."""

    def __init__(
        self,
        *,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        port: int,
        ready_path: str | None,
        log_dir: Path,
        workers: int = 1,
    ) -> None:
        self.name = name
        self.port = port
        self.workers = workers
        self._command = list(command)
        self._env = dict(env)
        self._ready_path = ready_path
        self._log_path = log_dir / f"{name}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, *, timeout: float = 60.0) -> None:
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self._command, env=self._env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited {self._process.returncode}; see {self._log_path}")
            if self._ready() and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {timeout:.0f} s; see {self._log_path}")

    def _ready(self) -> bool:
        try:
            if self._ready_path is None:  # not HTTP: accepting connections is ready
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            status, _ = http_get(self.base_url + self._ready_path, timeout=2)
        except OSError:
            return False
        return status == 200

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn's spawned workers, or the server itself."""
        if self._process is None:
            return []
        try:
            parent = psutil.Process(self._process.pid)
            children = parent.children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        spawned = []
        for child in children:
            try:
                if any("spawn_main" in part for part in child.cmdline()):
                    spawned.append(child.pid)
            except psutil.Error:
                continue
        return spawned or [self._process.pid]

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RssSampler:
    """The largest resident set size each worker reached while the sampler ran, in bytes."""

    def __init__(self, pids: Sequence[int], *, every_seconds: float = 0.2) -> None:
        self._processes = [psutil.Process(pid) for pid in pids]
        self._every = every_seconds
        self.peak: dict[int, int] = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        for process in self._processes:
            try:
                rss = int(process.memory_info().rss)
            except psutil.Error:
                continue
            self.peak[process.pid] = max(self.peak[process.pid], rss)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def __enter__(self) -> RssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def python_command(module: str, *arguments: str) -> list[str]:
    """Run a module with this interpreter (the project's virtualenv under `make bench`)."""
    import sys

    return [sys.executable, "-m", module, *arguments]


def cli_command() -> list[str]:
    """The `autos-graph` console script of the same virtualenv as this interpreter."""
    import sys

    script = Path(sys.executable).with_name("autos-graph")
    return [str(script)] if script.exists() else python_command("graph.cli.main")


def serve_command() -> list[str]:
    return [*cli_command(), "serve"]


def base_environment(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(values)
    return env
