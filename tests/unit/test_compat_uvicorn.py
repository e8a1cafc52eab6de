"""What graph/compat/uvicorn.py takes from uvicorn beyond its documented settings.

Each test drives uvicorn's own code and fails when an upgrade changes one of
those names or behaviours, before the coalesced writes
(graph/http/coalesced_writes.py) or the SIGTERM drain (graph/http/draining.py)
stop doing what they say.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from graph.compat.uvicorn import HttpToolsProtocol, HttpToolsProtocolHooks, requests_in_flight

Scope = dict[str, Any]
GET = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"


class Transport(asyncio.Transport):
    """A socket that records what reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 3000), "peername": ("127.0.0.1", 51000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class Recording(HttpToolsProtocolHooks):
    """Wraps the transport in another one and notes when uvicorn says a response is written."""

    events: list[str]
    inner: Transport

    def wrap_transport(self, transport: asyncio.Transport) -> asyncio.Transport:
        self.events = []
        self.inner = Transport()
        self.outer = transport
        return self.inner

    def response_written(self) -> None:
        self.events.append(f"response written after {len(self.inner.writes)} writes")


async def answer(scope: Scope, receive: Any, send: Any) -> None:
    in_flight = scope["extensions"]["in_flight"]
    in_flight.append(requests_in_flight(scope["extensions"]["protocol"]))
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def protocol_for(app: Any, state: ServerState) -> Recording:
    config = uvicorn.Config(app, http=Recording, log_config=None, lifespan="off")
    config.load()
    assert config.http_protocol_class is Recording  # the public `http` setting takes a class
    return Recording(config=config, server_state=state, app_state={})


async def serve(request: bytes, *, others_in_flight: int = 0) -> tuple[Recording, list[int], Transport]:
    state = ServerState()
    others = [asyncio.get_running_loop().create_future() for _ in range(others_in_flight)]
    state.tasks.update(others)  # type: ignore[arg-type]
    in_flight: list[int] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        scope.setdefault("extensions", {}).update(in_flight=in_flight, protocol=protocol)
        await answer(scope, receive, send)

    protocol = protocol_for(app, state)
    outer = Transport()
    protocol.connection_made(outer)
    protocol.data_received(request)
    await asyncio.sleep(0.05)
    for other in others:
        other.cancel()
    return protocol, in_flight, outer


def test_the_httptools_protocol_lives_where_it_is_imported_from() -> None:
    assert HttpToolsProtocol.__module__ == "uvicorn.protocols.http.httptools_impl"
    assert issubclass(HttpToolsProtocol, asyncio.Protocol)
    for hook in ("connection_made", "on_response_complete"):
        assert hook in vars(HttpToolsProtocol), hook


async def test_responses_are_written_through_the_transport_given_to_connection_made() -> None:
    protocol, _, outer = await serve(GET)
    assert protocol.transport is protocol.inner
    assert outer.writes == []
    assert b"".join(protocol.inner.writes).endswith(b"\r\n\r\nok")


async def test_on_response_complete_comes_once_a_response_is_written() -> None:
    protocol, _, _ = await serve(GET + GET)
    writes = len(protocol.inner.writes)
    assert writes >= 2
    assert protocol.events[-1] == f"response written after {writes} writes"
    assert len(protocol.events) == 2
    assert protocol.events[0] != protocol.events[1]  # each after its own response


async def test_tasks_are_the_workers_requests_in_flight() -> None:
    _, alone, _ = await serve(GET)
    assert alone == [1]
    _, beside_others, _ = await serve(GET, others_in_flight=3)
    assert beside_others == [4]


class Handler:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.calls.append(signum)


@pytest.fixture
def found_in_place() -> Iterator[Handler]:
    handler = Handler()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, previous)


async def lifespan_only(scope: Scope, receive: Any, send: Any) -> None:
    raise AssertionError("no request is made")


def test_a_graceful_stop_raises_the_signal_again_with_the_handler_found_in_place(
    found_in_place: Handler,
) -> None:
    # `autos-graph serve` installs a handler that exits 0; uvicorn hands it the SIGTERM it drained on.
    server = uvicorn.Server(uvicorn.Config(lifespan_only, log_config=None, lifespan="off"))
    with server.capture_signals():
        assert signal.getsignal(signal.SIGTERM) == server.handle_exit
        server.handle_exit(signal.SIGTERM, None)
        assert server.should_exit
        assert found_in_place.calls == []
    assert found_in_place.calls == [signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is found_in_place


async def test_the_sigterm_handler_is_in_place_when_the_lifespan_starts(found_in_place: Handler) -> None:
    # The drain wraps, during the lifespan's start-up, whatever SIGTERM handler is in place.
    seen: list[Any] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        seen.append(signal.getsignal(signal.SIGTERM))
        await send({"type": "lifespan.startup.complete"})
        server.should_exit = True
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    try:
        await server.serve(sockets=[listener])
    finally:
        listener.close()
    assert seen == [server.handle_exit]
    assert signal.getsignal(signal.SIGTERM) is found_in_place
