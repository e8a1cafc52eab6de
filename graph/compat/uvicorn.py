"""uvicorn's httptools protocol, with deadlines for a request's head and body.

uvicorn arms no timer on a connection until its first response is sent: a
client that connects and sends nothing, or sends its headers or a declared
body a byte at a time, holds the connection (a file descriptor, a parser and
its buffers) for as long as it likes. A few thousand such clients take a
replica's connections without ever being counted by the rate limiter, which
only sees requests whose head is complete (slowloris).

`RequestDeadlines` is the protocol factory `autos-graph serve` hands uvicorn:
a request's head must be complete within `head_seconds` of the connection
opening or of the request's first byte, and its body within `body_seconds` of
the head. Past either, the client gets a 408 with the API's JSON error and the
connection is closed. uvicorn documents `http=` as taking a protocol class but
not the protocol's constructor nor its parser callbacks, so the subclass lives
here, pinned by tests/unit/test_compat_uvicorn.py. The factory is a frozen
dataclass rather than a class made at run time, so uvicorn can pickle it into
the processes of a multi-worker server.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, cast

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

logger = logging.getLogger("autos_graph.http")

_408 = b"HTTP/1.1 408 Request Timeout\r\n"


def _timeout_response(message: str) -> bytes:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": "REQUEST_TIMEOUT"}}]})
    head = (
        b"content-type: application/json\r\n"
        b"cache-control: no-store\r\n"
        b"connection: close\r\n"
        b"content-length: %d\r\n\r\n" % len(body)
    )
    return _408 + head + body


@dataclass(frozen=True, slots=True)
class RequestDeadlines:
    head_seconds: float
    body_seconds: float

    def __call__(self, **uvicorn_arguments: Any) -> asyncio.Protocol:
        return _DeadlineProtocol(deadlines=self, **uvicorn_arguments)

    def protocol(self) -> type[asyncio.Protocol]:
        """What `uvicorn.run(http=...)` accepts: it calls it with keyword arguments, as it would a class."""
        return cast(type[asyncio.Protocol], self)


class _DeadlineProtocol(HttpToolsProtocol):
    def __init__(self, *, deadlines: RequestDeadlines, **uvicorn_arguments: Any) -> None:
        super().__init__(**uvicorn_arguments)
        self._deadlines = deadlines
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, part: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, seconds, part)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, seconds: float, part: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if part == "head" and cycle is not None and not cycle.response_complete:
            # A pipelined head is late while the previous answer is being written: finish it, then close.
            cycle.keep_alive = False
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
        logger.info(
            "request %s not received within %g s; connection closed",
            part,
            seconds,
            extra={"context": {"client": client, "part": part}},
        )
        # A late body after an answer sent without reading it (413, 405) just closes.
        if part == "head" or (cycle is not None and not cycle.response_started):
            message = f"The request {part} was not received within {seconds:g} s."
            self.transport.write(_timeout_response(message))
        if cycle is not None and not cycle.response_complete:
            # The app stops waiting for the body: it reads a disconnect, and what it sends is dropped.
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()

    # uvicorn's callbacks, each extended by one step.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._deadlines.head_seconds, "head")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self._deadlines.head_seconds, "head")

    def on_headers_complete(self) -> None:
        self._arm(self._deadlines.body_seconds, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
