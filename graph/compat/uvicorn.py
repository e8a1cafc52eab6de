"""uvicorn's undocumented names and behaviours that the HTTP edge relies on.

uvicorn takes a protocol class through its public `http` setting, but what a
protocol may change, and how its httptools protocol writes, is not documented.
The coalesced-writes protocol (graph/http/coalesced_writes.py) extends that
protocol through the two hooks of `HttpToolsProtocolHooks`, and this module
holds what they rest on:

- where uvicorn keeps the protocol (`uvicorn.protocols.http.httptools_impl`);
- that it writes every response through the transport it is given in
  `connection_made`, and calls `on_response_complete` once a response has
  been written;
- that its `tasks` are the worker's requests in flight.

It also states what the SIGTERM drain (graph/http/draining.py) and
`autos-graph serve` (graph/cli/main.py) rely on in uvicorn's signal handling,
which no code here calls: uvicorn installs its SIGTERM handler before the
lifespan starts, and after a graceful stop raises the signal again with the
handler it found in place.

tests/unit/test_compat_uvicorn.py pins each of them.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HttpToolsProtocol", "HttpToolsProtocolHooks", "requests_in_flight"]


class HttpToolsProtocolHooks(HttpToolsProtocol):
    """uvicorn's httptools protocol with a say over its transport and a word when a response is out."""

    def wrap_transport(self, transport: asyncio.Transport) -> asyncio.Transport:
        """The transport every response of this connection is written through."""
        return transport

    def response_written(self) -> None:
        """Called once a response has been written, before uvicorn reads the next request."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(self.wrap_transport(transport))

    def on_response_complete(self) -> None:
        self.response_written()
        super().on_response_complete()


def requests_in_flight(protocol: HttpToolsProtocol) -> int:
    """The worker's requests being handled now, over all its connections."""
    return len(protocol.tasks)
