"""A recording HTTP proxy in front of Elasticsearch: the exact requests the API sends.

The benchmark points a server at it for one request per workload, which gives
the workload's Elasticsearch round trips (counted where they happen, on the
wire) and the request bodies that the raw-Elasticsearch floor replays. It runs
on its own event loop in a thread and is never in the path of a timed run.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass

# Headers the floor replays as the client sent them (content negotiation only).
REPLAYED_HEADERS = ("content-type", "accept")


@dataclass(frozen=True, slots=True)
class CapturedRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    at: float


def split_requests(buffer: bytes) -> tuple[list[tuple[str, str, dict[str, str], bytes]], bytes]:
    """Complete HTTP/1.1 requests (Content-Length framed) at the start of `buffer`, and the rest."""
    found = []
    while (end := buffer.find(b"\r\n\r\n")) >= 0:
        head = buffer[:end].decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if len(buffer) < end + 4 + length:
            break
        method, target, _version = head[0].split(" ", 2)
        found.append((method, target, headers, buffer[end + 4 : end + 4 + length]))
        buffer = buffer[end + 4 + length :]
    return found, buffer


class CapturingProxy:
    def __init__(self, *, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._lock = threading.Lock()
        self._requests: list[CapturedRequest] = []
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="es-capture", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        ).result()
        self.port = int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def mark(self) -> int:
        with self._lock:
            return len(self._requests)

    def since(self, mark: int) -> list[CapturedRequest]:
        with self._lock:
            return list(self._requests[mark:])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return

        async def client_to_upstream() -> None:
            buffer = b""
            while data := await reader.read(65536):
                buffer = self._record(buffer + data)
                upstream_writer.write(data)
                await upstream_writer.drain()
            upstream_writer.close()

        async def upstream_to_client() -> None:
            while data := await upstream_reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()

        with contextlib.suppress(OSError, asyncio.CancelledError):
            await asyncio.gather(client_to_upstream(), upstream_to_client())

    def _record(self, buffer: bytes) -> bytes:
        found, rest = split_requests(buffer)
        now = time.monotonic()
        with self._lock:
            for method, target, headers, body in found:
                kept = {name: headers[name] for name in REPLAYED_HEADERS if name in headers}
                self._requests.append(CapturedRequest(method, target, kept, body, now))
        return rest
