"""An Elasticsearch node over plain HTTP/1.1 keep-alive connections, without aiohttp's per-request machinery.

Talking to a node needs little: one write of the request, httptools (the C
parser uvicorn uses) for the response, a pool of idle connections. aiohttp's
client builds a session request object, a timer, a stream reader and header
multidicts for every search, which costs the worker more CPU than the GraphQL
layer around it (docs/benchmarks.md). The transport above keeps its jobs: node
selection, retries, dead-node backoff, serialization.

Only plain `http://` nodes take this path. TLS, certificate pinning and
request compression stay with the aiohttp node this class extends, where they
are implemented and tested.

It reads the node through elastic-transport's public properties; what it needs
beyond them (the node response type, the request log) comes from
datasources/compat/elastic_transport.py. ES_HTTP_NODE=aiohttp turns it off
(graph/settings.py).
"""

from __future__ import annotations

import asyncio
import gzip
from typing import Any, cast

import httptools
from elastic_transport import (
    AiohttpHttpNode,
    ApiResponseMeta,
    ConnectionTimeout,
    HttpHeaders,
    NodeConfig,
)
from elastic_transport import ConnectionError as TransportConnectionError

from datasources.compat.elastic_transport import DEFAULT, DefaultType, NodeApiResponse, log_request


class HttpResponse:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class HttpConnection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parser: Any = None
        self._waiter: asyncio.Future[HttpResponse] | None = None
        self._head = False
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self.reusable = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._parser is None:
            # Bytes nobody asked for: the connection is out of step, drop it.
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(TransportConnectionError(f"malformed HTTP response: {error}", errors=(error,)))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            reason = exc or ConnectionResetError("connection closed before the response ended")
            self._fail(TransportConnectionError(str(reason), errors=(reason,)))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        if self._head:  # a HEAD answer announces a length but carries no body
            self._complete()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if not self._head:
            self._complete()

    def _complete(self) -> None:
        parser, waiter = self._parser, self._waiter
        self._parser = None
        self.reusable = bool(parser.should_keep_alive())
        if waiter is not None and not waiter.done():
            waiter.set_result(HttpResponse(parser.get_status_code(), self._headers, b"".join(self._body)))

    def _fail(self, error: Exception) -> None:
        self._parser = None
        self.reusable = False
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self.close()

    async def exchange(self, request: bytes, *, head: bool) -> HttpResponse:
        """Send one request and wait for its whole response."""
        assert self.transport is not None
        self._head = head
        self._headers = []
        self._body = []
        self.reusable = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self._waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class ConnectionPool:
    """Idle connections to one node, at most `limit` open at once."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self._host = host
        self._port = port
        self._limit = asyncio.Semaphore(limit)
        self._idle: list[HttpConnection] = []
        self._closed = False

    async def acquire(self) -> HttpConnection:
        await self._limit.acquire()
        try:
            while self._idle:
                connection = self._idle.pop()
                if not connection.closed:
                    return connection
            _, protocol = await asyncio.get_running_loop().create_connection(
                HttpConnection, self._host, self._port
            )
            return protocol
        except BaseException:
            self._limit.release()
            raise

    async def exchange(self, request: bytes, *, head: bool = False) -> HttpResponse:
        """One request on a pooled connection: the whole answer, or the exchange's error."""
        connection = await self.acquire()
        reusable = False
        try:
            response = await connection.exchange(request, head=head)
            reusable = connection.reusable
            return response
        finally:
            # Cancelled or timed out mid-exchange: the connection is out of step, never reused.
            self.release(connection, reusable=reusable)

    def release(self, connection: HttpConnection, *, reusable: bool) -> None:
        if reusable and not connection.closed and not self._closed:
            self._idle.append(connection)
        else:
            connection.close()
        self._limit.release()

    def close(self) -> None:
        # Connections still in use are closed when they come back.
        self._closed = True
        for connection in self._idle:
            connection.close()
        self._idle.clear()


class LeanHttpNode(AiohttpHttpNode):
    """The aiohttp node, with plain-HTTP requests sent over our own connections."""

    def __init__(self, config: NodeConfig) -> None:
        super().__init__(config)
        plain = config.scheme == "http" and not config.http_compress
        self._lean = plain and not config.ssl_assert_fingerprint
        self._pool: ConnectionPool | None = None
        self._host_header = f"{config.host}:{config.port}"

    async def perform_request(  # type: ignore[override]
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        if not self._lean:
            return await super().perform_request(
                method, target, body=body, headers=headers, request_timeout=request_timeout
            )
        timeout = self.config.request_timeout if request_timeout is DEFAULT else request_timeout
        request_headers = self.headers.copy()
        if headers:
            request_headers.update(headers)
        # Built before a connection is taken: a request that cannot be sent costs none.
        request = request_bytes(method, self.path_prefix + target, self._host_header, request_headers, body)
        if self._pool is None:
            self._pool = ConnectionPool(self.host, self.port, self.config.connections_per_node)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(timeout):
                response = await self._pool.exchange(request, head=method == "HEAD")
        except (TimeoutError, TransportConnectionError, OSError) as error:
            failure = _transport_error(error)
            log_request(
                self, method=method, target=target, headers=request_headers, body=body, exception=failure
            )
            raise failure from None
        response_headers = HttpHeaders(response.headers)
        data = response.body
        if response_headers.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        meta = ApiResponseMeta(
            node=self.config,
            duration=loop.time() - started,
            http_version="1.1",
            status=response.status,
            headers=response_headers,
        )
        log_request(
            self, method=method, target=target, headers=request_headers, body=body, meta=meta, response=data
        )
        return NodeApiResponse(meta, data)

    async def close(self) -> None:  # type: ignore[override]
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        await super().close()


def _transport_error(error: Exception) -> Exception:
    """The transport's exception for a failed exchange: it retries these on another node."""
    if isinstance(error, TimeoutError):
        return ConnectionTimeout("Connection timed out during request", errors=(error,))
    if isinstance(error, TransportConnectionError):
        return error
    return TransportConnectionError(str(error), errors=(error,))  # refused, reset, unreachable


def request_bytes(method: str, path: str, host: str, headers: HttpHeaders, body: bytes | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"host: {host}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    lines.append(f"content-length: {len(body) if body else 0}")
    block = "\r\n".join(lines)
    # A line break inside a path or header value would smuggle a second request.
    if block.count("\n") != len(lines) - 1 or block.count("\r") != len(lines) - 1:
        raise ValueError("line break in an HTTP request line or header")
    head = (block + "\r\n\r\n").encode("latin-1")
    return head + body if body else head
