"""uvicorn's httptools protocol, with bounds on reading a request: its head's time and size, its body's time.

uvicorn arms no timer on a connection until its first response is sent, and
httptools buffers a request's head without limit: a client that connects and
sends nothing, sends its head or a declared body a byte at a time, or sends
megabytes of headers, holds the connection and its memory for as long as it
likes. The rate limiter never sees it, since it only counts requests whose
head is complete (slowloris, and its memory-hungry cousin).

`RequestBounds` is the protocol factory `autos-graph serve` hands uvicorn: a
request's head must be complete within `head_seconds` of the connection
opening or of the request's first byte and within `head_max_bytes`, and its
body within `body_seconds` of the head. Past a deadline the client gets a 408,
past the size a 431, each with the API's JSON error, and the connection is
closed. uvicorn documents `http=` as taking a protocol class but not the
protocol's constructor nor its parser callbacks, so the subclass lives here,
pinned by tests/unit/test_compat_uvicorn.py. The factory is a frozen dataclass
rather than a class made at run time, so uvicorn can pickle it into the
processes of a multi-worker server.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, cast

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

logger = logging.getLogger("autos_graph.http")

REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
# How long a refused connection's late bytes are read and dropped before it is closed.
LINGER_SECONDS = 2.0
REQUEST_HEAD_TOO_LARGE = "REQUEST_HEAD_TOO_LARGE"
_STATUS_LINES = {
    408: b"HTTP/1.1 408 Request Timeout\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
}


def _error_response(status: int, code: str, message: str) -> bytes:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    head = (
        b"content-type: application/json\r\n"
        b"cache-control: no-store\r\n"
        b"connection: close\r\n"
        b"content-length: %d\r\n\r\n" % len(body)
    )
    return _STATUS_LINES[status] + head + body


@dataclass(frozen=True, slots=True)
class RequestBounds:
    head_seconds: float
    body_seconds: float
    head_max_bytes: int

    def __call__(self, **uvicorn_arguments: Any) -> asyncio.Protocol:
        return _BoundedProtocol(bounds=self, **uvicorn_arguments)

    def protocol(self) -> type[asyncio.Protocol]:
        """What `uvicorn.run(http=...)` accepts: it calls it with keyword arguments, as it would a class."""
        return cast(type[asyncio.Protocol], self)


class _BoundedProtocol(HttpToolsProtocol):
    def __init__(self, *, bounds: RequestBounds, **uvicorn_arguments: Any) -> None:
        super().__init__(**uvicorn_arguments)
        self._bounds = bounds
        self._deadline: asyncio.TimerHandle | None = None
        # The bytes of the head being read, counted before the parser buffers them; a head that
        # follows another request in the same read is counted from the next read on.
        self._head_bytes = 0
        self._in_head = True
        self._tail = b""  # the last bytes seen, for a blank line split across reads
        self._discarding = False

    def _arm(self, seconds: float, part: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, seconds, part)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, seconds: float, part: str) -> None:
        self._deadline = None
        cycle = self.cycle
        if part == "head" and cycle is not None and not cycle.response_complete:
            # A pipelined head is late while the previous answer is being written: finish it, then close.
            cycle.keep_alive = False
            return
        message = f"The request {part} was not received within {seconds:g} s."
        self._refuse(408, REQUEST_TIMEOUT, message, part=part)

    def _refuse(self, status: int, code: str, message: str, *, part: str) -> None:
        if self.transport.is_closing() or self._discarding:
            return
        cycle = self.cycle
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
        logger.info(
            "request refused while reading its %s: %s",
            part,
            message,
            extra={"context": {"client": client, "status": status}},
        )
        # A late body after an answer sent without reading it (413, 405) just closes.
        if part == "head" or (cycle is not None and not cycle.response_started):
            self.transport.write(_error_response(status, code, message))
        if cycle is not None and not cycle.response_complete:
            # The app stops waiting for the body: it reads a disconnect, and what it sends is dropped.
            cycle.disconnected = True
            cycle.message_event.set()
        self._linger()

    def _linger(self) -> None:
        """Close after reading and dropping what the client still sends for a moment.

        Closed at once with unread bytes, the socket would send a reset, and the client's
        kernel could drop the answer before the client reads it.
        """
        self._discarding = True
        self._disarm()
        self.flow.resume_reading()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    # uvicorn's callbacks, each extended by one step.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._bounds.head_seconds, "head")

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        if self._in_head:
            self._head_bytes += self._head_part(data)
            if self._head_bytes > self._bounds.head_max_bytes:
                message = f"The request head is larger than {self._bounds.head_max_bytes} bytes."
                self._refuse(431, REQUEST_HEAD_TOO_LARGE, message, part="head")
                return
        super().data_received(data)

    def _head_part(self, data: bytes) -> int:
        """How many bytes of `data` belong to the head being read: up to its blank line, if there."""
        if not self._tail and (end := data.find(b"\r\n\r\n")) >= 0 and data.find(b"\n\n", 0, end) < 0:
            return end + 4  # the usual case: a whole head in one read
        seen = self._tail + data
        ends = [found + len(blank) for blank in (b"\n\r\n", b"\n\n") if (found := seen.find(blank)) >= 0]
        self._tail = seen[-2:]
        return len(data) if not ends else max(0, min(ends) - (len(seen) - len(data)))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self._bounds.head_seconds, "head")

    def on_headers_complete(self) -> None:
        self._in_head = False
        # Disarmed at once by the message's end when there is no body (a GET, a WebSocket upgrade).
        self._arm(self._bounds.body_seconds, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        # What comes next on the connection is the next request's head.
        self._in_head = True
        self._head_bytes = 0
        self._tail = b""
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
