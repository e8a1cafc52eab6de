"""A loopback TCP proxy that a test can cut, to make a real service look dead.

The service itself keeps running (other tests share it); only the path from
the app under test to it is broken, which is what the app sees in an outage.
"""

from __future__ import annotations

import asyncio
import contextlib


class HttpRequestCounter:
    """Splits a client's byte stream into HTTP/1.1 requests (by Content-Length)."""

    def __init__(self, sink: list[tuple[str, str]]) -> None:
        self._buffer = b""
        self._sink = sink

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head = self._buffer[:end].decode("latin-1").split("\r\n")
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self._buffer) < end + 4 + length:
                return  # the body has not fully arrived yet
            method, path, _version = head[0].split(" ", 2)
            self._sink.append((method, path))
            self._buffer = self._buffer[end + 4 + length :]


class TcpProxy:
    def __init__(self, *, target_host: str, target_port: int, blackhole: bool = False) -> None:
        self.target_host = target_host
        self.target_port = target_port
        # blackhole: accept connections but never answer (a hung dependency).
        self.blackhole = blackhole
        # Seconds each chunk the service answers waits before it is passed on (a slow dependency).
        self.delay = 0.0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # Every HTTP request that went upstream, as (method, path): round trips at the transport level.
        self.requests: list[tuple[str, str]] = []

    @property
    def url_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def restart(self, *, blackhole: bool | None = None) -> None:
        """Listen again on the SAME port (the app keeps its configured URL), optionally as a blackhole.

        The open connections are reset first, so a switch to blackhole mode also
        catches the app's pooled keep-alive connections.
        """
        await self.stop()
        if blackhole is not None:
            self.blackhole = blackhole
        await self.start()

    def hang(self) -> None:
        """Go silent on the open connections too, without closing them: a dependency that hangs.

        New connections are accepted and never answered; bytes on the open ones are dropped.
        """
        self.blackhole = True

    async def resume(self) -> None:
        """Answer again; the connections that hung are reset (their streams lost bytes)."""
        await self.restart(blackhole=False)

    @property
    def listening(self) -> bool:
        return self._server is not None

    async def stop(self) -> None:
        """Refuse new connections and reset the open ones."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self.blackhole:
            with contextlib.suppress(Exception):
                await reader.read()  # swallow everything, answer nothing
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(upstream_writer)
        counter = HttpRequestCounter(self.requests)
        for source, sink, watch in ((reader, upstream_writer, counter), (upstream_reader, writer, None)):
            task = asyncio.ensure_future(self._pipe(source, sink, watch=watch, proxy=self))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def search_requests(self) -> list[tuple[str, str]]:
        """The data requests (searches, msearch, mget, count), not probes or alias lookups."""
        wanted = ("/_search", "/_msearch", "/_mget", "/_count")
        return [(m, p) for m, p in self.requests if p.split("?")[0].endswith(wanted)]

    @staticmethod
    async def _pipe(
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        *,
        watch: HttpRequestCounter | None,
        proxy: TcpProxy,
    ) -> None:
        try:
            while data := await source.read(65536):
                if proxy.blackhole:
                    continue  # hung: swallow, answer nothing
                if watch is not None:
                    watch.feed(data)
                elif proxy.delay:
                    await asyncio.sleep(proxy.delay)  # an answer of the service: late
                sink.write(data)
                await sink.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            sink.transport.abort() if sink.transport else None
