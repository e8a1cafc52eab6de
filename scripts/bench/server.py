"""Server processes under test: start on a free loopback port, wait for them, watch their memory, stop them.

A server's stdout and stderr are a pipe the harness drains, as a container
runtime drains a pod's: every access line is written and read, at what a
deployment's log costs, and counted (`OutputDrain`). The head and tail of the
output are kept in the server's log file for diagnosis.

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
from typing import IO

import psutil

STOP_TIMEOUT_SECONDS = 30
# How much of a server's output its log file keeps, from the start and from the end.
KEPT_OUTPUT_BYTES = 256 * 1024
READ_SIZE = 64 * 1024


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


class OutputDrain:
    """Reads a pipe to its end on a thread: counts bytes and lines, keeps the head in `log_path`
    as it comes and appends the tail when the pipe closes."""

    def __init__(self, pipe: IO[bytes], log_path: Path) -> None:
        self._pipe = pipe
        self._log_path = log_path
        self.bytes = 0
        self.lines = 0
        self._tail = bytearray()
        self._thread = threading.Thread(target=self._run, name=f"drain-{log_path.stem}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        fd = self._pipe.fileno()
        with self._log_path.open("wb") as log:
            while chunk := os.read(fd, READ_SIZE):
                head_room = KEPT_OUTPUT_BYTES - self.bytes
                if head_room > 0:
                    log.write(chunk[:head_room])
                    log.flush()
                self.bytes += len(chunk)
                self.lines += chunk.count(b"\n")
                if self.bytes > KEPT_OUTPUT_BYTES:
                    self._tail += chunk[max(0, head_room) :]
                    del self._tail[:-KEPT_OUTPUT_BYTES]
            if self._tail:
                skipped = self.bytes - KEPT_OUTPUT_BYTES - len(self._tail)
                if skipped > 0:
                    log.write(f"\n[... {skipped:,} bytes read and not kept ...]\n".encode())
                log.write(bytes(self._tail))
        self._pipe.close()

    def join(self, timeout: float = 10.0) -> None:
        self._thread.join(timeout)


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
        self._drain: OutputDrain | None = None

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

    @property
    def output_lines(self) -> int:
        """Lines the server has written so far (its access log, once started)."""
        return 0 if self._drain is None else self._drain.lines

    @property
    def output_bytes(self) -> int:
        return 0 if self._drain is None else self._drain.bytes

    def start(self, *, timeout: float = 60.0) -> None:
        self.launch()
        self.wait_ready(timeout=timeout)

    def launch(self) -> None:
        """Start the process without waiting for it (several servers then start side by side)."""
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            self._command,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        assert self._process.stdout is not None
        self._drain = OutputDrain(self._process.stdout, self._log_path)

    def wait_ready(self, *, timeout: float = 60.0) -> None:
        if self._process is None:
            raise RuntimeError(f"{self.name} was not launched")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                if self._drain is not None:
                    self._drain.join()
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
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._drain is not None:
            self._drain.join()


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
