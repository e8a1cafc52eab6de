"""uvicorn's httptools protocol with one socket write per response instead of two.

uvicorn writes the status line and headers as soon as the app sends
`http.response.start`, then the body on `http.response.body`: two `send()`
calls, and on loopback two trips through the TCP stack, for every answer. For
an answer served from the answer cache that second trip is the largest single
cost of the worker (docs/cold-path.md). Here the protocol's transport gathers
what is written during one turn of the event loop and hands it to the socket
once: as soon as the response is complete when it is the only request in
flight, otherwise at the end of that turn. The headers and a body sent right
after them leave together, and nothing waits longer than the current turn.

The protocol is given to uvicorn through its public `http` setting (a protocol
class). What it needs of uvicorn's protocol beyond that (the transport it
writes through, the moment a response is written, the requests in flight) it
reaches through graph/compat/uvicorn.py; tests/unit/test_coalesced_writes.py
serves a real uvicorn with it and fails if a response stops leaving in one write.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from graph.compat.uvicorn import HttpToolsProtocolHooks, requests_in_flight


class CoalescingTransport:
    """A transport whose writes within one loop turn reach the socket as one write.

    Everything but `write`, `writelines` and the closing calls is the wrapped
    transport's own (flow control, addresses, buffer limits).
    """

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Hand what is gathered to the socket now (also run before any close)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if self._transport.is_closing():
            return
        self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(chunk) for chunk in self._pending)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocolHooks):
    """uvicorn's httptools protocol writing through a `CoalescingTransport`."""

    _coalescing: CoalescingTransport | None = None

    def wrap_transport(self, transport: asyncio.Transport) -> asyncio.Transport:
        self._coalescing = CoalescingTransport(transport, asyncio.get_running_loop())
        # It stands in for the transport without subclassing it, as uvloop's transports do.
        return cast(asyncio.Transport, self._coalescing)

    def response_written(self) -> None:
        # The only request in flight: its answer leaves now, not after the bookkeeping the
        # middleware does once its last send returns (metrics, the access line), which
        # would add that to its latency. With other requests in flight it leaves at the end
        # of the turn, beside theirs: under load that means fewer wake-ups on both ends.
        if self._coalescing is not None and requests_in_flight(self) <= 1:
            self._coalescing.flush()
